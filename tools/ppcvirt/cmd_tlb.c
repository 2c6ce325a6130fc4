/* SPDX-License-Identifier: MIT */
/*
 * `ppcvirt tlb`: BookE e500 TLB tools.
 *
 *   tlb replay [OPTION...] SCRIPT.tlbs
 *       run a TLB script through ppcvirt_tlb_script_run(), print every
 *       mismatch and a summary; exit 0 only when nothing mismatched, 1 on
 *       mismatches, 2 on a malformed script or an I/O error.
 *   tlb dump [--all] [--json] FILE
 *       print a saved TLB array (written by replay --save).
 *
 * Saved-array file format (all fields little-endian, 40-byte header):
 *   0  char[8]  magic "PCVTLB\0\1"
 *   8  u32      format version (1)
 *   12 u32      core (0 = e500v2, 1 = e500mc)
 *   16 u32[2]   tlb_sizes[0..1]
 *   24 u32[2]   tlb_ways[0..1]
 *   32 u32      entry size (24)
 *   36 u32      entry count (tlb_sizes[0] + tlb_sizes[1])
 *   40 entries  mas8 u32, mas1 u32, mas2 u64, mas7_3 u64, in array order
 * A dump reads the header first and then exactly the entries it
 * announces (at most 2048 + 64, the largest geometry the library
 * accepts), so a hostile or endless input costs at most that much memory
 * and is refused as soon as it disagrees with the format. The library
 * then re-validates the geometry and every entry.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#include "cli.h"
#include "cmds.h"
#include "tlb_script.h"

#define SAVE_MAGIC  "PCVTLB\0\1"
#define SAVE_HDR    40
#define ENTRY_BYTES 24
/* The largest geometry ppcvirt_tlb_set_geometry() accepts (booke.h). */
#define MAX_ENTRIES (2048 + 64)
/* A TLB script is hand-written or generated text: 64 MiB is over a
 * million statements, and the bound for what is read into memory. */
#define SCRIPT_MAX     (64u << 20)
#define MAX_REPORT_MAX 100000

static void usage_replay(void)
{
	fputs("usage: ppcvirt tlb replay [OPTION...] SCRIPT.tlbs\n"
	      "\n"
	      "Run a BookE e500 TLB script (docs/booke.md) and check its "
	      "expected results.\n"
	      "SCRIPT '-' is standard input.\n"
	      "\n"
	      "  -s, --save=FILE      write the final TLB array to FILE (see "
	      "'tlb dump')\n"
	      "  -c, --checkpoint-every=N\n"
	      "                       every N statements, save the TLB to a "
	      "state stream,\n"
	      "                       destroy it and go on with a new TLB "
	      "loaded from it\n"
	      "  -m, --max-report=N   report at most N mismatches (default "
	      "20, at most 100000)\n"
	      "  -q, --quiet          do not list mismatches\n"
	      "  -j, --json           one JSON document on stdout\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Exit status: 0 when nothing mismatched, 1 on mismatches, 2 for "
	      "usage, I/O or\n"
	      "format errors (a malformed statement stops the script).\n",
	      stdout);
}

static void usage_dump(void)
{
	fputs("usage: ppcvirt tlb dump [OPTION...] FILE\n"
	      "\n"
	      "Print a TLB array saved by 'ppcvirt tlb replay --save' after "
	      "validating it\n"
	      "through the library. FILE '-' is standard input.\n"
	      "\n"
	      "  -a, --all    every entry, not only the valid ones\n"
	      "  -j, --json   one JSON document on stdout\n"
	      "  -h, --help   this help\n"
	      "\n"
	      "Exit status: 0 on success, 2 for usage, I/O or format "
	      "errors.\n",
	      stdout);
}

