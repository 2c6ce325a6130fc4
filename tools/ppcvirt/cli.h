/* SPDX-License-Identifier: MIT */
/*
 * Conventions shared by every ppcvirt subcommand (tools/ppcvirt/cli.c):
 *
 *  - exit statuses: CLI_OK (0), CLI_FAIL (1: a mismatch or a failed
 *    check), CLI_ERROR (2: usage, I/O or format error);
 *  - messages on stderr: "FILE:LINE: error: MSG", "FILE: error: MSG",
 *    "FILE:LINE: mismatch: MSG", and for usage errors
 *    "ppcvirt CMD: error: MSG" followed by "Try 'ppcvirt CMD --help'.";
 *  - every byte that comes from outside (file names, file contents, the
 *    library's texts, arguments) is escaped before it reaches stderr or a
 *    terminal: printable ASCII as is, "\\" for a backslash, "\xNN" for
 *    everything else (cli_esc());
 *  - "-" as a file name is standard input (struct cli_in);
 *  - JSON through json-c, strings made valid UTF-8 first (cli_json_str());
 *  - a progress line on stderr only when it is a terminal.
 */
#ifndef PPCVIRT_TOOL_CLI_H
#define PPCVIRT_TOOL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

enum {
	CLI_OK = 0,
	CLI_FAIL = 1,
	CLI_ERROR = 2,
};

/* ---- escaping -------------------------------------------------------- */

/*
 * Escape @len bytes of @src into @dst (capacity @cap, always terminated):
 * printable ASCII (0x20..0x7e) as is, everything else as \xNN, and a
 * backslash as \\ unless @keep_backslash (text that is already escaped,
 * such as the library's error texts: escaping is then idempotent). A
 * result that does not fit is cut and ends in "...". Returns @dst.
 */
char *cli_escape(char *dst, size_t cap, const void *src, size_t len,
		 bool keep_backslash);

/*
 * cli_esc(s): @s escaped (backslash doubled), in one of a few rotating
 * static buffers, so that a message can escape several strings at once.
 * cli_esc_text(s): the same for text that may already be escaped
 * (backslashes kept). Single-threaded use only.
 */
const char *cli_esc(const char *s);
const char *cli_esc_text(const char *s);

/* "1 mismatch", "0 mismatches": @n and the right form (rotating buffer). */
const char *cli_count(uint64_t n, const char *one, const char *many);

/* "line N: rest" (the replay and script engines' texts) -> "rest", since
 * the CLI prints the line in its own "FILE:N:" prefix; @s otherwise. */
const char *cli_after_line_prefix(const char *s);

/* ---- messages -------------------------------------------------------- */

/*
 * "FILE:LINE: KIND: MSG" (@line 0: "FILE: KIND: MSG") on stderr. @file is
 * escaped here; arguments that hold outside bytes must be passed through
 * cli_esc() by the caller, and the formatted message is escaped again
 * with backslashes kept, so no control byte can get through.
 */
void cli_report(const char *file, uint64_t line, const char *kind,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define cli_error(file, line, ...) cli_report(file, line, "error", __VA_ARGS__)

/* "ppcvirt CMD: error: MSG" and the --help hint; returns CLI_ERROR. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * getopt_long() with the CLI's messages: returns the next option, -1 after
 * the last one, or '?' once an unknown option, a missing value or a value
 * given to an option that takes none has been reported as a usage error
 * of @cmd. Set optind = 0 before the first call of a command (glibc then
 * starts afresh on the new argv). GNU argument order: options may follow
 * file names; "--" ends the options; "-" is a file name.
 */
struct option;
int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts);

/* A dispatcher's usage error for @word, which names no subcommand:
 * "unknown option '--x'" (without "=value") or "unknown WHAT 'x'". */
int cli_unknown_word(const char *cmd, const char *what, const char *word);

/* Parse a whole decimal or 0x number into @v (<= @max). */
bool cli_parse_u64(const char *s, uint64_t max, uint64_t *v);

/* ---- progress (stderr, terminals only) ------------------------------- */

/* Enable the progress line when stderr is a terminal and !@quiet. */
void cli_progress_init(bool quiet);
/* Show a progress message: one self-overwriting line, at most 10 times a
 * second, and only once the run has lasted 0.3 s. @fmt's arguments must
 * be escaped by the caller. */
void cli_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Erase the progress line (messages call this before printing). */
void cli_progress_clear(void);

/* ---- input files ----------------------------------------------------- */

/* An input named on the command line; "-" is standard input. */
struct cli_in {
	const char *path; /* as given */
	const char *name; /* for messages: path, or "<stdin>" */
	int fd;
	bool is_stdin;
	bool regular;  /* a regular file: size known, seekable */
	uint64_t size; /* regular files: st_size */
	int64_t start; /* offset where reading started (seekable) */
	/* The last error reported on this input (cli_in_error()). */
	uint64_t error_line;
	char error[512];
};

/* Open @path (or take standard input for "-"). On failure, prints
 * "FILE: error: ..." and returns CLI_ERROR; else CLI_OK. */
int cli_in_open(struct cli_in *in, const char *path);
void cli_in_close(struct cli_in *in);

/* Report an error about @in (cli_error() format), and keep it in
 * @in->error and @in->error_line for JSON output. Returns CLI_ERROR. */
int cli_in_error(struct cli_in *in, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Read at most @len bytes (fewer only at the end of the input); returns
 * the count, or -errno.
 */
long cli_read_full(int fd, void *buf, size_t len);

/*
 * Read the whole of @in into a new buffer (NUL-terminated, *@len bytes).
 * Memory is bounded by @max: a regular file larger than that is refused
 * before anything is read, and a pipe or device after @max + 1 bytes.
 * With @text, a NUL byte stops the read at once (a binary file, or
 * /dev/zero, is not a script). @what names the content in messages ("TLB
 * script"). Errors are printed; returns CLI_OK or CLI_ERROR.
 */
int cli_read_all(struct cli_in *in, size_t max, bool text, const char *what,
		 char **buf, size_t *len);

/* ---- JSON -------------------------------------------------------------*/

enum cli_json_mode {
	CLI_JSON_NONE = 0,
	CLI_JSON_DOC,	/* --json: one document per invocation */
	CLI_JSON_LINES, /* --json-lines: one object per line, as they come */
};

/*
 * A JSON string holding @s made valid UTF-8: valid UTF-8 sequences are
 * kept, every byte that is not part of one becomes the four characters
 * \xNN (json-c then escapes control characters and quotes).
 */
json_object *cli_json_str(const char *s);
/* A number printed with @decimals digits after the point; NaN and
 * infinities (which JSON cannot represent) become null. */
json_object *cli_json_num(double v, int decimals);
/* json-c's object_add with fixed (ASCII) keys, for brevity. */
void cli_json_add(json_object *o, const char *key, json_object *v);
/* Print @o and a newline on stdout (@mode LINES: on one line) and put it. */
void cli_json_print(json_object *o, enum cli_json_mode mode);

/* Monotonic time in seconds. */
double cli_now(void);

#endif
