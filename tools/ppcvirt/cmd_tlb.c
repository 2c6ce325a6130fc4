/* SPDX-License-Identifier: MIT */
/*
 * `ppcvirt tlb`: BookE e500 TLB tools.
 *
 *   tlb replay [--json] [--save FILE] [--quiet] SCRIPT.tlbs
 *       run a TLB script through ppcvirt_tlb_script_run(), print every
 *       mismatch and a summary; exit 0 only when nothing mismatched, 1 on
 *       mismatches, 2 on a malformed script or I/O error (with --json, the
 *       object then carries an "error" member).
 *   tlb dump [--all] FILE
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
 * A dump re-validates the file through the library (geometry and every
 * entry), so a hostile file gives an error, not a crash.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ppcvirt/ppcvirt.h>

#include "cli.h"
#include "cmds.h"
#include "tlb_script.h"

#define SAVE_MAGIC  "PCVTLB\0\1"
#define SAVE_HDR    40
#define ENTRY_BYTES 24

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ppcvirt tlb replay [--json] [--save FILE] [--quiet] "
		"SCRIPT.tlbs\n"
		"       ppcvirt tlb dump [--all] FILE\n"
		"\n"
		"replay  run a BookE TLB script (docs/booke.md) and check its\n"
		"        expected results; exit 0 only when nothing "
		"mismatched\n"
		"        --json   print {\"file\",\"statements\",\"checks\","
		"\"mismatches\",\"seconds\"}\n"
		"        --save   write the final TLB array to FILE\n"
		"        --quiet  do not list mismatches\n"
		"dump    print a saved TLB array (valid entries; --all: every "
		"entry)\n");
}

static int read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 65536, n = 0;
	char *b;

	if (!f)
		return -errno;
	b = malloc(cap);
	while (b) {
		size_t got = fread(b + n, 1, cap - n, f);

		n += got;
		if (n < cap)
			break;
		if (cap > ((size_t)1 << 30)) { /* 1 GiB: refuse */
			free(b);
			fclose(f);
			return -EFBIG;
		}
		cap *= 2;
		char *nb = realloc(b, cap);

		if (!nb)
			free(b);
		b = nb;
	}
	if (!b) {
		fclose(f);
		return -ENOMEM;
	}
	if (ferror(f)) {
		free(b);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
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
};

static void report(void *opaque, unsigned line, const char *msg)
{
	const struct report_ctx *c = opaque;

	if (!c->quiet)
		fprintf(stderr, "%s:%u: mismatch: %s\n", c->file, line, msg);
}

static int tlb_replay(int argc, char **argv)
{
	struct ppcvirt_tlb_script_result res;
	struct report_ctx ctx = {0};
	struct ppcvirt_tlb *tlb = NULL;
	const char *file = NULL, *save = NULL;
	bool json = false;
	char *text;
	size_t len;
	uint64_t t0, t1;
	struct timespec ts;
	int r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--quiet")) {
			ctx.quiet = true;
		} else if (!strcmp(argv[i], "--save") && i + 1 < argc) {
			save = argv[++i];
		} else if (!strcmp(argv[i], "--help") ||
			   !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr,
				"ppcvirt tlb replay: unknown option %s\n",
				argv[i]);
			usage(stderr);
			return 2;
		} else if (!file) {
			file = argv[i];
		} else {
			fprintf(stderr,
				"ppcvirt tlb replay: one script only\n");
			return 2;
		}
	}
	if (!file) {
		usage(stderr);
		return 2;
	}
	r = read_file(file, &text, &len);
	if (r) {
		fprintf(stderr, "ppcvirt tlb replay: %s: %s\n", file,
			strerror(-r));
		return 2;
	}
	ctx.file = file;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	r = ppcvirt_tlb_script_run(text, len, report, &ctx, &res,
				   save ? &tlb : NULL);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t1 = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	free(text);
	if (r) {
		fprintf(stderr, "%s: %s\n", file,
			res.error[0] ? res.error : strerror(-r));
		if (json) { /* still one object, for scripts reading stdout */
			printf("{\"file\":");
			cli_json_str(file);
			printf(",\"statements\":%u,\"checks\":%u,"
			       "\"mismatches\":%u,\"seconds\":%.6f,\"error\":",
			       res.statements, res.checks, res.mismatches,
			       (double)(t1 - t0) / 1e9);
			cli_json_str(res.error[0] ? res.error : strerror(-r));
			printf("}\n");
		}
		return 2;
	}
	if (save) {
		r = save_tlb(tlb, save);
		ppcvirt_tlb_destroy(tlb);
		if (r) {
			fprintf(stderr, "ppcvirt tlb replay: --save %s: %s\n",
				save, strerror(-r));
			return 2;
		}
	}
	if (json) {
		printf("{\"file\":");
		cli_json_str(file);
		printf(",\"statements\":%u,\"checks\":%u,\"mismatches\":%u,"
		       "\"seconds\":%.6f}\n",
		       res.statements, res.checks, res.mismatches,
		       (double)(t1 - t0) / 1e9);
	} else {
		printf("%s: %u statements, %u checks, %u mismatches\n", file,
		       res.statements, res.checks, res.mismatches);
	}
	return res.mismatches ? 1 : 0;
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