static void usage_tlb(void)
{
	fputs("usage: ppcvirt tlb replay [OPTION...] SCRIPT.tlbs\n"
	      "       ppcvirt tlb dump [OPTION...] FILE\n"
	      "\n"
	      "replay  run a BookE TLB script and check its expected results\n"
	      "dump    print a TLB array saved with 'replay --save'\n"
	      "\n"
	      "'ppcvirt tlb replay --help', 'ppcvirt tlb dump --help' list "
	      "the options.\n",
	      stdout);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static int save_tlb(const struct ppcvirt_tlb *tlb, const char *path)
{
	struct ppcvirt_book3e_206_tlb_params g;
	struct ppcvirt_book3e_206_tlb_entry *e;
	uint32_t n = ppcvirt_tlb_entry_count(tlb);
	uint8_t hdr[SAVE_HDR], rec[ENTRY_BYTES];
	FILE *f;
	int r = 0;

	e = calloc(n ? n : 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	ppcvirt_tlb_geometry(tlb, &g);
	ppcvirt_tlb_read_all(tlb, e, n);
	memcpy(hdr, SAVE_MAGIC, 8);
	put32(hdr + 8, 1);
	put32(hdr + 12, (uint32_t)ppcvirt_tlb_core(tlb));
	put32(hdr + 16, g.tlb_sizes[0]);
	put32(hdr + 20, g.tlb_sizes[1]);
	put32(hdr + 24, g.tlb_ways[0]);
	put32(hdr + 28, g.tlb_ways[1]);
	put32(hdr + 32, ENTRY_BYTES);
	put32(hdr + 36, n);
	f = fopen(path, "wb");
	if (!f) {
		r = -errno;
		free(e);
		return r;
	}
	if (fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr))
		r = -EIO;
	for (uint32_t i = 0; i < n && !r; i++) {
		put32(rec, e[i].mas8);
		put32(rec + 4, e[i].mas1);
		put64(rec + 8, e[i].mas2);
		put64(rec + 16, e[i].mas7_3);
		if (fwrite(rec, 1, sizeof(rec), f) != sizeof(rec))
			r = -EIO;
	}
	if (fclose(f) != 0 && !r)
		r = -EIO;
	free(e);
	return r;
}

struct report_ctx {
	const char *file;
	bool quiet;
	uint64_t seen, max;
	json_object *details;
};

static void report(void *opaque, unsigned line, const char *msg)
{
	struct report_ctx *c = opaque;

	if (++c->seen > c->max)
		return;
	/* The engine may quote script bytes: escape them (cli.h). */
	if (!c->quiet)
		cli_report(c->file, line, "mismatch", "%s", cli_esc_text(msg));
	if (c->details) {
		json_object *d = json_object_new_object();

		cli_json_add(d, "line", json_object_new_uint64(line));
		cli_json_add(d, "message", cli_json_str(cli_esc_text(msg)));
		json_object_array_add(c->details, d);
	}
}

static int tlb_replay(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"save", required_argument, NULL, 's'},
		{"checkpoint-every", required_argument, NULL, 'c'},
		{"max-report", required_argument, NULL, 'm'},
		{"quiet", no_argument, NULL, 'q'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ppcvirt_tlb_script_result res;
	struct report_ctx ctx = {.max = 20};
	struct ppcvirt_tlb_script_opts so = {.report = report, .opaque = &ctx};
	uint64_t every = 0;
	struct ppcvirt_tlb *tlb = NULL;
	enum cli_json_mode json = CLI_JSON_NONE;
	const char *save = NULL, *error = NULL;
	uint64_t error_line = 0;
	struct cli_in in;
	char *text, errbuf[1200];
	size_t len;
	double t0 = 0;
	int c, r, status;

	optind = 0;
	while ((c = cli_getopt("tlb replay", argc, argv, ":s:c:m:qjh",
			       lopts)) != -1) {
		switch (c) {
		case 's':
			if (!*optarg || !strcmp(optarg, "-"))
				return cli_usage_error(
					"tlb replay",
					"--save needs a file name");
			save = optarg;
			break;
		case 'c':
			if (!cli_parse_u64(optarg, UINT32_MAX, &every) ||
			    !every)
				return cli_usage_error(
					"tlb replay",
					"--checkpoint-every: '%s' is not a "
					"number from 1",
					cli_esc(optarg));
			so.checkpoint_every = (uint32_t)every;
			break;
		case 'm':
			if (!cli_parse_u64(optarg, MAX_REPORT_MAX, &ctx.max))
				return cli_usage_error(
					"tlb replay",
					"--max-report: '%s' is not a number "
					"from 0 to %d",
					cli_esc(optarg), MAX_REPORT_MAX);
			break;
		case 'q':
			ctx.quiet = true;
			break;
		case 'j':
			json = CLI_JSON_DOC;
			break;
		case 'h':
			usage_replay();
			return CLI_OK;
		default:
			return CLI_ERROR;
		}
	}
	if (optind >= argc)
		return cli_usage_error("tlb replay", "no SCRIPT given");
	if (optind + 1 < argc)
		return cli_usage_error("tlb replay",
				       "one SCRIPT at a time ('%s' is extra)",
				       cli_esc(argv[optind + 1]));
	memset(&res, 0, sizeof(res));
	if (json)
		ctx.details = json_object_new_array();
	r = cli_in_open(&in, argv[optind]);
	if (r == CLI_OK) {
		r = cli_read_all(&in, SCRIPT_MAX, true, "TLB script", &text,
				 &len);
		cli_in_close(&in);
	}
	ctx.file = in.name;
	if (r != CLI_OK) {
		/* Reported; JSON still gets its one document. */
		if (!json)
			return CLI_ERROR;
		error = in.error;
		error_line = in.error_line;
		goto out;
	}
	t0 = cli_now();
	r = ppcvirt_tlb_script_exec(&so, text, len, &res, save ? &tlb : NULL);
	t0 = cli_now() - t0;
	free(text);
	if (r) {
		/* "line N: why", possibly quoting script bytes raw. */
		snprintf(errbuf, sizeof(errbuf), "%s",
			 cli_esc_text(res.error[0]
					      ? cli_after_line_prefix(res.error)
					      : strerror(-r)));
		error = errbuf;
		error_line = res.error_line;
		cli_error(in.name, error_line, "%s", error);
	} else if (save) {
		r = save_tlb(tlb, save);
		ppcvirt_tlb_destroy(tlb);
		if (r) {
			snprintf(errbuf, sizeof(errbuf),
				 "--save: cannot write: %s", strerror(-r));
			cli_error(save, 0, "cannot write: %s", strerror(-r));
			error = errbuf;
		}
	}
	if (ctx.seen > ctx.max && !ctx.quiet)
		cli_report(in.name, 0, "note", "%s not shown (--max-report)",
			   cli_count(ctx.seen - ctx.max, "more mismatch",
				     "more mismatches"));
out:
	status = error ? CLI_ERROR : res.mismatches ? CLI_FAIL : CLI_OK;
	if (json) {
		json_object *o = json_object_new_object();
		uint64_t shown = ctx.seen < ctx.max ? ctx.seen : ctx.max;

		cli_json_add(o, "file", cli_json_str(in.name));
		cli_json_add(o, "status", json_object_new_int(status));
		cli_json_add(o, "statements",
			     json_object_new_uint64(res.statements));
		cli_json_add(o, "checks", json_object_new_uint64(res.checks));
		cli_json_add(o, "mismatches",
			     json_object_new_uint64(res.mismatches));
		cli_json_add(o, "mismatch_details", ctx.details);
		cli_json_add(o, "mismatch_details_omitted",
			     json_object_new_uint64(res.mismatches - shown));
		cli_json_add(o, "checkpoints",
			     json_object_new_uint64(res.checkpoints));
		cli_json_add(o, "checkpoint_bytes",
			     json_object_new_uint64(res.checkpoint_bytes));
		cli_json_add(o, "seconds", cli_json_num(t0, 6));
		cli_json_add(o, "saved",
			     save && !error ? cli_json_str(save) : NULL);
		if (error) {
			json_object *e = json_object_new_object();

			cli_json_add(
				e, "line",
				error_line ? json_object_new_uint64(error_line)
					   : NULL);
			cli_json_add(e, "message", cli_json_str(error));
			cli_json_add(o, "error", e);
		} else {
			cli_json_add(o, "error", NULL);
		}
		cli_json_print(o, json);
	} else {
		if (every && !error)
			printf("%s: %s, %llu bytes of state\n",
			       cli_esc(in.name),
			       cli_count(res.checkpoints, "checkpoint",
					 "checkpoints"),
			       (unsigned long long)res.checkpoint_bytes);
		printf("%s: %s, %s, %s%s\n", cli_esc(in.name),
		       cli_count(res.statements, "statement", "statements"),
		       cli_count(res.checks, "check", "checks"),
		       cli_count(res.mismatches, "mismatch", "mismatches"),
		       error ? ", FAILED" : "");
	}
	return status;
}

static void size_name(char *buf, size_t len, uint64_t bytes)
{
	static const char unit[] = "KMGT";
	int u = 0;

	bytes >>= 10;
	while (bytes >= 1024 && u < 3) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, len, "%llu%c", (unsigned long long)bytes, unit[u]);
}

