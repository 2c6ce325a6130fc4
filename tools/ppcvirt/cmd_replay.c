/* SPDX-License-Identifier: MIT */
/*
 * ppcvirt replay: run QEMU TCE traces (.log, .log.xz) and hcall scripts
 * (.hcs) through the replay engine of the tools library (tools/lib/replay.h)
 * and report every disagreement.
 *
 * Files are streamed: read(2) in fixed-size chunks, .xz (recognised by
 * its magic bytes) decoded through liblzma with a bounded decoder memory,
 * so memory stays bounded whatever the file size. A trace needs two
 * passes. The decoded text of the first pass is kept in memory when it is
 * at most KEEP_MAX bytes (the traces are a few MiB); beyond that, a
 * regular file is read and decoded again, and anything that cannot be
 * read twice (standard input, a pipe, a device) is spooled: the decoded
 * text goes on to an unlinked temporary file in $TMPDIR (or /tmp), which
 * the second pass reads back and which disappears with the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replay.h"

#include "cli.h"
#include "cmds.h"
#include "kvm_runner.h"

#define CHUNK (256 * 1024)
/* PPCVIRT_REPLAY_KEEP_MAX (bytes) lowers it, so tests reach the other
 * paths with small files. */
#define KEEP_MAX (256ULL << 20)
/* xz -9 needs 65 MiB to decode; anything asking for more than this is
 * not a trace compressed with the xz presets. */
#define XZ_MEMLIMIT    (128ULL << 20)
#define MAX_REPORT_MAX 100000
/* Largest state file --resume reads (a replay's state is its tables and
 * the guest pages it wrote: a few MiB for the traces at hand). */
#define STATE_MAX (1ULL << 30)

enum {
	KIND_AUTO = -1,
};

struct opts {
	int profile;
	int kind;
	enum cli_json_mode json;
	bool quiet;
	uint64_t max_report;
	const struct ppcvirt_replay_host *host; /* --backend kvm */
	uint64_t checkpoint_every;
	uint64_t save_at;
	const char *state;  /* --state: where --save-at writes */
	const char *resume; /* --resume: the state to continue from */
	FILE *trace_out;
	const char *trace_path;
};

/* One input file being replayed. */
struct job {
	const struct opts *o;
	struct cli_in in;
	struct ppcvirt_replay *r;
	int kind;
	int pass;	   /* 1 or 2 (traces), 1 (scripts) */
	uint64_t raw_done; /* bytes read from the file in this pass */
	uint64_t text_done, text_total; /* decoded bytes fed, pass 1 total */
	/* the decoded first pass: in memory, else spilled to a file */
	char *keep;
	size_t keep_len, keep_cap;
	bool keep_dropped; /* regular file: read it again instead */
	int spill;	   /* -1, or the spool file */
	/* reporting */
	uint64_t seen; /* mismatches seen by the callback */
	json_object *details;
	char ioerr[256];
	bool printed; /* ioerr was printed where it happened */
};

typedef int (*sink_fn)(struct job *j, const uint8_t *buf, size_t len);

static void progress(struct job *j)
{
	const char *name = cli_esc(j->in.name);

	if (j->pass == 2 && j->text_total)
		cli_progress("%s: replaying, %.0f%%", name,
			     100.0 * (double)j->text_done /
				     (double)j->text_total);
	else if (j->in.regular && j->in.size)
		cli_progress("%s: %s, %.0f%%", name,
			     j->kind == PPCVIRT_REPLAY_TRACE ? "scanning"
							     : "replaying",
			     100.0 * (double)j->raw_done / (double)j->in.size);
	else
		cli_progress("%s: %s, %.1f MiB", name,
			     j->kind == PPCVIRT_REPLAY_TRACE && j->pass == 1
				     ? "scanning"
				     : "replaying",
			     (double)j->raw_done / (1 << 20));
}

static int write_all(int fd, const void *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf = (const char *)buf + n;
		len -= (size_t)n;
	}
	return 0;
}

/* An unlinked temporary file: gone when closed, whatever happens. */
static int spool_open(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/ppcvirt-replay-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unlink(path);
	return fd;
}

static uint64_t keep_max(void)
{
	static uint64_t max;
	const char *env;

	if (!max) {
		env = getenv("PPCVIRT_REPLAY_KEEP_MAX");
		if (!env || !cli_parse_u64(env, KEEP_MAX, &max))
			max = KEEP_MAX;
	}
	return max;
}