static void print_entry(const struct ppcvirt_tlb *tlb, unsigned tlbsel,
			uint32_t index,
			const struct ppcvirt_book3e_206_tlb_entry *e)
{
	struct ppcvirt_book3e_206_tlb_params g;
	uint32_t tsize = (e->mas1 >> 7) & 0x1f, m3 = (uint32_t)e->mas7_3;
	uint64_t size = tlbsel ? 1024ull << tsize : 4096;
	uint64_t mask = ~(size - 1);
	char sz[16], where[64];

	ppcvirt_tlb_geometry(tlb, &g);
	if (tlbsel == 0)
		snprintf(where, sizeof(where), "TLB0[%u] set %u way %u", index,
			 index / g.tlb_ways[0], index % g.tlb_ways[0]);
	else
		snprintf(where, sizeof(where), "TLB1[%u]", index);
	size_name(sz, sizeof(sz), size);
	printf("%-24s %c EA 0x%08llx PA 0x%09llx %5s TID %-5u TS %u "
	       "S%c%c%c U%c%c%c %c%c%c%c%c%s\n",
	       where, (e->mas1 & PPCVIRT_MAS1_V) ? 'V' : '-',
	       (unsigned long long)(e->mas2 & mask & 0xffffffffull),
	       (unsigned long long)(e->mas7_3 & mask), sz,
	       (e->mas1 >> 16) & 0x3fff, (e->mas1 >> 12) & 1,
	       m3 & PPCVIRT_MAS3_SR ? 'R' : '-',
	       m3 & PPCVIRT_MAS3_SW ? 'W' : '-',
	       m3 & PPCVIRT_MAS3_SX ? 'X' : '-',
	       m3 & PPCVIRT_MAS3_UR ? 'R' : '-',
	       m3 & PPCVIRT_MAS3_UW ? 'W' : '-',
	       m3 & PPCVIRT_MAS3_UX ? 'X' : '-', e->mas2 & 0x10 ? 'W' : '-',
	       e->mas2 & 0x08 ? 'I' : '-', e->mas2 & 0x04 ? 'M' : '-',
	       e->mas2 & 0x02 ? 'G' : '-', e->mas2 & 0x01 ? 'E' : '-',
	       (e->mas1 & PPCVIRT_MAS1_IPROT) ? " IPROT" : "");
}