static uint64_t entry_bytes(unsigned tlbsel,
			    const struct ppcvirt_book3e_206_tlb_entry *e)
{
	return tlbsel ? 1024ull << ((e->mas1 >> 7) & 0x1f) : 4096;
}

static void perm_string(char out[12],
			const struct ppcvirt_book3e_206_tlb_entry *e)
{
	uint32_t m3 = (uint32_t)e->mas7_3;

	snprintf(out, 12, "S%c%c%c U%c%c%c", m3 & PPCVIRT_MAS3_SR ? 'R' : '-',
		 m3 & PPCVIRT_MAS3_SW ? 'W' : '-',
		 m3 & PPCVIRT_MAS3_SX ? 'X' : '-',
		 m3 & PPCVIRT_MAS3_UR ? 'R' : '-',
		 m3 & PPCVIRT_MAS3_UW ? 'W' : '-',
		 m3 & PPCVIRT_MAS3_UX ? 'X' : '-');
}

static void wimge_string(char out[6],
			 const struct ppcvirt_book3e_206_tlb_entry *e)
{
	snprintf(out, 6, "%c%c%c%c%c", e->mas2 & 0x10 ? 'W' : '-',
		 e->mas2 & 0x08 ? 'I' : '-', e->mas2 & 0x04 ? 'M' : '-',
		 e->mas2 & 0x02 ? 'G' : '-', e->mas2 & 0x01 ? 'E' : '-');
}

