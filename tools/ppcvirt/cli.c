/* SPDX-License-Identifier: MIT */
/* Conventions shared by the CLI's subcommands; see cli.h. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* ---- escaping -------------------------------------------------------- */

char *cli_escape(char *dst, size_t cap, const void *src, size_t len,
		 bool keep_backslash)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = src;
	size_t o = 0;

	if (!cap)
		return dst;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		char e[4];
		size_t n;

		if (c == '\\' && !keep_backslash) {
			e[0] = e[1] = '\\';
			n = 2;
		} else if (c >= 0x20 && c < 0x7f) {
			e[0] = (char)c;
			n = 1;
		} else {
			e[0] = '\\';
			e[1] = 'x';
			e[2] = hex[c >> 4];
			e[3] = hex[c & 15];
			n = 4;
		}
		/* Keep room for "..." and the terminator. */
		if (o + n + 4 > cap) {
			if (cap >= 4) {
				while (o + 4 > cap)
					o--;
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			dst[o < cap ? o : cap - 1] = '\0';
			return dst;
		}
		memcpy(dst + o, e, n);
		o += n;
	}
	dst[o] = '\0';
	return dst;
}

/* File names (PATH_MAX bytes) escape to at most 4 times their size. */
#define RING	 6
#define RING_LEN (4 * 4096 + 8)

static char *ring_next(void)
{
	static char ring[RING][RING_LEN];
	static unsigned next;

	return ring[next++ % RING];
}

const char *cli_esc(const char *s)
{
	return cli_escape(ring_next(), RING_LEN, s, strlen(s), false);
}

const char *cli_esc_text(const char *s)
{
	return cli_escape(ring_next(), RING_LEN, s, strlen(s), true);
}

const char *cli_after_line_prefix(const char *s)
{
	const char *p = s;

	if (strncmp(p, "line ", 5))
		return s;
	p += 5;
	if (*p < '0' || *p > '9')
		return s;
	while (*p >= '0' && *p <= '9')
		p++;
	return strncmp(p, ": ", 2) ? s : p + 2;
}

const char *cli_count(uint64_t n, const char *one, const char *many)
{
	static char ring[8][96];
	static unsigned next;
	char *b = ring[next++ % 8];

	snprintf(b, sizeof(ring[0]), "%llu %s", (unsigned long long)n,
		 n == 1 ? one : many);
	return b;
}

/* ---- messages -------------------------------------------------------- */

static void vreport(const char *head, const char *kind, const char *fmt,
		    va_list ap) __attribute__((format(printf, 3, 0)));

