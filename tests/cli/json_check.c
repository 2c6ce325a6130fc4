/* SPDX-License-Identifier: MIT */
/*
 * json_check: validate what `ppcvirt ... --json` / `--json-lines` print,
 * with json-c's strict parser (RFC 8259 grammar, UTF-8 validated), and
 * check values in it.
 *
 *   json_check [--lines] [PATH=VALUE | PATH>NUMBER | PATH<NUMBER | PATH?]...
 *              < output
 *
 * Without --lines, standard input must be exactly one JSON document
 * (surrounding whitespace only). With --lines, every line must be one
 * document, and at least one line is required; the documents then form an
 * array for PATH (index 0 is the first line, -1 the last).
 *
 * PATH is a '/'-separated list of object keys and array indexes
 * (negative: from the end); a last segment '#' is the length of an
 * array. PATH=VALUE compares a string's bytes with VALUE, any other value
 * with its plain JSON text; PATH>NUMBER and PATH<NUMBER require a number
 * above or below NUMBER (for figures that vary from run to run); PATH?
 * only requires that PATH exists. Paths hold no '=', '<' or '>'.
 * Prints "json_check: ok" or what is wrong, exits 0 or 1.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define MAX_INPUT (64u << 20)

static int fail(const char *what, const char *detail)
{
	fprintf(stderr, "json_check: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	return 1;
}

/* Parse exactly one document from [s, s + len); NULL if not. */
static json_object *parse_one(const char *s, size_t len, const char **why)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *o;
	size_t end;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (!o) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		/* A complete document leaves the tokener "continue" only
		 * when input ended early. */
		*why = e == json_tokener_continue ? "incomplete document"
						  : json_tokener_error_desc(e);
		json_tokener_free(tok);
		return NULL;
	}
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	for (; end < len; end++) {
		if (!strchr(" \t\r\n", s[end])) {
			*why = "more than one document, or trailing text";
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

static json_object *lookup(json_object *o, const char *path, bool *len)
{
	char buf[512], *seg, *save = NULL;

	*len = false;
	snprintf(buf, sizeof(buf), "%s", path);
	for (seg = strtok_r(buf, "/", &save); seg && o;
	     seg = strtok_r(NULL, "/", &save)) {
		if (!strcmp(seg, "#") &&
		    json_object_is_type(o, json_type_array)) {
			*len = true;
			return o;
		}
		if (json_object_is_type(o, json_type_array)) {
			long i = strtol(seg, NULL, 10);
			long n = (long)json_object_array_length(o);

			if (i < 0)
				i += n;
			o = i >= 0 && i < n
				    ? json_object_array_get_idx(o, (size_t)i)
				    : NULL;
		} else if (json_object_is_type(o, json_type_object)) {
			json_object *v = NULL;

			/* A member whose value is null exists: return a
			 * marker so that PATH? and PATH=null work. */
			if (!json_object_object_get_ex(o, seg, &v))
				return NULL;
			o = v ? v : (json_object *)(uintptr_t)1;
		} else {
			return NULL;
		}
		if (o == (json_object *)(uintptr_t)1) {
			seg = strtok_r(NULL, "/", &save);
			return seg ? NULL : o;
		}
	}
	return o;
}

/* PATH>NUMBER, PATH<NUMBER: @v (an array when @len: its length) must be
 * a number beyond @want. */
static int compare(const char *path, json_object *v, bool len, char op,
		   const char *want)
{
	char *end;
	double lim = strtod(want, &end), x;

	if (end == want || *end)
		return fail("not a number after < or >", want);
	if (len)
		x = (double)json_object_array_length(v);
	else if (v != (json_object *)(uintptr_t)1 &&
		 (json_object_is_type(v, json_type_int) ||
		  json_object_is_type(v, json_type_double)))
		x = json_object_get_double(v);
	else
		return fail("not a number", path);
	if (op == '>' ? x > lim : x < lim)
		return 0;
	fprintf(stderr, "json_check: %s is %g, want %c %s\n", path, x, op,
		want);
	return 1;
}

static int check(json_object *root, const char *arg)
{
	char path[512];
	size_t n = strcspn(arg, "=<>");
	char op = arg[n];
	const char *want = op ? arg + n + 1 : NULL;
	json_object *v;
	bool len;
	char got[64];
	const char *g;

	if (!op && n && arg[n - 1] == '?')
		n--;
	snprintf(path, sizeof(path), "%.*s", (int)n, arg);
	v = lookup(root, path, &len);
	if (!v)
		return fail("no such path", path);
	if (!want)
		return 0;
	if (op != '=')
		return compare(path, v, len, op, want);
	if (len) {
		snprintf(got, sizeof(got), "%zu", json_object_array_length(v));
		g = got;
	} else if (v == (json_object *)(uintptr_t)1) {
		g = "null";
	} else if (json_object_is_type(v, json_type_string)) {
		g = json_object_get_string(v);
	} else {
		g = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	}
	if (strcmp(g, want)) {
		fprintf(stderr, "json_check: %s is '%s', want '%s'\n", path, g,
			want);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char *buf = malloc(MAX_INPUT + 1);
	json_object *root;
	const char *why = "";
	bool lines = argc > 1 && !strcmp(argv[1], "--lines");
	size_t len;
	int bad = 0, first = lines ? 2 : 1;

	if (!buf)
		return fail("out of memory", NULL);
	len = fread(buf, 1, MAX_INPUT + 1, stdin);
	if (len > MAX_INPUT)
		return fail("input too large", NULL);
	buf[len] = '\0';
	if (memchr(buf, '\0', len))
		return fail("NUL byte in the output", NULL);
	if (!lines) {
		root = parse_one(buf, len, &why);
		if (!root)
			return fail("not exactly one JSON document", why);
	} else {
		char *p = buf, *end = buf + len;
		unsigned nl = 0;

		root = json_object_new_array();
		while (p < end) {
			char *e = memchr(p, '\n', (size_t)(end - p));
			json_object *o;

			if (!e)
				return fail("last line without newline", NULL);
			o = parse_one(p, (size_t)(e - p), &why);
			if (!o || memchr(p, '\n', (size_t)(e - p)))
				return fail("a line is not one JSON document",
					    why);
			json_object_array_add(root, o);
			nl++;
			p = e + 1;
		}
		if (!nl)
			return fail("no line", NULL);
	}
	for (int i = first; i < argc; i++)
		bad |= check(root, argv[i]);
	json_object_put(root);
	free(buf);
	if (!bad)
		printf("json_check: ok\n");
	return bad;
}