static void print_entry(const struct ppcvirt_book3e_206_tlb_params *g,
			unsigned tlbsel, uint32_t index,
			const struct ppcvirt_book3e_206_tlb_entry *e)
{
	uint64_t size = entry_bytes(tlbsel, e), mask = ~(size - 1);
	char sz[16], where[64], perm[12], wimge[6];

	if (tlbsel == 0)
		snprintf(where, sizeof(where), "TLB0[%u] set %u way %u", index,
			 index / g->tlb_ways[0], index % g->tlb_ways[0]);
	else
		snprintf(where, sizeof(where), "TLB1[%u]", index);
	size_name(sz, sizeof(sz), size);
	perm_string(perm, e);
	wimge_string(wimge, e);
	printf("%-24s %c EA 0x%08llx PA 0x%09llx %5s TID %-5u TS %u %s %s%s\n",
	       where, (e->mas1 & PPCVIRT_MAS1_V) ? 'V' : '-',
	       (unsigned long long)(e->mas2 & mask & 0xffffffffull),
	       (unsigned long long)(e->mas7_3 & mask), sz,
	       (e->mas1 >> 16) & 0x3fff, (e->mas1 >> 12) & 1, perm, wimge,
	       (e->mas1 & PPCVIRT_MAS1_IPROT) ? " IPROT" : "");
}