static void vreport(const char *head, const char *kind, const char *fmt,
		    va_list ap)
{
	char msg[2048], esc[4 * sizeof(msg)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	cli_escape(esc, sizeof(esc), msg, strlen(msg), true);
	cli_progress_clear();
	fprintf(stderr, "%s: %s: %s\n", head, kind, esc);
}

void cli_report(const char *file, uint64_t line, const char *kind,
		const char *fmt, ...)
{
	char head[RING_LEN + 32];
	va_list ap;

	if (line)
		snprintf(head, sizeof(head), "%s:%llu", cli_esc(file),
			 (unsigned long long)line);
	else
		snprintf(head, sizeof(head), "%s", cli_esc(file));
	va_start(ap, fmt);
	vreport(head, kind, fmt, ap);
	va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	char head[128];
	va_list ap;

	snprintf(head, sizeof(head), "ppcvirt %s", cmd);
	va_start(ap, fmt);
	vreport(head, "error", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'ppcvirt %s --help'.\n", cmd);
	return CLI_ERROR;
}

int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	int before = optind ? optind : 1, c;
	char shortname[3] = "-?", word[64];
	const char *w, *eq;

	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	/*
	 * Name the offending option. optind has moved past the word that
	 * holds it, except for a short option inside a cluster ("-qx").
	 * A long one is named without its "=value".
	 */
	w = optind > before ? argv[optind - 1] : NULL;
	if (w && !strncmp(w, "--", 2)) {
		eq = strchr(w, '=');
		snprintf(word, sizeof(word), "%.*s",
			 (int)(eq ? (size_t)(eq - w) : strlen(w)), w);
		if (c == '?' && optopt && eq)
			cli_usage_error(cmd, "option '%s' takes no value",
					cli_esc(word));
		else if (c == ':')
			cli_usage_error(cmd, "option '%s' needs a value",
					cli_esc(word));
		else
			cli_usage_error(cmd, "unknown option '%s'",
					cli_esc(word));
		return '?';
	}
	shortname[1] = (char)optopt;
	if (c == ':')
		cli_usage_error(cmd, "option '%s' needs a value",
				cli_esc(shortname));
	else
		cli_usage_error(cmd, "unknown option '%s'", cli_esc(shortname));
	return '?';
}

int cli_unknown_word(const char *cmd, const char *what, const char *word)
{
	char opt[64];

	if (word[0] != '-')
		return cli_usage_error(cmd, "unknown %s '%s'", what,
				       cli_esc(word));
	snprintf(opt, sizeof(opt), "%.*s", (int)strcspn(word, "="), word);
	return cli_usage_error(cmd, "unknown option '%s'", cli_esc(opt));
}

bool cli_parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false; /* strtoull would take blanks and signs */
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && end != s && !*end && *v <= max;
}

/* ---- progress -------------------------------------------------------- */

static struct {
	bool on, shown;
	double start, last;
} prog;

void cli_progress_init(bool quiet)
{
	prog.on = !quiet && isatty(STDERR_FILENO);
	prog.shown = false;
	prog.start = cli_now();
	prog.last = 0;
}

void cli_progress(const char *fmt, ...)
{
	struct winsize ws;
	char msg[512];
	size_t width = 79;
	double now;
	va_list ap;

	if (!prog.on)
		return;
	now = cli_now();
	if (now - prog.start < 0.3 || now - prog.last < 0.1)
		return;
	prog.last = now;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		width = ws.ws_col - 1u;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One line that never wraps: cut to the terminal's width. */
	if (strlen(msg) > width)
		msg[width < sizeof(msg) ? width : sizeof(msg) - 1] = '\0';
	fprintf(stderr, "\r%s\033[K", msg);
	fflush(stderr);
	prog.shown = true;
}

void cli_progress_clear(void)
{
	if (!prog.shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	prog.shown = false;
}

/* ---- input files ----------------------------------------------------- */

int cli_in_error(struct cli_in *in, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(in->error, sizeof(in->error), fmt, ap);
	va_end(ap);
	in->error_line = line;
	cli_error(in->name, line, "%s", in->error);
	return CLI_ERROR;
}

static int in_fail(struct cli_in *in, const char *what, int err)
{
	cli_in_error(in, 0, "%s%s%s", what, err ? ": " : "",
		     err ? strerror(err) : "");
	cli_in_close(in);
	return CLI_ERROR;
}

int cli_in_open(struct cli_in *in, const char *path)
{
	struct stat st;

	memset(in, 0, sizeof(*in));
	in->path = path;
	in->is_stdin = !strcmp(path, "-");
	in->name = in->is_stdin ? "<stdin>" : path;
	in->fd = in->is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (in->fd < 0)
		return in_fail(in, "cannot open", errno);
	if (fstat(in->fd, &st) != 0)
		return in_fail(in, "cannot stat", errno);
	if (S_ISDIR(st.st_mode))
		return in_fail(in, "is a directory", 0);
	in->regular = S_ISREG(st.st_mode);
	in->size = in->regular ? (uint64_t)st.st_size : 0;
	in->start = in->regular ? lseek(in->fd, 0, SEEK_CUR) : -1;
	if (in->start < 0)
		in->regular = false; /* not seekable after all */
	else if ((uint64_t)in->start <= in->size)
		in->size -= (uint64_t)in->start;
	return CLI_OK;
}

void cli_in_close(struct cli_in *in)
{
	if (!in->is_stdin && in->fd >= 0)
		close(in->fd);
	in->fd = -1;
}

long cli_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (long)got;
}

