#!/bin/sh
# SPDX-License-Identifier: MIT
# The ppcvirt CLI's conventions, one case per CTest test (tests/cli.cmake):
#
#   sh cases.sh CLI JSON_CHECK SRCDIR CASE [STATE_GEN]
#
# Each case runs the CLI, then checks its exit status, stdout and stderr
# against the conventions of man/ppcvirt.1.scd (expected values come from
# those conventions and from the fixtures' own comments, never from the
# CLI). The last line is "N passed, N failed"; exit 0, 1, or 77 (skipped).
# ok() never fails, so 'A && ok || bad' is an if-then-else here.
# shellcheck disable=SC2015
set -u
CLI=$1
JSONCHECK=$2
SRC=$3
CASE=$4
STATEGEN=${5:-}
FIX=$SRC/tests/cli
V1=$SRC/tests/state/v1.pcvstate
W=$(mktemp -d "${TMPDIR:-/tmp}/ppcvirt-cli.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
npass=0
LAST=""
STATUS=""
nfail=0
CR=$(printf '\r')

ok() { npass=$((npass + 1)); }
bad() {
	nfail=$((nfail + 1))
	echo "FAIL: $*"
	echo "  command: $LAST"
	echo "  status $STATUS; stdout:"
	sed 's/^/    | /' out | head -20
	echo "  stderr:"
	sed 's/^/    | /' err | head -20
}

# run [CMD...]: run the CLI with arguments, capturing out, err, STATUS.
run() {
	LAST="ppcvirt $*"
	"$CLI" "$@" >out 2>err </dev/null
	STATUS=$?
}
# run_in FILE ARGS...: the same with standard input from FILE.
run_in() {
	f=$1
	shift
	LAST="ppcvirt $* < $f"
	"$CLI" "$@" >out 2>err <"$f"
	STATUS=$?
}
# run_sh SHELL-COMMAND: for pipes and limits ($CLI is exported).
run_sh() {
	LAST=$1
	CLI=$CLI sh -c "$1" >out 2>err </dev/null
	STATUS=$?
}

want_status() { [ "$STATUS" = "$1" ] && ok || bad "exit status $STATUS, want $1"; }
# want_line out|err LINE: a line equal to LINE.
want_line() { grep -qxF -e "$2" "$1" && ok || bad "$1 has no line '$2'"; }
# want_re out|err ERE: a line matching ERE.
want_re() { grep -qE -e "$2" "$1" && ok || bad "$1 has no line matching '$2'"; }
want_no() { grep -qE -e "$2" "$1" && bad "$1 has a line matching '$2'" || ok; }
want_empty() { [ ! -s "$1" ] && ok || bad "$1 is not empty"; }
want_json() { "$JSONCHECK" "$@" <out >jc 2>&1 && ok || bad "json: $(cat jc)"; }
want_json_lines() { "$JSONCHECK" --lines "$@" <out >jc 2>&1 && ok || bad "json lines: $(cat jc)"; }
# Nothing but printable ASCII, tab and newline on stdout and stderr.
want_clean() {
	for f in out err; do
		if LC_ALL=C grep -q '[^[:print:][:space:]]' "$f" ||
			grep -q "$CR" "$f"; then
			bad "$f has raw control or non-ASCII bytes"
		else
			ok
		fi
	done
}

SUBCMDS="version caps bench replay tlb state"
SUBSUBS="bench_hcall bench_dma bench_tlb bench_migrate tlb_replay tlb_dump state_info"

case_help() {
	for c in "" $SUBCMDS $SUBSUBS; do
		# shellcheck disable=SC2046
		set -- $(echo "$c" | tr _ ' ')
		for h in -h --help; do
			run "$@" $h
			want_status 0
			want_re out "^usage: ppcvirt $*"
			want_empty err
		done
	done
}

case_unknown_option() {
	run --bogus
	want_status 2
	want_line err "ppcvirt: error: unknown option '--bogus'"
	want_line err "Try 'ppcvirt --help'."
	for c in $SUBCMDS $SUBSUBS; do
		cmd=$(echo "$c" | tr _ ' ')
		# shellcheck disable=SC2086
		run $cmd --bogus=1 x
		want_status 2
		want_line err "ppcvirt $cmd: error: unknown option '--bogus'"
		want_line err "Try 'ppcvirt $cmd --help'."
		want_empty out
	done
	# A short option, a missing value, a value where none is taken.
	run replay -Z x
	want_status 2
	want_line err "ppcvirt replay: error: unknown option '-Z'"
	run replay --profile
	want_status 2
	want_line err "ppcvirt replay: error: option '--profile' needs a value"
	run tlb dump --json=yes x
	want_status 2
	want_line err "ppcvirt tlb dump: error: option '--json' takes no value"
	run nosuchcommand
	want_status 2
	want_line err "ppcvirt: error: unknown command 'nosuchcommand'"
	run replay --profile=kvm x
	want_status 2
	want_re err "^ppcvirt replay: error: unknown profile 'kvm'"
	run replay
	want_status 2
	want_line err "ppcvirt replay: error: no FILE given"
}

case_missing_file() {
	for cmd in replay "tlb replay" "tlb dump" "state info"; do
		# shellcheck disable=SC2086
		run $cmd /nonexistent/file.x
		want_status 2
		want_line err "/nonexistent/file.x: error: cannot open: No such file or directory"
	done
	run replay .
	want_status 2
	want_line err ".: error: is a directory"
}

# Issue 8, item 13: inputs that hold no trace at all.
case_no_trace() {
	: >empty.log
	printf 'hello world\n' | xz >hello.xz
	cp "$FIX/one_mismatch.tlbs" script.tlbs
	for f in empty.log /dev/null script.tlbs hello.xz; do
		run replay "$f"
		want_status 2
		want_line err "$f: error: no sPAPR IOMMU trace events in the input (no spapr_iommu_* line)"
		want_re out "^$f: strict, 0 lines, 0 hcalls, 0 mismatches, .*, FAILED$"
	done
	run_in /dev/null replay -
	want_status 2
	want_re err "^<stdin>: error: no sPAPR IOMMU trace events"
	: >empty.hcs
	printf '# comment only\n\n' >comment.hcs
	for f in empty.hcs comment.hcs; do
		run replay "$f"
		want_status 2
		want_line err "$f: error: no statements in the script"
	done
	# A truncated xz archive is a format error too.
	xz <"$FIX/trace_small.log" >t.xz
	head -c 60 t.xz >cut.xz
	run replay cut.xz
	want_status 2
	want_line err "cut.xz: error: xz: truncated file"
}

case_exit_status() {
	run replay "$FIX/trace_small.log"
	want_status 0
	run replay "$FIX/one_mismatch.hcs"
	want_status 1
	printf 'mem 0 0x100000\nput 1 2\n' >malformed.hcs
	run replay malformed.hcs
	want_status 2
	want_line err "malformed.hcs:2: error: malformed 'put' statement"
	# The highest status over all files.
	run replay "$FIX/one_mismatch.hcs" malformed.hcs "$FIX/trace_small.log"
	want_status 2
	want_line out "total: 3 files, 7 hcalls, 1 mismatch, 1 error"
	run tlb replay "$FIX/one_mismatch.tlbs"
	want_status 1
	printf 'geometry e500mc\ntlbwe 1 2\n' >bad.tlbs
	run tlb replay bad.tlbs
	want_status 2
	want_re err "^bad.tlbs:2: error: "
}

case_one_mismatch() {
	run replay "$FIX/one_mismatch.hcs"
	want_status 1
	want_re out "^$FIX/one_mismatch.hcs: strict, 8 lines, 3 hcalls, 1 mismatch, 2 gets checked, 0 xlates checked, 0 rtas calls checked, "
	want_line err "$FIX/one_mismatch.hcs:7: mismatch: put: ret expected -4 (H_PARAMETER), got 0 (H_SUCCESS)"
	run tlb replay "$FIX/one_mismatch.tlbs"
	want_status 1
	want_line out "$FIX/one_mismatch.tlbs: 4 statements, 2 checks, 1 mismatch"
	want_re err "^$FIX/one_mismatch.tlbs:6: mismatch: .*expected 0x3000, got 0x2000$"
	# Singular and plural of every count.
	run replay "$FIX/trace_small.log"
	want_re out ": strict, 9 lines, 4 hcalls, 0 mismatches, 1 get checked, 2 xlates checked, 0 rtas calls checked, "
	# --max-report bounds the list and says what it left out.
	run replay --max-report=0 "$FIX/one_mismatch.hcs"
	want_status 1
	want_no err "mismatch: put"
	want_line err "$FIX/one_mismatch.hcs: note: 1 more mismatch not shown (--max-report)"
}

case_option_forms() {
	run replay --profile=qemu "$FIX/trace_small.log"
	want_status 0
	want_re out ": qemu, 9 lines, "
	run replay --profile qemu "$FIX/trace_small.log"
	want_status 0
	want_re out ": qemu, 9 lines, "
	run replay -p qemu "$FIX/trace_small.log" --quiet
	want_status 0
	want_re out ": qemu, 9 lines, "
	run replay --max-report 0 --kind=script "$FIX/one_mismatch.hcs"
	want_status 1
	want_no err "mismatch: put"
	run tlb replay --save=a.bin "$FIX/one_mismatch.tlbs"
	want_status 1
	run tlb replay --save b.bin "$FIX/one_mismatch.tlbs"
	want_status 1
	cmp -s a.bin b.bin && ok || bad "--save=F and --save F differ"
	[ "$(wc -c <a.bin)" -eq $((40 + (512 + 64) * 24)) ] && ok ||
		bad "saved array is not 40 + 576 * 24 bytes"
	for s in --size=1500 "--size 1500" "-s 1500"; do
		# shellcheck disable=SC2086
		run bench dma --quick --seconds=0.01 $s --json
		want_status 0
		want_json packet_sizes_bytes/#=1 packet_sizes_bytes/0=1500
	done
	run bench dma --size=0
	want_status 2
	want_re err "^ppcvirt bench dma: error: --size: '0' is not "
	run bench dma --size 1,2,3,4,5,6,7,8,9
	want_status 2
}

case_stdin() {
	run_in "$FIX/trace_small.log" replay -
	want_status 0
	want_re out "^<stdin>: strict, 9 lines, 4 hcalls, 0 mismatches"
	# A pipe (read once: the first pass is kept in memory) ...
	run_sh "cat '$FIX/trace_small.log' | \"\$CLI\" replay -"
	want_status 0
	want_re out "^<stdin>: strict, 9 lines, 4 hcalls, 0 mismatches"
	# ... or spooled to a temporary file once it is larger than allowed,
	xz <"$FIX/trace_small.log" >t.xz
	run_sh "cat t.xz | PPCVIRT_REPLAY_KEEP_MAX=100 \"\$CLI\" replay -"
	want_status 0
	want_re out "^<stdin>: strict, 9 lines, 4 hcalls, 0 mismatches"
	# and a regular file is read again instead.
	run_sh "PPCVIRT_REPLAY_KEEP_MAX=100 \"\$CLI\" replay t.xz"
	want_status 0
	want_re out "^t.xz: strict, 9 lines, 4 hcalls, 0 mismatches"
	run_in "$FIX/one_mismatch.hcs" replay --kind=script -
	want_status 1
	want_line err "<stdin>:7: mismatch: put: ret expected -4 (H_PARAMETER), got 0 (H_SUCCESS)"
	run replay - -
	want_status 2
	want_line err "ppcvirt replay: error: standard input ('-') named twice"
	run_sh "cat '$FIX/one_mismatch.tlbs' | \"\$CLI\" tlb replay --save=s.bin -"
	want_status 1
	want_line out "<stdin>: 4 statements, 2 checks, 1 mismatch"
	run_sh "cat s.bin | \"\$CLI\" tlb dump -"
	want_status 0
	want_re out "^<stdin>: e500mc, TLB0 512 entries 4-way"
	want_re out "^TLB1\[0\] +V EA 0x00000000 PA 0x000000000 +16M TID 0 +TS 0 SRWX URWX -----$"
	run_in s.bin tlb dump -
	want_status 0
}

# File names are bytes: invalid UTF-8 and control characters.
case_json_names() {
	name=$(printf 'bad\377\001\033[31m.hcs')
	cp "$FIX/one_mismatch.hcs" "$name"
	# In JSON: valid UTF-8; invalid bytes as the text \xNN, control
	# characters as JSON escapes.
	run replay --json "$name"
	want_status 1
	want_json "files/0/file=$(printf 'bad\\xff\001\033[31m.hcs')" \
		files/#=1 mismatches=1 files/0/mismatch_details/0/line=7
	want_line err 'bad\xff\x01\x1b[31m.hcs:7: mismatch: put: ret expected -4 (H_PARAMETER), got 0 (H_SUCCESS)'
	want_clean
	# On a terminal: escaped, everywhere.
	run replay "$name"
	want_re out '^bad\\xff\\x01\\x1b\[31m\.hcs: strict, 8 lines'
	want_clean
	tname=$(printf 'x\377\n.tlbs')
	cp "$FIX/one_mismatch.tlbs" "$tname"
	run tlb replay --json --save="$tname.bin" "$tname"
	want_status 1
	want_json "file=x\\xff
.tlbs" mismatches=1 mismatch_details/0/line=6 "saved=x\\xff
.tlbs.bin"
	want_clean
	run tlb dump --json "$tname.bin"
	want_status 0
	want_json tlb0/entries=512 entries/0/tlb=1 entries/0/page_bytes=16777216
	run replay --json /nonexistent/"$name"
	want_status 2
	want_json files/0/error/message="cannot open: No such file or directory"
	want_clean
}

case_json_one_document() {
	run replay --json "$FIX/one_mismatch.hcs" "$FIX/trace_small.log"
	want_status 1
	want_json files/#=2 file_count=2 mismatches=1 errors=0 status=1 \
		files/0/mismatch_details/#=1 files/0/mismatch_details/0/line=7 \
		files/0/mismatch_details/0/event=put \
		files/0/mismatch_details/0/what=ret \
		files/0/mismatch_details/0/want=-4 \
		files/0/mismatch_details/0/got=0 \
		files/1/lines_per_s? files/1/seconds? files/1/error=null
	run replay --json --max-report=0 "$FIX/one_mismatch.hcs"
	want_json files/0/mismatch_details/#=0 files/0/mismatch_details_omitted=1
	run replay --json-lines "$FIX/one_mismatch.hcs" "$FIX/trace_small.log"
	want_status 1
	want_json_lines '#=3' 0/type=file 1/type=file -1/type=summary -1/mismatches=1
	run replay --json --json-lines x
	want_status 2
	run bench dma --quick --size 1500,9000 --json
	want_status 0
	want_json results/#=20 packet_sizes_bytes/#=2 configs/#=10 \
		results/0/config=memcpy results/0/packet_bytes=1500 \
		results/10/packet_bytes=9000 results/0/mb_per_s? \
		results/19/config=fast-multitce-2vcpu
	run bench dma --quick --size 1500,9000 --json-lines
	want_status 0
	want_json_lines '#=20' 0/type=result 0/mb_per_s? -1/packet_bytes=9000
	run bench hcall --quick --json
	want_status 0
	want_json put_tce_ns_per_call? indirect512_ns_per_entry? exits=0
	run bench tlb --quick --json
	want_status 0
	want_json translate_hit_ns_per_lookup? wrong_results=0 rounds=11
	# Errors still give one document, with the error in it.
	run tlb dump --json /dev/zero
	want_status 2
	want_json file=/dev/zero status=2 \
		"error/message=not a saved TLB array (no PCVTLB magic)"
	run tlb replay --json /nonexistent
	want_status 2
	want_json status=2 "error/message=cannot open: No such file or directory"
	run version --json
	want_status 0
	want_json version?
	run caps --json
	want_status 0
	# KVM_CAP_SPAPR_TCE is 63 in <linux/kvm.h>.
	want_json capabilities/0/name=KVM_CAP_SPAPR_TCE capabilities/0/number=63
}

case_escape_script_error() {
	printf 'mem 0 0x100000\n\033[31mbogus\\ 1\n' >esc.hcs
	run replay esc.hcs
	want_status 2
	want_line err "esc.hcs:2: error: unknown statement '\\x1b[31mbogus\\\\'"
	want_clean
	run replay --json esc.hcs
	want_json "files/0/error/message=unknown statement '\\x1b[31mbogus\\\\'" \
		files/0/error/line=2
	printf 'geometry e500mc\n\033[31mbogus\001 1\n' >esc.tlbs
	run tlb replay esc.tlbs
	want_status 2
	want_re err '^esc\.tlbs:2: error: .*\\x1b\[31mbogus\\x01'
	want_clean
}

# Issue 8, item 4b: hostile inputs are refused early, with bounded memory.
case_bounded_reads() {
	if [ -n "${PPCVIRT_TEST_NO_VMLIMIT:-}" ]; then
		limit=:   # sanitizers reserve terabytes of address space
	else
		limit='ulimit -v 262144' # 256 MiB
	fi
	run_sh "$limit; timeout 60 \"\$CLI\" tlb dump /dev/zero"
	want_status 2
	want_line err "/dev/zero: error: not a saved TLB array (no PCVTLB magic)"
	run_sh "$limit; cat /dev/zero | timeout 60 \"\$CLI\" tlb dump -"
	want_status 2
	run_sh "$limit; timeout 60 \"\$CLI\" tlb replay /dev/zero"
	want_status 2
	want_line err "/dev/zero:1: error: NUL byte: not a TLB script"
	run_sh "$limit; timeout 60 \"\$CLI\" replay /dev/zero"
	want_status 2
	want_line err "/dev/zero:1: error: line longer than 8192 bytes"
	run_sh "$limit; cat /dev/zero | timeout 60 \"\$CLI\" replay -"
	want_status 2
	# A header announcing more than any geometry, and a short file.
	printf 'PCVTLB\000\001\001\000\000\000\001\000\000\000\377\377\377\377\100\000\000\000\004\000\000\000\100\000\000\000\030\000\000\000\077\000\000\000' >huge.bin
	run_sh "$limit; \"\$CLI\" tlb dump huge.bin"
	want_status 2
	want_re err "^huge.bin: error: header announces 63 entries for TLB sizes 4294967295 \+ 64"
	run tlb replay --save=s.bin "$FIX/one_mismatch.tlbs"
	head -c 1000 s.bin >short.bin
	run tlb dump short.bin
	want_status 2
	want_re err "^short.bin: error: 1000 bytes, but the header announces 576 entries"
	run_sh "cat short.bin | \"\$CLI\" tlb dump -"
	want_status 2
	want_line err "<stdin>: error: truncated: 960 of 13824 entry bytes"
}

case_progress() {
	command -v script >/dev/null 2>&1 || { echo "no script(1)"; exit 77; }
	# On a terminal: one self-overwriting line, erased at the end.
	script -qec "'$CLI' bench dma --quick --size 1500 >/dev/null" /dev/null >tty.out 2>&1
	grep -q "${CR}bench dma: 1500 bytes (1/1), round " tty.out && ok ||
		bad "no progress line on a terminal"
	tail -c 4 tty.out | od -c | grep -q '\\r 033   \[   K' && ok ||
		bad "progress line not erased at the end"
	script -qec "'$CLI' bench dma --quick --quiet --size 1500 >/dev/null" /dev/null >tty.out 2>&1
	grep -q "$CR" tty.out && bad "progress despite --quiet" || ok
	# Not a terminal: nothing.
	run bench dma --quick --size 1500
	want_status 0
	want_clean
}

case_bench_table() {
	run bench dma --quick --size 1500,9000
	want_status 0
	want_line out "DMA workload, MB/s per configuration and packet size (same run)"
	want_re out '^  config +1500 B +9000 B$'
	want_re out '^  memcpy +[0-9]+\.[0-9] +[0-9]+\.[0-9]$'
	want_re out '^  fast-multitce-2vcpu +[0-9]+\.[0-9] +[0-9]+\.[0-9]$'
	[ "$(grep -c ' B' out)" = 1 ] && ok || bad "more than one table"
}

case_plot() {
	run bench dma --plot=x.pdf
	want_status 2
	want_line err "ppcvirt bench dma: error: --plot: 'x.pdf' must end in .svg or .png"
	LAST="PATH=/nonexistent ppcvirt bench dma --plot x.svg"
	PATH=/nonexistent "$CLI" bench dma --quick --plot x.svg >out 2>err
	STATUS=$?
	want_status 2
	want_re err "^ppcvirt bench dma: error: --plot needs gnuplot"
	[ ! -e x.svg ] && ok || bad "x.svg created without gnuplot"
	command -v gnuplot >/dev/null 2>&1 || { echo "no gnuplot"; exit 77; }
	run bench dma --quick --size 1500,9000 --plot=x.svg
	want_status 0
	grep -q '<svg' x.svg && ok || bad "x.svg is not SVG"
	run bench dma --quick --size 4096 --plot x.PNG --json
	want_status 0
	want_json results/#=10
	[ "$(head -c 4 x.PNG | od -An -c | tr -d ' ')" = '211PNG' ] && ok ||
		bad "x.PNG is not PNG"
}

case_checkpoint_options() {
	hcs=$FIX/one_mismatch.hcs
	run replay --checkpoint-every 0 "$hcs"
	want_status 2
	want_re err "^ppcvirt replay: error: --checkpoint-every: '0' is not a number from 1"
	run replay --save-at 3 "$hcs"
	want_status 2
	want_line err "ppcvirt replay: error: --save-at and --state go together"
	run replay --state s.st "$hcs"
	want_status 2
	run replay --save-at 3 --state s.st "$hcs" "$hcs"
	want_status 2
	want_line err "ppcvirt replay: error: --save-at, --resume and --trace-out take one FILE"
	run replay --backend kvm --checkpoint-every 5 "$hcs"
	want_status 2
	want_line err "ppcvirt replay: error: checkpoints need the engine back end"
	run_in "$hcs" replay --resume - -
	want_status 2
	run replay --trace-out /nonexistent/dir/t.log "$hcs"
	want_status 2
	want_re err "^/nonexistent/dir/t.log: error: cannot create: "
	# The script has one mismatch (line 7): checkpoints do not hide it,
	# and --json counts them (3 hcalls, one checkpoint after each).
	run replay --json --checkpoint-every 1 "$hcs"
	want_status 1
	want_json files/0/mismatches=1 files/0/checkpoints=3 \
		files/0/checkpoint_bytes? files/0/resumed_at_line=null
	# Saved after line 7 (the mismatch), resumed: the mismatch is counted
	# once, in the first run, and carried by the state.
	run replay --save-at 7 --state s.st "$hcs"
	want_status 1
	[ -s s.st ] && ok || bad "no state written"
	run replay --json --resume s.st "$hcs"
	want_status 1
	want_json files/0/mismatches=1 files/0/resumed_at_line=7
	run tlb replay --checkpoint-every 0 "$FIX/one_mismatch.tlbs"
	want_status 2
	want_re err "^ppcvirt tlb replay: error: --checkpoint-every: '0' is not a number from 1"
	run tlb replay --json --checkpoint-every 1 "$FIX/one_mismatch.tlbs"
	want_status 1
	want_json mismatches=1 checkpoints?
	# A state file that is not one.
	printf 'hello' >junk.st
	run replay --resume junk.st "$hcs"
	want_status 2
	want_re err "error: state: "
}

# bench migrate, smoke-sized: the figures vary, the checks do not judge
# speed. What is fixed: the QEMU-style full copy is a 20-byte header and 8
# bytes an entry for each table (2^16 + 2^12 entries with --quick); the
# passes together send the first pass's full copy and three 1% rewrites,
# under 1.5 copies; 1000 lone entries cost a 16-byte run header and 8 bytes
# each in either sparse window.
case_bench_migrate() {
	run bench migrate --quick --json
	want_status 0
	want_json bench=migrate quick=true verified=true profile=strict \
		passes=4 pass_bytes/#=4 pass_entries/#=4 \
		ddw_entries=65536 default_entries=4096 sparse_entries=1000 \
		bytes_full_copy=557096 'bytes_total>557096' \
		'bytes_total<835644' targets/bytes_ratio/met=true \
		'downtime_ms>0' 'finish_ms>0' 'final_load_ms>0' \
		'qemu_style_downtime_ms>0' 'downtime_ratio>0' \
		'load_mb_s>0' 'memcpy_mb_s>0' 'memcpy_fresh_mb_s>0' \
		'sparse_2e40_bytes>24000' 'sparse_2e40_bytes<32768' \
		'sparse_2e50_bytes>24000' 'sparse_2e50_bytes<32768' \
		'sparse_2e40_save_ms>0' 'sparse_2e50_save_ms>0' \
		targets/downtime_ratio/met? targets/load_fraction_of_memcpy/met?
	want_empty err
	run bench migrate --quick --rounds=1 --json-lines
	want_status 0
	want_json_lines '#=1' 0/rounds=1 0/verified=true
	run bench migrate --quick --rounds 1
	want_status 0
	want_re out '^  downtime +[0-9]+\.[0-9]{3} ms \(finish '
	want_re out '^  (PASS|FAIL) downtime / QEMU-style '
	want_clean
	for r in 0 101 x; do
		run bench migrate --rounds=$r
		want_status 2
		want_line err "ppcvirt bench migrate: error: --rounds: '$r' is not a number from 1 to 100"
	done
}

case_man() {
	command -v scdoc >/dev/null 2>&1 || { echo "no scdoc"; exit 77; }
	scdoc <"$SRC/man/ppcvirt.1.scd" >man.1 2>err && ok || bad "scdoc: $(cat err)"
	# Every subcommand and option of the help texts is in the manual.
	for opt in --profile --kind --max-report --json-lines --quiet --save \
		--all --size --seconds --plot --quick --checkpoint-every \
		--save-at --state --resume --trace-out --max-size --rounds; do
		grep -q -e "$opt" "$SRC/man/ppcvirt.1.scd" && ok ||
			bad "man page lacks $opt"
	done
}

# ---- state info ---------------------------------------------------------
#
# tests/state/v1.pcvstate is world_init()'s recipe in tests/unit/test_state.c
# (strict profile, saved in one piece), and what follows derives from that
# recipe and the stream format: a 32-byte header; each section a 16-byte
# header, its payload and an 8-byte checksum; then the end section (a
# 16-byte payload). The sections, in the order the format ranks them:
#   0 vm (32 bytes) at 32, 1 memory (one slot: 8 + 16) at 88, 2 regions
#   (one range) at 136, then per table its TABLE section (32 bytes) and
#   one RUNS section (16 + 24 per run of one entry: no two entries of a
#   table are adjacent): 3 table 0x80000100 at 184 and 4 its 40 runs
#   (976 bytes) at 240, 5/6 table 0x80000101 (1 entry), 7/8 table
#   0x71000001 (1 entry), 9/10 table 0x90000000 (1000 entries: 24016
#   bytes), 11 phb (48 + 2 windows * 32 = 112 bytes), 12 tlb e500v2 (96 +
#   (512 + 16) * 24 = 12768 bytes), 13 tlb e500mc (96 + 576 * 24 = 13920
#   bytes) at 38504, end at 52448: 52488 bytes, 14 sections before the end.
# The tables are in the VM's order (their creation order in the recipe).

# flip FILE OFFSET: invert bit 0 of the byte at OFFSET.
flip() {
	b=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((b ^ 1)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

case_state_info() {
	run state info "$V1"
	want_status 0
	want_empty err
	want_line out "$V1: ppcvirt state stream, format version 1, checkpoint, 14 sections, 52488 bytes"
	want_re out '^ +0 +32 +32  0x1 +1  vm$'
	want_re out '^ +4 +240 +976  0x9 +1  runs$'
	want_re out '^ +13 +38504 +13920  0x8 +1  tlb$'
	# PHB 1's default window: 16 MiB of 4 KiB pages at 0 (dma_win_size);
	# the created one: 2^26 bytes of 64 KiB pages at 1 << 59.
	want_line out "  LIOBN 0x80000100: 4K pages, bus offset 0x0, 4096 entries (16M window), 40 non-zero entries"
	want_line out "  LIOBN 0x80000101: 64K pages, bus offset 0x800000000000000, 1024 entries (64M window), 1 non-zero entry"
	want_line out "  LIOBN 0x71000001: 64K pages, bus offset 0x30000, 100 entries (6400K window), VMM-only, 1 non-zero entry"
	want_line out "  LIOBN 0x90000000: 4K pages, bus offset 0x0, 268435456 entries (1T window), 1000 non-zero entries"
	want_line out "  PHB 1: BUID 0x800000020000001, 2 windows supported"
	want_line out "    window 0: LIOBN 0x80000100, enabled, default, 4K pages, bus offset 0x0, 4096 entries (16M)"
	want_line out "    window 1: LIOBN 0x80000101, enabled, 64K pages, bus offset 0x800000000000000, 1024 entries (64M)"
	# world_tlb(): eight TLB0 entries (sets 0..7) and one in TLB1.
	want_line out "  TLB 0: e500v2, TLB0 512 entries 4-way (8 valid), TLB1 16 entries (1 valid)"
	want_line out "  TLB 1: e500mc, TLB0 512 entries 4-way (8 valid), TLB1 64 entries (1 valid)"
	want_clean
	run state info --json "$V1"
	want_status 0
	want_json "file=$V1" status=0 error=null format_version=1 \
		kind=checkpoint full=true pass=0 migration_id=0 bytes=52488 \
		section_count=14 sections/#=14 sections_omitted=0 \
		sections/0/name=vm sections/0/id=1 sections/0/offset=32 \
		sections/0/length=32 sections/0/version=1 \
		sections/3/name=table sections/3/offset=184 \
		sections/4/name=runs sections/4/offset=240 sections/4/length=976 \
		sections/11/name=phb sections/11/id=7 sections/11/length=112 \
		sections/12/name=tlb sections/12/length=12768 \
		sections/13/offset=38504 sections/13/length=13920 \
		tables/#=4 tables_omitted=0 \
		tables/0/kind=full tables/0/liobn=$((0x80000100)) \
		tables/0/page_shift=12 tables/0/page_bytes=4096 \
		tables/0/bus_offset=0 tables/0/entries=4096 \
		tables/0/window_bytes=16777216 tables/0/nonzero_entries=40 \
		tables/0/vmm_only=false tables/0/changed_entries=null \
		tables/1/liobn=$((0x80000101)) tables/1/page_shift=16 \
		tables/1/bus_offset=$((1 << 59)) tables/1/entries=1024 \
		tables/1/window_bytes=$((1 << 26)) tables/1/nonzero_entries=1 \
		tables/2/liobn=$((0x71000001)) tables/2/offset_pages=3 \
		tables/2/bus_offset=$((3 << 16)) tables/2/entries=100 \
		tables/2/window_bytes=$((100 << 16)) tables/2/vmm_only=true \
		tables/2/flags=$((0x80000000)) tables/2/nonzero_entries=1 \
		tables/3/liobn=$((0x90000000)) tables/3/entries=$((1 << 28)) \
		tables/3/window_bytes=$((1 << 40)) tables/3/nonzero_entries=1000 \
		phbs/#=1 phbs/0/index=1 phbs/0/buid=$((0x800000020000001)) \
		phbs/0/windows_supported=2 phbs/0/windows/#=2 \
		phbs/0/windows/0/liobn=$((0x80000100)) \
		phbs/0/windows/0/enabled=true phbs/0/windows/0/default=true \
		phbs/0/windows/0/page_shift=12 phbs/0/windows/0/bus_offset=0 \
		phbs/0/windows/0/entries=4096 \
		phbs/0/windows/0/window_bytes=16777216 \
		phbs/0/windows/1/liobn=$((0x80000101)) \
		phbs/0/windows/1/enabled=true phbs/0/windows/1/default=false \
		phbs/0/windows/1/page_bytes=65536 \
		phbs/0/windows/1/bus_offset=$((1 << 59)) \
		phbs/0/windows/1/entries=1024 \
		tlbs/#=2 tlbs/0/core=e500v2 tlbs/0/tlb0/entries=512 \
		tlbs/0/tlb0/ways=4 tlbs/0/tlb0/valid=8 tlbs/0/tlb1/entries=16 \
		tlbs/0/tlb1/valid=1 tlbs/0/valid_entries=9 \
		tlbs/1/core=e500mc tlbs/1/tlb1/entries=64 tlbs/1/tlb1/ways=64 \
		tlbs/1/valid_entries=9
}

# A corrupt stream: status 1, the first bad section named, nothing on
# standard output but the JSON document.
case_state_corrupt() {
	head -c 1000 "$V1" >trunc.pcvstate
	run state info trunc.pcvstate
	want_status 1
	want_line err "trunc.pcvstate: error: section 4 (runs) at offset 240: length 976 runs past the end of the stream"
	want_empty out
	run state info --json trunc.pcvstate
	want_status 1
	want_json file=trunc.pcvstate status=1 error/line=null \
		"error/message=section 4 (runs) at offset 240: length 976 runs past the end of the stream"
	# A bit of section 4's payload (240 + 16 .. 240 + 16 + 976).
	cp "$V1" flip.pcvstate
	flip flip.pcvstate 300
	run state info flip.pcvstate
	want_status 1
	want_line err "flip.pcvstate: error: section 4 (runs) at offset 240: checksum mismatch"
	want_empty out
	# A bit of the last byte: the end section's own checksum.
	cp "$V1" end.pcvstate
	flip end.pcvstate 52487
	run state info end.pcvstate
	want_status 1
	want_line err "end.pcvstate: error: section 14 (end) at offset 52448: checksum mismatch"
	# The format version (header bytes 8..11): 1 -> 0 is no version.
	cp "$V1" ver.pcvstate
	flip ver.pcvstate 8
	run state info ver.pcvstate
	want_status 1
	want_re err "^ver.pcvstate: error: header: stream format version 0, "
	# Anything after the end section.
	{ cat "$V1"; printf x; } >tail.pcvstate
	run state info tail.pcvstate
	want_status 1
	want_line err "tail.pcvstate: error: 1 bytes after the end section"
	# A truncated magic is a truncated stream.
	head -c 5 "$V1" >five.pcvstate
	run state info five.pcvstate
	want_status 1
	want_re err "^five.pcvstate: error: .*truncated"
}

case_state_inputs() {
	: >empty.pcvstate
	for f in empty.pcvstate /dev/null; do
		run state info "$f"
		want_status 2
		want_line err "$f: error: empty: not a ppcvirt state stream"
		want_empty out
	done
	cp "$FIX/one_mismatch.hcs" script.hcs
	run state info script.hcs
	want_status 2
	want_line err "script.hcs: error: not a ppcvirt state stream (no PPCVSTAT magic)"
	run state info --json script.hcs
	want_status 2
	want_json file=script.hcs status=2 \
		"error/message=not a ppcvirt state stream (no PPCVSTAT magic)"
	run state info --json /nonexistent/x.pcvstate
	want_status 2
	want_line err "/nonexistent/x.pcvstate: error: cannot open: No such file or directory"
	want_json status=2 "error/message=cannot open: No such file or directory"
	run state info .
	want_status 2
	want_line err ".: error: is a directory"
	# Standard input: redirected from a file, and a pipe.
	run_in "$V1" state info -
	want_status 0
	want_line out "<stdin>: ppcvirt state stream, format version 1, checkpoint, 14 sections, 52488 bytes"
	run_sh "cat '$V1' | \"\$CLI\" state info --json -"
	want_status 0
	want_json 'file=<stdin>' bytes=52488 tables/#=4 tlbs/#=2
	head -c 1000 "$V1" >trunc.pcvstate
	run_sh "cat trunc.pcvstate | \"\$CLI\" state info -"
	want_status 1
	want_line err "<stdin>: error: section 4 (runs) at offset 240: length 976 runs past the end of the stream"
	run state info - -
	want_status 2
	want_line err "ppcvirt state info: error: one FILE at a time ('-' is extra)"
	# File names are bytes: escaped in text, valid UTF-8 in JSON.
	name=$(printf 'st\377\001\033[31m.pcvstate')
	cp "$V1" "$name"
	run state info "$name"
	want_status 0
	want_re out '^st\\xff\\x01\\x1b\[31m\.pcvstate: ppcvirt state stream, '
	want_clean
	run state info --json "$name"
	want_json "file=$(printf 'st\\xff\001\033[31m.pcvstate')"
	head -c 1000 "$V1" >"$name"
	run state info "$name"
	want_status 1
	want_line err 'st\xff\x01\x1b[31m.pcvstate: error: section 4 (runs) at offset 240: length 976 runs past the end of the stream'
	want_clean
}

# Hostile sizes: refused before or while reading, with bounded memory.
case_state_bounded() {
	if [ -n "${PPCVIRT_TEST_NO_VMLIMIT:-}" ]; then
		limit=:
	else
		limit='ulimit -v 262144' # 256 MiB
	fi
	run_sh "$limit; timeout 60 \"\$CLI\" state info /dev/zero"
	want_status 2
	want_line err "/dev/zero: error: not a ppcvirt state stream (no PPCVSTAT magic)"
	run_sh "$limit; cat /dev/zero | timeout 60 \"\$CLI\" state info -"
	want_status 2
	# A stream's start, then no end: the bound stops the read.
	run_sh "$limit; { cat '$V1'; cat /dev/zero; } | timeout 60 \"\$CLI\" state info --max-size=1048576 -"
	want_status 2
	want_line err "<stdin>: error: larger than --max-size (1048576)"
	# A regular file larger than the bound is refused from its size.
	run state info --max-size=52487 "$V1"
	want_status 2
	want_line err "$V1: error: 52488 bytes: larger than --max-size (52487)"
	run state info --max-size 52488 "$V1"
	want_status 0
	run state info --max-size=31 "$V1"
	want_status 2
	want_re err "^ppcvirt state info: error: --max-size: '31' is not a number from 32 to "
	run state info -m x "$V1"
	want_status 2
	# At most 10000 entries per list (man page); the rest are counted.
	[ -n "$STATEGEN" ] || { echo "no state_gen"; exit 77; }
	"$STATEGEN" blobs 10001 blobs.pcvstate && ok || bad "state_gen blobs failed"
	run state info blobs.pcvstate
	want_status 0
	want_line out "blobs.pcvstate: ppcvirt state stream, format version 1, checkpoint, 10001 sections, $((32 + 10001 * 24 + 40)) bytes"
	want_re out '^ +9999 +240008 +0  0x8000 +1  user$'
	want_line out "  ... 1 more section not listed"
	run state info --json blobs.pcvstate
	want_json section_count=10001 sections/#=10000 sections_omitted=1 \
		sections/-1/name=user sections/-1/id=32768 tables/#=0
}

# tests/cli/state_gen.c's migration recipe, pass by pass.
case_state_migration() {
	[ -n "$STATEGEN" ] || { echo "no state_gen"; exit 77; }
	"$STATEGEN" migration p1.pcvstate p2.pcvstate && ok || bad "state_gen migration failed"
	run state info p1.pcvstate
	want_status 0
	want_re out '^p1\.pcvstate: ppcvirt state stream, format version 1, migration 0x[0-9a-f]+ pass 1 \(full\), 7 sections, '
	want_line out "  LIOBN 0x42: 4K pages, bus offset 0x0, 16 entries (64K window), 3 non-zero entries"
	want_line out "  LIOBN 0x43: 64K pages, bus offset 0x20000, 8 entries (512K window), VMM-only, 1 non-zero entry"
	want_no out '^(phbs|tlbs):'
	id1=$(sed -n 's/.* migration \(0x[0-9a-f]*\) pass .*/\1/p' out)
	run state info --json p1.pcvstate
	want_json kind=migration pass=1 full=true tables/#=2 phbs/#=0 tlbs/#=0
	want_no out '"migration_id": 0,'
	run state info p2.pcvstate
	want_status 0
	want_re out '^p2\.pcvstate: ppcvirt state stream, format version 1, migration 0x[0-9a-f]+ pass 2 \(changes\), '
	id2=$(sed -n 's/.* migration \(0x[0-9a-f]*\) pass .*/\1/p' out)
	[ -n "$id1" ] && [ "$id1" = "$id2" ] && ok || bad "migration ids '$id1' and '$id2'"
	# Entry 1 cleared and entry 5 set: two entries sent, zeros included.
	want_line out "  LIOBN 0x42: changes, 2 entries sent"
	want_line out "  LIOBN 0x43: removed"
	want_line out "  LIOBN 0x44: 4K pages, bus offset 0x100000, 4 entries (16K window), 1 non-zero entry"
	# In stream order: the removed table, then the VM's tables.
	run state info --json p2.pcvstate
	want_json kind=migration pass=2 full=false tables/#=3 \
		tables/0/kind=gone tables/0/liobn=$((0x43)) \
		tables/0/entries=null tables/0/nonzero_entries=null \
		tables/1/kind=diff tables/1/liobn=$((0x42)) \
		tables/1/changed_entries=2 tables/1/nonzero_entries=null \
		tables/1/page_shift=null tables/1/window_bytes=null \
		tables/2/kind=full tables/2/liobn=$((0x44)) \
		tables/2/bus_offset=$((0x100000)) tables/2/entries=4 \
		tables/2/nonzero_entries=1 tables/2/changed_entries=null
}

"case_$CASE"
echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