static json_object *hex_json(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_object_new_string(buf);
}

static json_object *entry_json(const struct ppcvirt_book3e_206_tlb_params *g,
			       unsigned tlbsel, uint32_t index,
			       const struct ppcvirt_book3e_206_tlb_entry *e)
{
	json_object *o = json_object_new_object();
	uint64_t size = entry_bytes(tlbsel, e), mask = ~(size - 1);
	char perm[12], wimge[6];

	perm_string(perm, e);
	wimge_string(wimge, e);
	cli_json_add(o, "tlb", json_object_new_int((int)tlbsel));
	cli_json_add(o, "index", json_object_new_uint64(index));
	if (tlbsel == 0) {
		cli_json_add(o, "set",
			     json_object_new_uint64(index / g->tlb_ways[0]));
		cli_json_add(o, "way",
			     json_object_new_uint64(index % g->tlb_ways[0]));
	}
	cli_json_add(o, "valid",
		     json_object_new_boolean(!!(e->mas1 & PPCVIRT_MAS1_V)));
	cli_json_add(o, "ea",
		     json_object_new_uint64(e->mas2 & mask & 0xffffffffull));
	cli_json_add(o, "pa", json_object_new_uint64(e->mas7_3 & mask));
	cli_json_add(o, "page_bytes", json_object_new_uint64(size));
	cli_json_add(o, "tid",
		     json_object_new_uint64((e->mas1 >> 16) & 0x3fff));
	cli_json_add(o, "ts", json_object_new_uint64((e->mas1 >> 12) & 1));
	cli_json_add(o, "perm", json_object_new_string(perm));
	cli_json_add(o, "wimge", json_object_new_string(wimge));
	cli_json_add(o, "iprot",
		     json_object_new_boolean(!!(e->mas1 & PPCVIRT_MAS1_IPROT)));
	cli_json_add(o, "mas1", hex_json(e->mas1));
	cli_json_add(o, "mas2", hex_json(e->mas2));
	cli_json_add(o, "mas7_3", hex_json(e->mas7_3));
	cli_json_add(o, "mas8", hex_json(e->mas8));
	return o;
}

static json_object *tlb_json(uint32_t entries, uint32_t ways, uint32_t cfg)
{
	json_object *o = json_object_new_object();

	cli_json_add(o, "entries", json_object_new_uint64(entries));
	cli_json_add(o, "ways", json_object_new_uint64(ways));
	cli_json_add(o, "cfg", hex_json(cfg));
	return o;
}

/* Read the saved array of @in: header first, then what it announces. */
static int read_saved(struct cli_in *in, uint32_t *core,
		      struct ppcvirt_book3e_206_tlb_params *g,
		      struct ppcvirt_book3e_206_tlb_entry **ep, uint32_t *np)
{
	uint8_t hdr[SAVE_HDR], *raw, extra;
	struct ppcvirt_book3e_206_tlb_entry *e;
	uint32_t n;
	long got;