/* Keep @len decoded bytes of the first pass for the second. */
static int keep_add(struct job *j, const uint8_t *buf, size_t len)
{
	int ret;

	if (j->keep_dropped)
		return 0;
	if (j->spill >= 0)
		goto spill;
	if (j->keep_len + len <= keep_max()) {
		if (j->keep_len + len > j->keep_cap) {
			size_t cap = j->keep_cap ? j->keep_cap : 4u << 20;
			char *nb;

			while (cap < j->keep_len + len)
				cap *= 2;
			nb = realloc(j->keep, cap);
			if (!nb)
				goto full;
			j->keep = nb;
			j->keep_cap = cap;
		}
		memcpy(j->keep + j->keep_len, buf, len);
		j->keep_len += len;
		return 0;
	}
full:
	if (j->in.regular) {
		/* Cheaper to read the file again than to copy it. */
		j->keep_dropped = true;
		free(j->keep);
		j->keep = NULL;
		j->keep_len = j->keep_cap = 0;
		return 0;
	}
	j->spill = spool_open();
	if (j->spill < 0) {
		snprintf(j->ioerr, sizeof(j->ioerr),
			 "cannot create a temporary file for the second pass: "
			 "%s",
			 strerror(-j->spill));
		return 1;
	}
	ret = write_all(j->spill, j->keep, j->keep_len);
	free(j->keep);
	j->keep = NULL;
	j->keep_len = j->keep_cap = 0;
	if (ret)
		goto err;
spill:
	ret = write_all(j->spill, buf, len);
	if (!ret)
		return 0;
err:
	snprintf(j->ioerr, sizeof(j->ioerr),
		 "cannot write the temporary file for the second pass: %s",
		 strerror(-ret));
	return 1;
}

static int feed(struct job *j, const uint8_t *buf, size_t len)
{
	j->text_done += len;
	return ppcvirt_replay_feed(j->r, buf, len);
}

/* Pass 1 of a trace: keep the text, then feed it. */
static int feed_keep(struct job *j, const uint8_t *buf, size_t len)
{
	int ret = keep_add(j, buf, len);

	return ret ? ret : feed(j, buf, len);
}

static const char *xz_error(lzma_ret lr)
{
	switch (lr) {
	case LZMA_MEMLIMIT_ERROR:
		return "xz: decoding needs more than 128 MiB of memory";
	case LZMA_FORMAT_ERROR:
		return "xz: not in the .xz format";
	case LZMA_OPTIONS_ERROR:
		return "xz: unsupported compression options";
	case LZMA_BUF_ERROR:
		return "xz: truncated file";
	case LZMA_DATA_ERROR:
		return "xz: corrupt data";
	case LZMA_MEM_ERROR:
		return "xz: out of memory";
	default:
		return "xz: decoding failed";
	}
}

/*
 * Stream @fd into @sink, xz-decoded when it starts with the xz magic
 * (unless @plain). Returns 0, a sink error (< 0, recorded in the replay,
 * or 1 from keep_add() with j->ioerr set), or 1 for an I/O or decoding
 * error described in j->ioerr.
 */
