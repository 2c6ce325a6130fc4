/* SPDX-License-Identifier: MIT */
/*
 * ppcvirt replay: run QEMU TCE traces (.log, .log.xz) and hcall scripts
 * (.hcs) through the replay engine of the tools library (tools/lib/replay.h)
 * and report every disagreement.
 *
 * Files are streamed: plain files with read(2), .xz (recognised by its
 * magic bytes) through liblzma in fixed-size chunks, so memory stays
 * bounded whatever the file size. A trace needs two passes; the decoded
 * text of the first pass is kept for the second when it is at most
 * KEEP_MAX bytes (the traces are a few MiB), otherwise the file is decoded
 * again.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "replay.h"

#include "cli.h"
#include "cmds.h"

#define CHUNK	 (256 * 1024)
#define KEEP_MAX (256ULL << 20)

struct opts {
	int profile;
	bool json;
	bool quiet;
	unsigned long max_report;
};

struct report {
	const char *file;
	const struct opts *o;
	unsigned long shown;
};

/* Growable copy of the decoded first pass (bounded by KEEP_MAX). */
struct keep {
	char *buf;
	size_t len, cap;
	bool overflow;
};

typedef int (*sink_fn)(void *ctx, const uint8_t *buf, size_t len);

static void keep_add(struct keep *k, const uint8_t *buf, size_t len)
{
	if (k->overflow)
		return;
	if (k->len + len > KEEP_MAX) {
		k->overflow = true;
		free(k->buf);
		k->buf = NULL;
		k->len = k->cap = 0;
		return;
	}
	if (k->len + len > k->cap) {
		size_t cap = k->cap ? k->cap * 2 : (size_t)4 << 20;
		char *nb;

		while (cap < k->len + len)
			cap *= 2;
		nb = realloc(k->buf, cap);
		if (!nb) {
			k->overflow = true;
			free(k->buf);
			k->buf = NULL;
			k->len = k->cap = 0;
			return;
		}
		k->buf = nb;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, buf, len);
	k->len += len;
}

struct feed_ctx {
	struct ppcvirt_replay *r;
	struct keep *keep;
};

static int feed_sink(void *ctx, const uint8_t *buf, size_t len)
{
	struct feed_ctx *f = ctx;

	if (f->keep)
		keep_add(f->keep, buf, len);
	return ppcvirt_replay_feed(f->r, buf, len);
}

/*
 * Stream @path (xz-decoded when it starts with the xz magic) into @sink.
 * Returns 0, a sink error (< 0, already recorded in the replay), or 1 for
 * an I/O or decoding error described in @err.
 */
static int stream_file(const char *path, sink_fn sink, void *ctx, char *err,
		       size_t errlen)
{
	static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
	uint8_t *in = malloc(CHUNK), *out = malloc(CHUNK);
	lzma_stream zs = LZMA_STREAM_INIT;
	bool xz = false, first = true, eof = false;
	int fd = -1, ret = 0;
	lzma_ret lr;

	if (!in || !out) {
		snprintf(err, errlen, "out of memory");
		ret = 1;
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		ret = 1;
		goto out;
	}
	while (!eof) {
		ssize_t n = read(fd, in, CHUNK);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "read error: %s",
				 strerror(errno));
			ret = 1;
			goto out;
		}
		eof = n == 0;
		if (first && n > 0) {
			first = false;
			xz = (size_t)n >= sizeof(xz_magic) &&
			     !memcmp(in, xz_magic, sizeof(xz_magic));
			if (xz &&
			    lzma_stream_decoder(&zs, UINT64_MAX,
						LZMA_CONCATENATED) != LZMA_OK) {
				snprintf(err, errlen, "lzma init failed");
				ret = 1;
				goto out;
			}
		}
		if (!xz) {
			if (n > 0 && (ret = sink(ctx, in, (size_t)n)))
				goto out;
			continue;
		}
		zs.next_in = in;
		zs.avail_in = (size_t)n;
		do {
			zs.next_out = out;
			zs.avail_out = CHUNK;
			lr = lzma_code(&zs, eof ? LZMA_FINISH : LZMA_RUN);
			if (CHUNK - zs.avail_out &&
			    (ret = sink(ctx, out, CHUNK - zs.avail_out)))
				goto out;
			if (lr == LZMA_STREAM_END)
				break;
			if (lr != LZMA_OK) {
				snprintf(err, errlen,
					 "xz: corrupt or truncated data "
					 "(lzma error %d)",
					 (int)lr);
				ret = 1;
				goto out;
			}
		} while (zs.avail_in || zs.avail_out == 0 ||
			 (eof && lr != LZMA_STREAM_END));
		if (lr == LZMA_STREAM_END)
			break;
	}
out:
	if (xz)
		lzma_end(&zs);
	if (fd >= 0)
		close(fd);
	free(in);
	free(out);
	return ret;
}