	got = cli_read_full(in->fd, hdr, sizeof(hdr));
	if (got < 0) {
		cli_in_error(in, 0, "read error: %s", strerror((int)-got));
		return CLI_ERROR;
	}
	if ((size_t)got < 8 || memcmp(hdr, SAVE_MAGIC, 8)) {
		cli_in_error(in, 0, "not a saved TLB array (no PCVTLB magic)");
		return CLI_ERROR;
	}
	if ((size_t)got < sizeof(hdr)) {
		cli_in_error(in, 0, "truncated: %ld of the %d header bytes",
			     got, SAVE_HDR);
		return CLI_ERROR;
	}
	if (get32(hdr + 8) != 1 || get32(hdr + 32) != ENTRY_BYTES) {
		cli_in_error(in, 0,
			     "unsupported saved TLB array (version %u, entry "
			     "size %u; this ppcvirt reads version 1, size %d)",
			     get32(hdr + 8), get32(hdr + 32), ENTRY_BYTES);
		return CLI_ERROR;
	}
	*core = get32(hdr + 12);
	memset(g, 0, sizeof(*g));
	g->tlb_sizes[0] = get32(hdr + 16);
	g->tlb_sizes[1] = get32(hdr + 20);
	g->tlb_ways[0] = get32(hdr + 24);
	g->tlb_ways[1] = get32(hdr + 28);
	n = get32(hdr + 36);
	if ((uint64_t)g->tlb_sizes[0] + g->tlb_sizes[1] != n ||
	    n > MAX_ENTRIES) {
		cli_in_error(
			in, 0,
			"header announces %u entries for TLB sizes %u + %u "
			"(at most %d)",
			n, g->tlb_sizes[0], g->tlb_sizes[1], MAX_ENTRIES);
		return CLI_ERROR;
	}
	if (in->regular && in->size != SAVE_HDR + (uint64_t)n * ENTRY_BYTES) {
		cli_in_error(in, 0,
			     "%llu bytes, but the header announces %u entries "
			     "(%llu bytes)",
			     (unsigned long long)in->size, n,
			     (unsigned long long)(SAVE_HDR +
						  (uint64_t)n * ENTRY_BYTES));
		return CLI_ERROR;
	}
	raw = malloc((size_t)n * ENTRY_BYTES + 1);
	e = calloc(n ? n : 1, sizeof(*e));
	if (!raw || !e) {
		free(raw);
		free(e);
		cli_in_error(in, 0, "out of memory");
		return CLI_ERROR;
	}
	got = cli_read_full(in->fd, raw, (size_t)n * ENTRY_BYTES);
	if (got >= 0 && (size_t)got == (size_t)n * ENTRY_BYTES)
		got = cli_read_full(in->fd, &extra, 1) == 0 ? got : -EFBIG;
	if (got < 0 || (size_t)got != (size_t)n * ENTRY_BYTES) {
		if (got == -EFBIG)
			cli_in_error(in, 0,
				     "data after the %u entries the header "
				     "announces",
				     n);
		else if (got < 0)
			cli_in_error(in, 0, "read error: %s",
				     strerror((int)-got));
		else
			cli_in_error(in, 0, "truncated: %ld of %u entry bytes",
				     got, n * ENTRY_BYTES);
		free(raw);
		free(e);
		return CLI_ERROR;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *q = raw + (size_t)i * ENTRY_BYTES;

		e[i].mas8 = get32(q);
		e[i].mas1 = get32(q + 4);
		e[i].mas2 = get64(q + 8);
		e[i].mas7_3 = get64(q + 16);
	}
	free(raw);
	*ep = e;
	*np = n;
	return CLI_OK;
}