static int tlb_dump(int argc, char **argv)
{
	struct ppcvirt_book3e_206_tlb_params g;
	struct ppcvirt_book3e_206_tlb_entry *e = NULL;
	struct ppcvirt_tlb *tlb = NULL;
	const char *file = NULL;
	const uint8_t *p;
	bool all = false;
	uint32_t n, core;
	char *buf;
	size_t len;
	int r, rc = 2;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all"))
			all = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!file && argv[i][0] != '-')
			file = argv[i];
		else {
			usage(stderr);
			return 2;
		}
	}
	if (!file) {
		usage(stderr);
		return 2;
	}
	r = read_file(file, &buf, &len);
	if (r) {
		fprintf(stderr, "ppcvirt tlb dump: %s: %s\n", file,
			strerror(-r));
		return 2;
	}
	p = (const uint8_t *)buf;
	if (len < SAVE_HDR || memcmp(p, SAVE_MAGIC, 8) || get32(p + 8) != 1) {
		fprintf(stderr,
			"ppcvirt tlb dump: %s: not a saved TLB array (bad "
			"magic "
			"or version)\n",
			file);
		goto out;
	}
	core = get32(p + 12);
	memset(&g, 0, sizeof(g));
	g.tlb_sizes[0] = get32(p + 16);
	g.tlb_sizes[1] = get32(p + 20);
	g.tlb_ways[0] = get32(p + 24);
	g.tlb_ways[1] = get32(p + 28);
	n = get32(p + 36);
	if (get32(p + 32) != ENTRY_BYTES ||
	    (uint64_t)g.tlb_sizes[0] + g.tlb_sizes[1] != n ||
	    len != SAVE_HDR + (uint64_t)n * ENTRY_BYTES) {
		fprintf(stderr,
			"ppcvirt tlb dump: %s: header does not match the file "
			"size (entry size %u, %u entries, %zu bytes)\n",
			file, get32(p + 32), n, len);
		goto out;
	}
	r = ppcvirt_tlb_create((enum ppcvirt_booke_core)core, &tlb);
	if (r) {
		fprintf(stderr, "ppcvirt tlb dump: %s: unknown core %u\n", file,
			core);
		goto out;
	}
	r = ppcvirt_tlb_set_geometry(tlb, &g);
	if (r) {
		fprintf(stderr, "ppcvirt tlb dump: %s: invalid geometry: %s\n",
			file, ppcvirt_tlb_last_error(tlb));
		goto out;
	}
	e = calloc(n ? n : 1, sizeof(*e));
	if (!e) {
		fprintf(stderr, "ppcvirt tlb dump: out of memory\n");
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *q = p + SAVE_HDR + (size_t)i * ENTRY_BYTES;

		e[i].mas8 = get32(q);
		e[i].mas1 = get32(q + 4);
		e[i].mas2 = get64(q + 8);
		e[i].mas7_3 = get64(q + 16);
	}
	r = ppcvirt_tlb_write_all(tlb, e, n);
	if (r) {
		fprintf(stderr, "ppcvirt tlb dump: %s: %s\n", file,
			ppcvirt_tlb_last_error(tlb));
		goto out;
	}
	printf("%s: %s, TLB0 %u entries %u-way (TLB0CFG 0x%08x), TLB1 %u "
	       "entries (TLB1CFG 0x%08x)\n",
	       file, core ? "e500mc" : "e500v2", g.tlb_sizes[0], g.tlb_ways[0],
	       ppcvirt_tlb_cfg_reg(tlb, 0), g.tlb_sizes[1],
	       ppcvirt_tlb_cfg_reg(tlb, 1));
	for (uint32_t i = 0; i < n; i++) {
		unsigned sel = i >= g.tlb_sizes[0];

		if (all || (e[i].mas1 & PPCVIRT_MAS1_V))
			print_entry(tlb, sel, sel ? i - g.tlb_sizes[0] : i,
				    &e[i]);
	}
	rc = 0;
out:
	free(e);
	free(buf);
	ppcvirt_tlb_destroy(tlb);
	return rc;
}

int cmd_tlb(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "replay"))
		return tlb_replay(argc - 1, argv + 1);
	if (!strcmp(argv[1], "dump"))
		return tlb_dump(argc - 1, argv + 1);
	fprintf(stderr, "ppcvirt tlb: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