static uint64_t line_of(const char *buf, size_t off)
{
	uint64_t line = 1;

	for (size_t i = 0; i < off; i++)
		line += buf[i] == '\n';
	return line;
}

int cli_read_all(struct cli_in *in, size_t max, bool text, const char *what,
		 char **bufp, size_t *lenp)
{
	size_t cap, len = 0;
	char *buf;

	if (in->regular && in->size > max) {
		cli_in_error(in, 0,
			     "%llu bytes: larger than a %s may be (%zu bytes)",
			     (unsigned long long)in->size, what, max);
		return CLI_ERROR;
	}
	/* A regular file's size is known; a pipe grows the buffer by
	 * doubling, never beyond max + 1 (the byte that proves too much). */
	cap = in->regular ? (size_t)in->size + 1 : 64 * 1024;
	if (cap > max + 1)
		cap = max + 1;
	buf = malloc(cap + 1);
	if (!buf) {
		cli_in_error(in, 0, "out of memory");
		return CLI_ERROR;
	}
	for (;;) {
		long n;

		if (len == cap) {
			size_t ncap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
			char *nb;

			if (cap == max + 1) {
				cli_in_error(in, 0,
					     "larger than a %s may be (%zu "
					     "bytes)",
					     what, max);
				free(buf);
				return CLI_ERROR;
			}
			nb = realloc(buf, ncap + 1);
			if (!nb) {
				cli_in_error(in, 0, "out of memory");
				free(buf);
				return CLI_ERROR;
			}
			buf = nb;
			cap = ncap;
		}
		n = cli_read_full(in->fd, buf + len,
				  cap - len < 65536 ? cap - len : 65536);
		if (n < 0) {
			cli_in_error(in, 0, "read error: %s",
				     strerror((int)-n));
			free(buf);
			return CLI_ERROR;
		}
		if (text) {
			const char *nul = memchr(buf + len, '\0', (size_t)n);

			if (nul) {
				cli_in_error(in,
					     line_of(buf, (size_t)(nul - buf)),
					     "NUL byte: not a %s", what);
				free(buf);
				return CLI_ERROR;
			}
		}
		len += (size_t)n;
		if (n == 0)
			break;
	}
	if (len > max) {
		cli_in_error(in, 0, "larger than a %s may be (%zu bytes)", what,
			     max);
		free(buf);
		return CLI_ERROR;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return CLI_OK;
}

/* ---- JSON -------------------------------------------------------------*/

/* Length of the valid UTF-8 sequence at @s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

json_object *cli_json_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), o = 0;
	json_object *j;
	char *out;

	if (n > (size_t)INT32_MAX / 4)
		n = (size_t)INT32_MAX / 4;
	out = malloc(4 * n + 1);
	if (!out)
		return json_object_new_string("");
	for (size_t i = 0; i < n;) {
		size_t k = utf8_len(s + i, n - i);

		if (k) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		} else {
			o += (size_t)sprintf(out + o, "\\x%02x", s[i]);
			i++;
		}
	}
	j = json_object_new_string_len(out, (int)o);
	free(out);
	return j;
}

json_object *cli_json_num(double v, int decimals)
{
	char buf[64];

	if (!isfinite(v))
		return NULL; /* json-c prints a NULL member as null */
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return json_object_new_double_s(v, buf);
}

void cli_json_add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

void cli_json_print(json_object *o, enum cli_json_mode mode)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	flags |= mode == CLI_JSON_LINES
			 ? JSON_C_TO_STRING_PLAIN
			 : JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED;
	puts(json_object_to_json_string_ext(o, flags));
	fflush(stdout);
	json_object_put(o);
}

double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