static int tlb_dump(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"all", no_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ppcvirt_book3e_206_tlb_params g;
	struct ppcvirt_book3e_206_tlb_entry *e = NULL;
	struct ppcvirt_tlb *tlb = NULL;
	enum cli_json_mode json = CLI_JSON_NONE;
	json_object *o = NULL, *list = NULL;
	struct cli_in in;
	bool all = false;
	uint32_t n = 0, core = 0;
	int c, r, rc = CLI_ERROR;

	optind = 0;
	while ((c = cli_getopt("tlb dump", argc, argv, ":ajh", lopts)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'j':
			json = CLI_JSON_DOC;
			break;
		case 'h':
			usage_dump();
			return CLI_OK;
		default:
			return CLI_ERROR;
		}
	}
	if (optind >= argc)
		return cli_usage_error("tlb dump", "no FILE given");
	if (optind + 1 < argc)
		return cli_usage_error("tlb dump",
				       "one FILE at a time ('%s' is extra)",
				       cli_esc(argv[optind + 1]));
	r = cli_in_open(&in, argv[optind]);
	if (r == CLI_OK) {
		r = read_saved(&in, &core, &g, &e, &n);
		cli_in_close(&in);
	}
	if (r != CLI_OK)
		goto out;
	r = ppcvirt_tlb_create((enum ppcvirt_booke_core)core, &tlb);
	if (r) {
		cli_in_error(&in, 0, "unknown core %u (0 = e500v2, 1 = e500mc)",
			     core);
		goto out;
	}
	r = ppcvirt_tlb_set_geometry(tlb, &g);
	if (r) {
		cli_in_error(&in, 0, "invalid geometry: %s",
			     cli_esc_text(ppcvirt_tlb_last_error(tlb)));
		goto out;
	}
	r = ppcvirt_tlb_write_all(tlb, e, n);
	if (r) {
		cli_in_error(&in, 0, "invalid entry: %s",
			     cli_esc_text(ppcvirt_tlb_last_error(tlb)));
		goto out;
	}
	if (json) {
		o = json_object_new_object();
		list = json_object_new_array();
		cli_json_add(o, "file", cli_json_str(in.name));
		cli_json_add(o, "status", json_object_new_int(CLI_OK));
		cli_json_add(o, "error", NULL);
		cli_json_add(
			o, "core",
			json_object_new_string(core ? "e500mc" : "e500v2"));
		cli_json_add(o, "tlb0",
			     tlb_json(g.tlb_sizes[0], g.tlb_ways[0],
				      ppcvirt_tlb_cfg_reg(tlb, 0)));
		cli_json_add(o, "tlb1",
			     tlb_json(g.tlb_sizes[1], g.tlb_ways[1],
				      ppcvirt_tlb_cfg_reg(tlb, 1)));
		cli_json_add(o, "entries", list);
	} else {
		printf("%s: %s, TLB0 %u entries %u-way (TLB0CFG 0x%08x), TLB1 "
		       "%u entries (TLB1CFG 0x%08x)\n",
		       cli_esc(in.name), core ? "e500mc" : "e500v2",
		       g.tlb_sizes[0], g.tlb_ways[0],
		       ppcvirt_tlb_cfg_reg(tlb, 0), g.tlb_sizes[1],
		       ppcvirt_tlb_cfg_reg(tlb, 1));
	}
	for (uint32_t i = 0; i < n; i++) {
		unsigned sel = i >= g.tlb_sizes[0];
		uint32_t idx = sel ? i - g.tlb_sizes[0] : i;

		if (!all && !(e[i].mas1 & PPCVIRT_MAS1_V))
			continue;
		if (json)
			json_object_array_add(list,
					      entry_json(&g, sel, idx, &e[i]));
		else
			print_entry(&g, sel, idx, &e[i]);
	}
	if (json)
		cli_json_print(o, json);
	rc = CLI_OK;
out:
	if (rc != CLI_OK && json) {
		/* Reported on stderr; stdout still gets its one document. */
		json_object *err = json_object_new_object();

		o = json_object_new_object();
		cli_json_add(o, "file", cli_json_str(in.name));
		cli_json_add(o, "status", json_object_new_int(rc));
		cli_json_add(err, "line",
			     in.error_line
				     ? json_object_new_uint64(in.error_line)
				     : NULL);
		cli_json_add(err, "message", cli_json_str(in.error));
		cli_json_add(o, "error", err);
		cli_json_print(o, json);
	}
	free(e);
	ppcvirt_tlb_destroy(tlb);
	return rc;
}

int cmd_tlb(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub)
		return cli_usage_error("tlb", "no subcommand (replay or dump)");
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") ||
	    !strcmp(sub, "help")) {
		usage_tlb();
		return CLI_OK;
	}
	if (!strcmp(sub, "replay"))
		return tlb_replay(argc - 1, argv + 1);
	if (!strcmp(sub, "dump"))
		return tlb_dump(argc - 1, argv + 1);
	return cli_unknown_word("tlb", "subcommand", sub);
}