static int stream(struct job *j, int fd, bool plain, sink_fn sink)
{
	static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
	uint8_t *in = malloc(CHUNK), *out = malloc(CHUNK);
	lzma_stream zs = LZMA_STREAM_INIT;
	bool xz = false, first = true, done = false;
	int ret = 0;

	j->raw_done = 0;
	if (!in || !out) {
		snprintf(j->ioerr, sizeof(j->ioerr), "out of memory");
		ret = 1;
		goto out;
	}
	while (!done) {
		/* Short only at the end of the input, even from a pipe. */
		long n = cli_read_full(fd, in, CHUNK);
		bool eof = n >= 0 && (size_t)n < CHUNK;

		if (n < 0) {
			snprintf(j->ioerr, sizeof(j->ioerr), "read error: %s",
				 strerror((int)-n));
			ret = 1;
			goto out;
		}
		j->raw_done += (uint64_t)n;
		progress(j);
		if (first) {
			first = false;
			xz = !plain && (size_t)n >= sizeof(xz_magic) &&
			     !memcmp(in, xz_magic, sizeof(xz_magic));
			if (xz &&
			    lzma_stream_decoder(&zs, XZ_MEMLIMIT,
						LZMA_CONCATENATED) != LZMA_OK) {
				snprintf(j->ioerr, sizeof(j->ioerr),
					 "xz: cannot start the decoder");
				xz = false;
				ret = 1;
				goto out;
			}
		}
		if (!xz) {
			if (n > 0 && (ret = sink(j, in, (size_t)n)))
				goto out;
			done = eof;
			continue;
		}
		zs.next_in = in;
		zs.avail_in = (size_t)n;
		for (;;) {
			lzma_ret lr;

			zs.next_out = out;
			zs.avail_out = CHUNK;
			lr = lzma_code(&zs, eof ? LZMA_FINISH : LZMA_RUN);
			if (CHUNK - zs.avail_out &&
			    (ret = sink(j, out, CHUNK - zs.avail_out)))
				goto out;
			if (lr == LZMA_STREAM_END) {
				done = true;
				break;
			}
			if (lr != LZMA_OK) {
				snprintf(j->ioerr, sizeof(j->ioerr), "%s",
					 xz_error(lr));
				ret = 1;
				goto out;
			}
			/* More input needed. At the end, go on until the
			 * decoder ends the stream or calls it truncated. */
			if (!eof && !zs.avail_in && zs.avail_out)
				break;
		}
	}
out:
	if (xz)
		lzma_end(&zs);
	free(in);
	free(out);
	return ret;
}