static void on_mismatch(void *opaque, const struct ppcvirt_replay_mismatch *m)
{
	struct report *rep = opaque;

	if (rep->o->quiet || rep->shown >= rep->o->max_report) {
		rep->shown++;
		return;
	}
	rep->shown++;
	fprintf(stderr, "%s: mismatch: %s\n", rep->file, m->text);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Replay one file; returns 0 clean, 1 mismatches or errors. */
static int replay_file(const char *path, const struct opts *o)
{
	struct ppcvirt_replay_config cfg = {
		.profile = o->profile,
		.on_mismatch = on_mismatch,
	};
	struct report rep = {.file = path, .o = o};
	struct ppcvirt_replay_result res;
	struct ppcvirt_replay *r;
	struct keep keep = {0};
	struct feed_ctx fc;
	char ioerr[256] = "";
	double t0 = cli_now(), secs;
	int ret, io = 0;

	cfg.kind = ends_with(path, ".hcs") ? PPCVIRT_REPLAY_SCRIPT
					   : PPCVIRT_REPLAY_TRACE;
	cfg.opaque = &rep;
	ret = ppcvirt_replay_create(&cfg, &r);
	if (ret) {
		fprintf(stderr, "%s: cannot start replay: %s\n", path,
			strerror(-ret));
		return 1;
	}
	fc.r = r;
	fc.keep = cfg.kind == PPCVIRT_REPLAY_TRACE ? &keep : NULL;
	io = stream_file(path, feed_sink, &fc, ioerr, sizeof(ioerr));
	if (io == 0 && cfg.kind == PPCVIRT_REPLAY_TRACE) {
		if (ppcvirt_replay_rewind(r) == 0) {
			fc.keep = NULL;
			if (!keep.overflow)
				io = ppcvirt_replay_feed(r, keep.buf, keep.len);
			else
				io = stream_file(path, feed_sink, &fc, ioerr,
						 sizeof(ioerr));
		}
	}
	free(keep.buf);
	ppcvirt_replay_finish(r, &res);
	ppcvirt_replay_destroy(r);
	secs = cli_now() - t0;

	if (io > 0)
		fprintf(stderr, "%s: error: %s\n", path, ioerr);
	else if (res.error)
		fprintf(stderr, "%s:%llu: error: %s\n", path,
			(unsigned long long)res.error_line, res.error_text);
	if (rep.shown > o->max_report && !o->quiet)
		fprintf(stderr, "%s: ... %lu more mismatches not shown\n", path,
			rep.shown - o->max_report);
	if (o->json) {
		printf("{\"file\":");
		cli_json_str(path);
		printf(",\"kind\":\"%s\",\"profile\":\"%s\",\"lines\":%llu,"
		       "\"hcalls\":%llu,\"mismatches\":%llu,"
		       "\"gets_checked\":%llu,\"xlates_checked\":%llu,"
		       "\"rtas_checked\":%llu,\"ignored\":%llu,"
		       "\"seconds\":%.6f,\"lines_per_second\":%.0f,"
		       "\"error\":",
		       cfg.kind == PPCVIRT_REPLAY_SCRIPT ? "script" : "trace",
		       res.profile == PPCVIRT_PROFILE_QEMU ? "qemu" : "strict",
		       (unsigned long long)res.lines,
		       (unsigned long long)res.hcalls,
		       (unsigned long long)res.mismatches,
		       (unsigned long long)res.gets_checked,
		       (unsigned long long)res.xlates_checked,
		       (unsigned long long)res.rtas_checked,
		       (unsigned long long)res.ignored, secs,
		       secs > 0 ? (double)res.lines / secs : 0.0);
		if (io > 0)
			cli_json_str(ioerr);
		else if (res.error)
			cli_json_str(res.error_text);
		else
			printf("null");
		printf("}\n");
	} else {
		printf("%s: %s, %llu lines, %llu hcalls, %llu mismatches, "
		       "%llu gets checked, %llu xlates checked, %llu rtas "
		       "checked, %.3f s (%.0f lines/s)%s\n",
		       path,
		       res.profile == PPCVIRT_PROFILE_QEMU ? "qemu" : "strict",
		       (unsigned long long)res.lines,
		       (unsigned long long)res.hcalls,
		       (unsigned long long)res.mismatches,
		       (unsigned long long)res.gets_checked,
		       (unsigned long long)res.xlates_checked,
		       (unsigned long long)res.rtas_checked, secs,
		       secs > 0 ? (double)res.lines / secs : 0.0,
		       io > 0 || res.error ? ", FAILED" : "");
	}
	return io != 0 || res.error || res.mismatches ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ppcvirt replay [--profile qemu|strict] [--json] "
		"[--quiet] [--max-report N] FILE...\n"
		"\n"
		"Replays QEMU TCE traces (-trace 'spapr_iommu_*' logs, plain "
		"or .xz) and\n"
		"hcall scripts (*.hcs) through libppcvirt and compares every "
		"return code,\n"
		"H_GET_TCE value, DMA translation and DDW RTAS result with the "
		"expected one.\n"
		"\n"
		"  --profile P     semantics: qemu or strict. Default: a "
		"script's own\n"
		"                  'profile' statement, else strict. An "
		"explicit "
		"--profile\n"
		"                  overrides the script's statement.\n"
		"  --json          one JSON object per file on stdout\n"
		"  --quiet         do not print individual mismatches\n"
		"  --max-report N  print at most N mismatches per file "
		"(default 20)\n"
		"\n"
		"Exit status: 0 when every file replayed without mismatch, 1 "
		"otherwise,\n"
		"2 for usage errors. docs/replay.md describes the formats.\n");
}

int cmd_replay(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"profile", required_argument, NULL, 'p'},
		{"json", no_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"max-report", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {
		.profile = PPCVIRT_REPLAY_PROFILE_AUTO,
		.max_report = 20,
	};
	int c, status = 0;
	char *endp;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:jqm:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!strcmp(optarg, "qemu")) {
				o.profile = PPCVIRT_PROFILE_QEMU;
			} else if (!strcmp(optarg, "strict")) {
				o.profile = PPCVIRT_PROFILE_STRICT;
			} else {
				fprintf(stderr,
					"ppcvirt replay: unknown profile "
					"'%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'j':
			o.json = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'm':
			o.max_report = strtoul(optarg, &endp, 0);
			if (*endp) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (int i = optind; i < argc; i++)
		status |= replay_file(argv[i], &o);
	return status;
}