static void on_mismatch(void *opaque, const struct ppcvirt_replay_mismatch *m)
{
	struct job *j = opaque;
	const char *msg = cli_after_line_prefix(m->text);

	if (++j->seen > j->o->max_report)
		return;
	if (!j->o->quiet)
		cli_report(j->in.name, m->line, "mismatch", "%s", msg);
	if (j->details) {
		json_object *d = json_object_new_object();
		bool ret = !strcmp(m->what, "ret");

		cli_json_add(d, "line", json_object_new_uint64(m->line));
		cli_json_add(d, "event", cli_json_str(m->event));
		cli_json_add(d, "what", cli_json_str(m->what));
		cli_json_add(d, "want",
			     ret ? json_object_new_int64((int64_t)m->want)
				 : json_object_new_uint64(m->want));
		cli_json_add(d, "got",
			     ret ? json_object_new_int64((int64_t)m->got)
				 : json_object_new_uint64(m->got));
		cli_json_add(d, "message", cli_json_str(cli_esc_text(msg)));
		json_object_array_add(j->details, d);
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* The second pass of a trace, from wherever the first pass left it. */
static int second_pass(struct job *j)
{
	j->pass = 2;
	j->text_total = j->text_done;
	j->text_done = 0;
	if (j->spill >= 0) {
		if (lseek(j->spill, 0, SEEK_SET) != 0) {
			snprintf(j->ioerr, sizeof(j->ioerr),
				 "cannot read the temporary file back: %s",
				 strerror(errno));
			return 1;
		}
		return stream(j, j->spill, true, feed);
	}
	if (j->keep_dropped) {
		if (lseek(j->in.fd, j->in.start, SEEK_SET) < 0) {
			snprintf(j->ioerr, sizeof(j->ioerr),
				 "cannot read the file again: %s",
				 strerror(errno));
			return 1;
		}
		return stream(j, j->in.fd, false, feed);
	}
	for (size_t off = 0; off < j->keep_len; off += CHUNK) {
		size_t n =
			j->keep_len - off < CHUNK ? j->keep_len - off : CHUNK;
		int ret = feed(j, (const uint8_t *)j->keep + off, n);

		if (ret)
			return ret;
		progress(j);
	}
	return 0;
}

struct totals {
	uint64_t files, hcalls, lines, mismatches, errors;
	json_object *files_json;
};

static const char *profile_name(int profile)
{
	return profile == PPCVIRT_PROFILE_QEMU ? "qemu" : "strict";
}

static json_object *file_json(const struct job *j,
			      const struct ppcvirt_replay_result *res,
			      double secs, const char *error,
			      uint64_t error_line, int status)
{
	json_object *f = json_object_new_object();
	uint64_t shown =
		j->seen < j->o->max_report ? j->seen : j->o->max_report;

	if (j->o->json == CLI_JSON_LINES)
		cli_json_add(f, "type", json_object_new_string("file"));
	cli_json_add(f, "file", cli_json_str(j->in.name));
	cli_json_add(f, "kind",
		     json_object_new_string(j->kind == PPCVIRT_REPLAY_SCRIPT
						    ? "script"
						    : "trace"));
	cli_json_add(f, "profile",
		     json_object_new_string(profile_name(res->profile)));
	cli_json_add(f, "status", json_object_new_int(status));
	cli_json_add(f, "lines", json_object_new_uint64(res->lines));
	cli_json_add(f, "hcalls", json_object_new_uint64(res->hcalls));
	cli_json_add(f, "mismatches", json_object_new_uint64(res->mismatches));
	cli_json_add(f, "gets_checked",
		     json_object_new_uint64(res->gets_checked));
	cli_json_add(f, "xlates_checked",
		     json_object_new_uint64(res->xlates_checked));
	cli_json_add(f, "rtas_checked",
		     json_object_new_uint64(res->rtas_checked));
	cli_json_add(f, "ignored_lines", json_object_new_uint64(res->ignored));
	cli_json_add(f, "checkpoints",
		     json_object_new_uint64(res->checkpoints));
	cli_json_add(f, "checkpoint_bytes",
		     json_object_new_uint64(res->checkpoint_bytes));
	cli_json_add(f, "resumed_at_line",
		     res->resumed_at ? json_object_new_uint64(res->resumed_at)
				     : NULL);
	cli_json_add(f, "saved_at_line",
		     j->o->save_at && !error
			     ? json_object_new_uint64(j->o->save_at)
			     : NULL);
	cli_json_add(f, "seconds", cli_json_num(secs, 6));
	cli_json_add(f, "lines_per_s",
		     cli_json_num(secs > 0 ? (double)res->lines / secs : 0, 0));
	cli_json_add(f, "mismatch_details", json_object_get(j->details));
	cli_json_add(f, "mismatch_details_omitted",
		     json_object_new_uint64(res->mismatches > shown
						    ? res->mismatches - shown
						    : 0));
	if (error) {
		json_object *e = json_object_new_object();

		cli_json_add(e, "line",
			     error_line ? json_object_new_uint64(error_line)
					: NULL);
		cli_json_add(e, "message", cli_json_str(error));
		cli_json_add(f, "error", e);
	} else {
		cli_json_add(f, "error", NULL);
	}
	return f;
}

/* --trace-out: the VM's events as QEMU's log backend prints them. */
static void on_trace(void *opaque, const struct ppcvirt_trace *ev)
{
	char line[256];

	if (ppcvirt_trace_format(ev, line, sizeof(line)) > 0)
		fprintf(opaque, "%s\n", line);
}

struct state_out {
	int fd;
	int err;
};

static int state_write(void *opaque, const void *buf, size_t len)
{
	struct state_out *s = opaque;

	s->err = write_all(s->fd, buf, len);
	return s->err;
}

/* --save-at: the state goes to a temporary file in FILE's directory,
 * renamed over FILE once complete, so FILE is never half-written. */
static int save_state(struct job *j, const char *path)
{
	char tmp[4096];
	struct state_out so = {.fd = -1};
	struct ppcvirt_state_sink sink = {state_write, &so};
	mode_t mask;
	int ret, n;

	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(j->ioerr, sizeof(j->ioerr), "--state: path too long");
		return 1;
	}
	so.fd = mkostemp(tmp, O_CLOEXEC);
	if (so.fd < 0) {
		snprintf(j->ioerr, sizeof(j->ioerr), "--state %s: %s",
			 cli_esc(path), strerror(errno));
		return 1;
	}
	/* mkostemp() makes it 0600; a saved state is an ordinary file. */
	mask = umask(0);
	umask(mask);
	ret = fchmod(so.fd, 0666 & ~mask) ? -errno : 0;
	if (!ret)
		ret = ppcvirt_replay_save(j->r, &sink);
	if (!ret && fsync(so.fd))
		ret = -errno;
	if (close(so.fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		snprintf(j->ioerr, sizeof(j->ioerr),
			 "--state %s: cannot save: %s", cli_esc(path),
			 so.err ? strerror(-so.err) : strerror(-ret));
		return 1;
	}
	return 0;
}

/* --resume: read the state (bounded) and hand it to the replay. Returns
 * 0, 1 for a file error (printed; j->ioerr), or the engine's -errno (in
 * the replay's result). */
static int resume_state(struct job *j, const char *path)
{
	struct cli_in in;
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if (cli_in_open(&in, path) != CLI_OK ||
	    cli_read_all(&in, STATE_MAX, false, "state", &buf, &len) !=
		    CLI_OK) {
		snprintf(j->ioerr, sizeof(j->ioerr), "--resume: %.200s",
			 in.error);
		j->printed = true;
		cli_in_close(&in);
		return 1;
	}
	cli_in_close(&in);
	ret = ppcvirt_replay_resume(j->r, buf, len);
	free(buf);
	return ret;
}

/* Replay one file; returns its exit status. */
static int replay_file(const char *path, const struct opts *o, struct totals *t)
{
	struct ppcvirt_replay_config cfg = {
		.profile = o->profile,
		.on_mismatch = on_mismatch,
		.host = o->host,
		.checkpoint_every = o->checkpoint_every,
		.stop_after = o->save_at,
		.flags = o->resume ? PPCVIRT_REPLAY_STATEFUL : 0,
		.trace = o->trace_out ? on_trace : NULL,
		.trace_opaque = o->trace_out,
	};
	struct ppcvirt_replay_result res;
	struct job j = {.o = o, .spill = -1};
	const char *error = NULL;
	uint64_t error_line = 0;
	double t0 = cli_now(), secs;
	int ret, io = 0, status;

	memset(&res, 0, sizeof(res));
	res.profile = o->profile == PPCVIRT_PROFILE_QEMU
			      ? o->profile
			      : PPCVIRT_PROFILE_STRICT;
	t->files++;
	j.kind = o->kind != KIND_AUTO	   ? o->kind
		 : ends_with(path, ".hcs") ? PPCVIRT_REPLAY_SCRIPT
					   : PPCVIRT_REPLAY_TRACE;
	if (o->json)
		j.details = json_object_new_array();
	if (cli_in_open(&j.in, path) != CLI_OK) {
		/* cli_in_open() printed why; JSON still gets the file. */
		error = j.in.error;
		status = CLI_ERROR;
		secs = 0;
		goto report;
	}
	cfg.kind = (enum ppcvirt_replay_kind)j.kind;
	cfg.opaque = &j;
	ret = ppcvirt_replay_create(&cfg, &j.r);
	if (ret) {
		snprintf(j.ioerr, sizeof(j.ioerr), "cannot start replay: %s",
			 strerror(-ret));
		io = 1;
	} else {
		j.pass = 1;
		/* A script resumes before its input, a trace after its scan
		 * pass (the rewind builds what the scan found). */
		if (j.kind == PPCVIRT_REPLAY_SCRIPT && o->resume)
			io = resume_state(&j, o->resume);
		if (io == 0)
			io = stream(&j, j.in.fd, false,
				    j.kind == PPCVIRT_REPLAY_TRACE ? feed_keep
								   : feed);
		if (io == 0 && j.kind == PPCVIRT_REPLAY_TRACE &&
		    ppcvirt_replay_rewind(j.r) == 0) {
			if (o->resume)
				io = resume_state(&j, o->resume);
			if (io == 0)
				io = second_pass(&j);
		}
		ppcvirt_replay_finish(j.r, &res);
		if (io <= 0 && !res.error && o->save_at)
			io = save_state(&j, o->state);
		ppcvirt_replay_destroy(j.r);
	}
	cli_progress_clear();
	free(j.keep);
	if (j.spill >= 0)
		close(j.spill);
	cli_in_close(&j.in);
	secs = cli_now() - t0;

	if (io > 0) {
		error = j.ioerr;
		if (!j.printed)
			cli_error(j.in.name, 0, "%s", error);
	} else if (res.error) {
		/* The engine's texts are printable (replay.h). */
		error = res.error_text;
		error_line = res.error_line;
		cli_error(j.in.name, error_line, "%s", error);
	}
	if (j.seen > o->max_report && !o->quiet)
		cli_report(j.in.name, 0, "note", "%s not shown (--max-report)",
			   cli_count(j.seen - o->max_report, "more mismatch",
				     "more mismatches"));
	status = error ? CLI_ERROR : res.mismatches ? CLI_FAIL : CLI_OK;
	if (!o->json && o->checkpoint_every && !error)
		printf("%s: %s, %llu bytes of state\n", cli_esc(j.in.name),
		       cli_count(res.checkpoints, "checkpoint", "checkpoints"),
		       (unsigned long long)res.checkpoint_bytes);
	if (!o->json && res.resumed_at)
		printf("%s: resumed after line %llu\n", cli_esc(j.in.name),
		       (unsigned long long)res.resumed_at);
	if (!o->json && o->save_at && !error)
		printf("%s: state after line %llu saved to %s\n",
		       cli_esc(j.in.name), (unsigned long long)o->save_at,
		       cli_esc(o->state));
	if (!o->json)
		printf("%s: %s, %s, %s, %s, %s, %s, %s, %.3f s (%.0f "
		       "lines/s)%s\n",
		       cli_esc(j.in.name), profile_name(res.profile),
		       cli_count(res.lines, "line", "lines"),
		       cli_count(res.hcalls, "hcall", "hcalls"),
		       cli_count(res.mismatches, "mismatch", "mismatches"),
		       cli_count(res.gets_checked, "get checked",
				 "gets checked"),
		       cli_count(res.xlates_checked, "xlate checked",
				 "xlates checked"),
		       cli_count(res.rtas_checked, "rtas call checked",
				 "rtas calls checked"),
		       secs, secs > 0 ? (double)res.lines / secs : 0.0,
		       error ? ", FAILED" : "");
report:
	t->hcalls += res.hcalls;
	t->lines += res.lines;
	t->mismatches += res.mismatches;
	t->errors += error != NULL;
	if (o->json) {
		json_object *f =
			file_json(&j, &res, secs, error, error_line, status);

		if (o->json == CLI_JSON_LINES)
			cli_json_print(f, o->json);
		else
			json_object_array_add(t->files_json, f);
	}
	json_object_put(j.details);
	return status;
}

static void usage(void)
{
	fputs("usage: ppcvirt replay [OPTION...] FILE...\n"
	      "\n"
	      "Replay QEMU TCE traces (-trace 'spapr_iommu_*' logs, plain or "
	      ".xz) and hcall\n"
	      "scripts (.hcs) through libppcvirt and compare every return "
	      "code, H_GET_TCE\n"
	      "value, DMA translation and DDW RTAS result with the expected "
	      "one. FILE '-' is\n"
	      "standard input.\n"
	      "\n"
	      "  -p, --profile=qemu|strict  semantics (default: a script's own "
	      "'profile'\n"
	      "                             statement, else strict; an "
	      "explicit --profile\n"
	      "                             overrides the script)\n"
	      "  -k, --kind=auto|trace|script\n"
	      "                             what the files are (auto: *.hcs "
	      "is a script,\n"
	      "                             anything else, '-' included, a "
	      "trace)\n"
	      "  -m, --max-report=N         report at most N mismatches per "
	      "file (default 20,\n"
	      "                             at most 100000)\n"
	      "  -q, --quiet                no mismatch list, no progress "
	      "line\n"
	      "  -b, --backend=engine|kvm   engine (default): ppcvirt's own "
	      "tiers; kvm: a KVM\n"
	      "                             VM of this POWER host, each hcall "
	      "issued by a real\n"
	      "                             vCPU, completed by the kernel or, "
	      "when it exits,\n"
	      "                             by ppcvirt (docs/kvm.md)\n"
	      "      --kvm-user-multitce    with --backend kvm: keep "
	      "H_PUT_TCE_INDIRECT and\n"
	      "                             H_STUFF_TCE out of the kernel\n"
	      "  -c, --checkpoint-every=N   every N hypercalls, save the "
	      "whole state, destroy\n"
	      "                             the VM and go on in a new one "
	      "loaded from it\n"
	      "      --save-at=LINE         stop after LINE (of the replayed "
	      "pass) and write\n"
	      "                             the state to --state=FILE (one "
	      "input only)\n"
	      "      --state=FILE           where --save-at writes the "
	      "state\n"
	      "      --resume=FILE          continue from a state --save-at "
	      "wrote, in this\n"
	      "                             process, with the same input "
	      "(checked)\n"
	      "      --trace-out=FILE       write the VM's trace events in "
	      "QEMU's log format\n"
	      "                             (a trace 'ppcvirt replay' "
	      "replays; one input)\n"
	      "  -j, --json                 one JSON document on stdout: "
	      "{\"files\": [...], ...}\n"
	      "      --json-lines           one JSON object per line: each "
	      "file as it ends,\n"
	      "                             then {\"type\": \"summary\", ...}\n"
	      "  -h, --help                 this help\n"
	      "\n"
	      "Exit status: 0 when every file replayed without mismatch, 1 "
	      "when something\n"
	      "mismatched, 2 for usage, I/O or format errors (the highest "
	      "over all files),\n"
	      "and when --backend kvm cannot run on this host.\n"
	      "An input without a single trace event or statement is an "
	      "error.\n"
	      "Formats: docs/replay.md.\n",
	      stdout);
}

enum {
	OPT_JSON_LINES = 256,
	OPT_KVM_USER_MULTITCE,
	OPT_SAVE_AT,
	OPT_STATE,
	OPT_RESUME,
	OPT_TRACE_OUT,
};

int cmd_replay(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"profile", required_argument, NULL, 'p'},
		{"kind", required_argument, NULL, 'k'},
		{"json", no_argument, NULL, 'j'},
		{"json-lines", no_argument, NULL, OPT_JSON_LINES},
		{"quiet", no_argument, NULL, 'q'},
		{"max-report", required_argument, NULL, 'm'},
		{"backend", required_argument, NULL, 'b'},
		{"kvm-user-multitce", no_argument, NULL, OPT_KVM_USER_MULTITCE},
		{"checkpoint-every", required_argument, NULL, 'c'},
		{"save-at", required_argument, NULL, OPT_SAVE_AT},
		{"state", required_argument, NULL, OPT_STATE},
		{"resume", required_argument, NULL, OPT_RESUME},
		{"trace-out", required_argument, NULL, OPT_TRACE_OUT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {
		.profile = PPCVIRT_REPLAY_PROFILE_AUTO,
		.kind = KIND_AUTO,
		.max_report = 20,
	};
	struct totals t = {0};
	struct kvm_runner *kvm = NULL;
	uint32_t kvm_flags = 0;
	bool use_kvm = false;
	double t0 = cli_now();
	int c, status = CLI_OK;

	optind = 0;
	while ((c = cli_getopt("replay", argc, argv, ":p:k:jqm:b:c:h",
			       lopts)) != -1) {
		switch (c) {
		case 'p':
			if (!strcmp(optarg, "qemu"))
				o.profile = PPCVIRT_PROFILE_QEMU;
			else if (!strcmp(optarg, "strict"))
				o.profile = PPCVIRT_PROFILE_STRICT;
			else
				return cli_usage_error(
					"replay",
					"unknown profile '%s' (qemu or "
					"strict)",
					cli_esc(optarg));
			break;
		case 'k':
			if (!strcmp(optarg, "auto"))
				o.kind = KIND_AUTO;
			else if (!strcmp(optarg, "trace"))
				o.kind = PPCVIRT_REPLAY_TRACE;
			else if (!strcmp(optarg, "script"))
				o.kind = PPCVIRT_REPLAY_SCRIPT;
			else
				return cli_usage_error(
					"replay",
					"unknown kind '%s' (auto, trace or "
					"script)",
					cli_esc(optarg));
			break;
		case 'j':
		case OPT_JSON_LINES: {
			enum cli_json_mode m =
				c == 'j' ? CLI_JSON_DOC : CLI_JSON_LINES;

			if (o.json && o.json != m)
				return cli_usage_error(
					"replay", "--json and --json-lines "
						  "exclude each other");
			o.json = m;
			break;
		}
		case 'q':
			o.quiet = true;
			break;
		case 'm':
			if (!cli_parse_u64(optarg, MAX_REPORT_MAX,
					   &o.max_report))
				return cli_usage_error(
					"replay",
					"--max-report: '%s' is not a number "
					"from 0 to %d",
					cli_esc(optarg), MAX_REPORT_MAX);
			break;
		case 'b':
			if (strcmp(optarg, "engine") && strcmp(optarg, "kvm"))
				return cli_usage_error(
					"replay",
					"unknown back end '%s' (engine or "
					"kvm)",
					cli_esc(optarg));
			use_kvm = !strcmp(optarg, "kvm");
			break;
		case OPT_KVM_USER_MULTITCE:
			kvm_flags |= PPCVIRT_VM_KVM_USER_MULTITCE;
			break;
		case 'c':
		case OPT_SAVE_AT:
			if (!cli_parse_u64(optarg, UINT64_MAX,
					   c == 'c' ? &o.checkpoint_every
						    : &o.save_at) ||
			    !(c == 'c' ? o.checkpoint_every : o.save_at))
				return cli_usage_error(
					"replay",
					"%s: '%s' is not a number "
					"from 1",
					c == 'c' ? "--checkpoint-every"
						 : "--save-at",
					cli_esc(optarg));
			break;
		case OPT_STATE:
			o.state = optarg;
			break;
		case OPT_RESUME:
			o.resume = optarg;
			break;
		case OPT_TRACE_OUT:
			o.trace_path = optarg;
			break;
		case 'h':
			usage();
			return CLI_OK;
		default:
			return CLI_ERROR;
		}
	}
	if (optind >= argc)
		return cli_usage_error("replay", "no FILE given");
	for (int i = optind; i < argc; i++)
		for (int k = optind; k < i; k++)
			if (!strcmp(argv[i], "-") && !strcmp(argv[k], "-"))
				return cli_usage_error("replay",
						       "standard input ('-') "
						       "named twice");
	if ((o.save_at || o.resume || o.trace_path) && argc - optind != 1)
		return cli_usage_error("replay", "--save-at, --resume and "
						 "--trace-out take one FILE");
	if (o.resume && !strcmp(o.resume, "-") && !strcmp(argv[optind], "-"))
		return cli_usage_error("replay", "standard input ('-') "
						 "named twice");
	if (!o.save_at != !o.state)
		return cli_usage_error("replay", "--save-at and --state go "
						 "together");
	if (use_kvm && (o.save_at || o.resume || o.checkpoint_every))
		return cli_usage_error("replay",
				       "checkpoints need the engine back end");
	if (o.trace_path) {
		o.trace_out = !strcmp(o.trace_path, "-")
				      ? stdout
				      : fopen(o.trace_path, "we");
		if (!o.trace_out) {
			cli_error(o.trace_path, 0, "cannot create: %s",
				  strerror(errno));
			return CLI_ERROR;
		}
	}
	if (use_kvm) {
		if (kvm_runner_open(kvm_flags, &kvm))
			return CLI_ERROR;
		o.host = kvm_runner_host(kvm);
	}
	cli_progress_init(o.quiet);
	if (o.json == CLI_JSON_DOC)
		t.files_json = json_object_new_array();
	for (int i = optind; i < argc; i++) {
		int s = replay_file(argv[i], &o, &t);

		if (s > status)
			status = s;
	}
	kvm_runner_close(kvm);
	if (o.trace_out && o.trace_out != stdout && fclose(o.trace_out) != 0) {
		cli_error(o.trace_path, 0, "write error: %s", strerror(errno));
		status = CLI_ERROR;
	}
	if (o.json) {
		json_object *d = json_object_new_object();

		if (o.json == CLI_JSON_LINES)
			cli_json_add(d, "type",
				     json_object_new_string("summary"));
		else
			cli_json_add(d, "files", t.files_json);
		cli_json_add(d, "file_count", json_object_new_uint64(t.files));
		cli_json_add(d, "lines", json_object_new_uint64(t.lines));
		cli_json_add(d, "hcalls", json_object_new_uint64(t.hcalls));
		cli_json_add(d, "mismatches",
			     json_object_new_uint64(t.mismatches));
		cli_json_add(d, "errors", json_object_new_uint64(t.errors));
		cli_json_add(d, "seconds", cli_json_num(cli_now() - t0, 6));
		cli_json_add(d, "status", json_object_new_int(status));
		cli_json_print(d, o.json);
	} else if (t.files > 1) {
		printf("total: %s, %s, %s, %s\n",
		       cli_count(t.files, "file", "files"),
		       cli_count(t.hcalls, "hcall", "hcalls"),
		       cli_count(t.mismatches, "mismatch", "mismatches"),
		       cli_count(t.errors, "error", "errors"));
	}
	return status;
}
