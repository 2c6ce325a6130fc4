/* SPDX-License-Identifier: MIT */
/*
 * `ppcvirt state`: saved state streams (include/ppcvirt/state.h).
 *
 *   state info [--json] [--max-size=BYTES] FILE
 *       verify a checkpoint or one migration pass with
 *       ppcvirt_state_verify() and summarise it: the header, every
 *       section, the tables with their geometry and saved entries, the
 *       PHBs with their DMA windows, the BookE TLBs. Exit 0 for a valid
 *       stream; 1 for a stream the library refuses (corrupt, truncated,
 *       spliced, a version it cannot read: the message names the first
 *       bad section); 2 for usage and I/O errors and for input that is no
 *       state stream at all.
 *
 * The library verifies a stream in memory, so reading is bounded: a
 * regular file larger than --max-size (default 1 GiB) is refused before
 * anything is read, a pipe or device as soon as it grows past it, and
 * input that does not begin with a stream's magic after its first 8
 * bytes (so /dev/zero costs nothing). What is listed is bounded too: at
 * most LIST_MAX entries per list (sections, tables, PHBs, TLBs), the rest
 * counted, so a hostile stream of millions of tiny sections cannot make
 * the output's memory grow with it.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#include "cli.h"
#include "cmds.h"

/* The first bytes of every state stream (its header's magic). */
#define STREAM_MAGIC	 "PPCVSTAT"
#define STREAM_MAGIC_LEN 8
/* A stream's header alone is 32 bytes: no smaller bound makes sense. */
#define MAX_SIZE_MIN	 32
#define MAX_SIZE_DEFAULT (1ull << 30)
#define LIST_MAX	 10000

static void usage_info(void)
{
	fputs("usage: ppcvirt state info [OPTION...] FILE\n"
	      "\n"
	      "Verify a saved state stream (a checkpoint or one migration "
	      "pass) and summarise\n"
	      "it: header, sections, tables, PHB windows, TLBs. FILE '-' is "
	      "standard input.\n"
	      "\n"
	      "  -m, --max-size=BYTES  refuse a stream larger than BYTES "
	      "(default 1073741824)\n"
	      "  -j, --json            one JSON document on stdout\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Exit status: 0 for a valid stream, 1 for one that does not "
	      "verify (corrupt, or\n"
	      "a newer format: the message names the first bad section), 2 "
	      "for usage or I/O\n"
	      "errors and for input that is not a state stream.\n",
	      stdout);
}

static void usage_state(void)
{
	fputs("usage: ppcvirt state info [OPTION...] FILE\n"
	      "\n"
	      "info    verify a saved state stream and summarise it\n"
	      "\n"
	      "'ppcvirt state info --help' lists the options.\n",
	      stdout);
}

/* ---- reading --------------------------------------------------------- */

/*
 * Read the whole of @in (at most @max bytes), refusing at once what does
 * not start like a stream. Errors are reported; returns CLI_OK or
 * CLI_ERROR.
 */
static int read_stream(struct cli_in *in, size_t max, uint8_t **bufp,
		       size_t *lenp)
{
	size_t cap, len;
	uint8_t *buf;
	long n;

	if (in->regular && in->size > max) {
		cli_in_error(in, 0, "%llu bytes: larger than --max-size (%zu)",
			     (unsigned long long)in->size, max);
		return CLI_ERROR;
	}
	/* Room for the whole of a regular file and the byte that would
	 * prove it grew; a pipe starts small and doubles. */
	cap = in->regular ? (size_t)in->size + 1 : 64 * 1024;
	if (cap > max + 1)
		cap = max + 1;
	if (cap < 64)
		cap = 64; /* max >= MAX_SIZE_MIN: the magic always fits */
	buf = malloc(cap);
	if (!buf) {
		cli_in_error(in, 0, "out of memory");
		return CLI_ERROR;
	}
	n = cli_read_full(in->fd, buf, STREAM_MAGIC_LEN);
	if (n < 0) {
		cli_in_error(in, 0, "read error: %s", strerror((int)-n));
		free(buf);
		return CLI_ERROR;
	}
	/* A shorter prefix of the magic is a truncated stream: the library
	 * says so (status 1). */
	if (n == 0 || memcmp(buf, STREAM_MAGIC, (size_t)n)) {
		if (n == 0)
			cli_in_error(in, 0,
				     "empty: not a ppcvirt state stream");
		else
			cli_in_error(in, 0,
				     "not a ppcvirt state stream (no %s magic)",
				     STREAM_MAGIC);
		free(buf);
		return CLI_ERROR;
	}
	len = (size_t)n;
	for (;;) {
		if (len == cap) {
			size_t ncap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
			uint8_t *nb;

			if (cap == max + 1)
				break; /* too large: reported below */
			nb = realloc(buf, ncap);
			if (!nb) {
				cli_in_error(in, 0, "out of memory");
				free(buf);
				return CLI_ERROR;
			}
			buf = nb;
			cap = ncap;
		}
		n = cli_read_full(in->fd, buf + len,
				  cap - len < (1u << 20) ? cap - len
							 : (1u << 20));
		if (n < 0) {
			cli_in_error(in, 0, "read error: %s",
				     strerror((int)-n));
			free(buf);
			return CLI_ERROR;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		cli_in_error(in, 0, "larger than --max-size (%zu)", max);
		free(buf);
		return CLI_ERROR;
	}
	*bufp = buf;
	*lenp = len;
	return CLI_OK;
}

/* ---- what ppcvirt_state_verify() describes ----------------------------- */

struct sec_rec {
	uint64_t offset, length;
	uint32_t id, version;
	char name[16];
};

struct tab_rec {
	uint32_t id; /* TABLE, TABLE_DIFF or TABLE_GONE */
	uint32_t page_shift, flags;
	uint64_t liobn, offset_pages, size_pages, entries;
};

/* A list that keeps its first LIST_MAX items and counts the others. */
struct list {
	void *items;
	size_t n, cap;
	uint64_t total;
};

struct seen {
	struct list secs, tabs, phbs, tlbs;
	bool last_tab_kept; /* the last table seen is tabs' last item */
	bool oom;
};

/* Room for one more item of @l, or NULL (counted, or out of memory). */
static void *list_add(struct seen *s, struct list *l, size_t elem)
{
	l->total++;
	if (l->n >= LIST_MAX || s->oom)
		return NULL;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void *nw = realloc(l->items, cap * elem);

		if (!nw) {
			s->oom = true;
			return NULL;
		}
		l->items = nw;
		l->cap = cap;
	}
	return (char *)l->items + elem * l->n++;
}

static void on_section(void *opaque, const struct ppcvirt_state_section *d)
{
	struct seen *s = opaque;
	struct sec_rec *r = list_add(s, &s->secs, sizeof(*r));
	struct tab_rec *t;
	void *p;

	if (r) {
		*r = (struct sec_rec){.offset = d->offset,
				      .length = d->length,
				      .id = d->id,
				      .version = d->version};
		snprintf(r->name, sizeof(r->name), "%s",
			 d->name ? d->name : "?");
	}
	switch (d->id) {
	case PPCVIRT_STATE_SEC_TABLE:
	case PPCVIRT_STATE_SEC_TABLE_DIFF:
	case PPCVIRT_STATE_SEC_TABLE_GONE:
		t = list_add(s, &s->tabs, sizeof(*t));
		s->last_tab_kept = t != NULL;
		if (t)
			*t = (struct tab_rec){
				.id = d->id,
				.page_shift = d->page_shift,
				.flags = d->flags,
				.liobn = d->liobn,
				.offset_pages = d->offset_pages,
				.size_pages = d->size_pages,
				.entries = d->entries,
			};
		break;
	case PPCVIRT_STATE_SEC_PHB:
		if ((p = list_add(s, &s->phbs, sizeof(*d))))
			memcpy(p, d, sizeof(*d));
		break;
	case PPCVIRT_STATE_SEC_TLB:
		if ((p = list_add(s, &s->tlbs, sizeof(*d))))
			memcpy(p, d, sizeof(*d));
		break;
	default:
		/* The entries of a table follow its section, each section
		 * of them telling the table's count so far. */
		if (d->name && !strcmp(d->name, "runs") && s->last_tab_kept) {
			t = (struct tab_rec *)s->tabs.items + s->tabs.n - 1;
			if (t->liobn == d->liobn)
				t->entries = d->entries;
		}
		break;
	}
}

static void seen_free(struct seen *s)
{
	free(s->secs.items);
	free(s->tabs.items);
	free(s->phbs.items);
	free(s->tlbs.items);
}

/* ---- formatting -------------------------------------------------------- */

/* @v << @shift, when it fits in 64 bits. */
static bool shifted(uint64_t v, uint32_t shift, uint64_t *out)
{
	if (shift >= 64 || v > UINT64_MAX >> shift)
		return false;
	*out = v << shift;
	return true;
}

/* "16M", "6400K", "1000B": the largest binary unit that is exact. */
static const char *size_str(char *buf, size_t len, uint64_t bytes)
{
	static const char unit[] = "KMGTPE";
	int u = -1;

	while (u < 5 && bytes && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64 "B", bytes);
	else
		snprintf(buf, len, "%" PRIu64 "%c", bytes, unit[u]);
	return buf;
}

static const char *core_name(uint32_t core)
{
	return core == PPCVIRT_BOOKE_E500V2   ? "e500v2"
	       : core == PPCVIRT_BOOKE_E500MC ? "e500mc"
					      : "unknown";
}

static const char *stream_kind(const struct ppcvirt_state_info *i)
{
	return i->pass == 0 ? "checkpoint" : "migration";
}

static void print_more(uint64_t total, size_t shown, const char *one,
		       const char *many)
{
	if (total > shown)
		printf("  ... %s not listed\n",
		       cli_count(total - shown, one, many));
}

static void print_text(const char *name, const struct ppcvirt_state_info *i,
		       const struct seen *s)
{
	const struct sec_rec *sec = s->secs.items;
	const struct tab_rec *tab = s->tabs.items;
	const struct ppcvirt_state_section *phb = s->phbs.items;
	const struct ppcvirt_state_section *tlb = s->tlbs.items;
	char a[32], b[32];

	printf("%s: ppcvirt state stream, format version %u, ", cli_esc(name),
	       i->version);
	if (i->pass == 0)
		printf("checkpoint");
	else
		printf("migration 0x%" PRIx64 " pass %u (%s)", i->migration,
		       i->pass, i->pass == 1 ? "full" : "changes");
	printf(", %s, %s\n", cli_count(i->sections, "section", "sections"),
	       cli_count(i->bytes, "byte", "bytes"));

	printf("sections:\n  %5s %12s %10s  %-6s %7s  %s\n", "INDEX", "OFFSET",
	       "LENGTH", "ID", "VERSION", "NAME");
	for (size_t k = 0; k < s->secs.n; k++)
		printf("  %5zu %12" PRIu64 " %10" PRIu64 "  0x%-4x %7u  %s\n",
		       k, sec[k].offset, sec[k].length, sec[k].id,
		       sec[k].version, cli_esc(sec[k].name));
	print_more(s->secs.total, s->secs.n, "more section", "more sections");

	if (s->tabs.total)
		printf("tables:\n");
	for (size_t k = 0; k < s->tabs.n; k++) {
		const struct tab_rec *t = &tab[k];
		uint64_t bus, bytes;

		printf("  LIOBN 0x%" PRIx64 ": ", t->liobn);
		if (t->id == PPCVIRT_STATE_SEC_TABLE_GONE) {
			printf("removed\n");
			continue;
		}
		if (t->id == PPCVIRT_STATE_SEC_TABLE_DIFF) {
			printf("changes, %s\n",
			       cli_count(t->entries, "entry sent",
					 "entries sent"));
			continue;
		}
		if (!shifted(t->offset_pages, t->page_shift, &bus) ||
		    !shifted(t->size_pages, t->page_shift, &bytes))
			bus = bytes = 0; /* the library checked: cannot be */
		printf("%s pages, bus offset 0x%" PRIx64 ", %s (%s window)%s, "
		       "%s\n",
		       size_str(a, sizeof(a), 1ull << (t->page_shift & 63)),
		       bus, cli_count(t->size_pages, "entry", "entries"),
		       size_str(b, sizeof(b), bytes),
		       t->flags & PPCVIRT_TCE_VMM_ONLY ? ", VMM-only" : "",
		       cli_count(t->entries, "non-zero entry",
				 "non-zero entries"));
	}
	print_more(s->tabs.total, s->tabs.n, "more table", "more tables");

	if (s->phbs.total)
		printf("phbs:\n");
	for (size_t k = 0; k < s->phbs.n; k++) {
		const struct ppcvirt_state_section *p = &phb[k];

		printf("  PHB %u: BUID 0x%" PRIx64 ", %s supported\n",
		       p->phb_index, p->buid,
		       cli_count(p->windows_supported, "window", "windows"));
		for (unsigned w = 0; w < PPCVIRT_PHB_MAX_WINDOWS; w++) {
			const struct ppcvirt_state_window *win = &p->windows[w];
			uint64_t bytes, page;

			printf("    window %u: LIOBN 0x%" PRIx64 ", ", w,
			       (uint64_t)PPCVIRT_PHB_LIOBN(p->phb_index, w));
			if (!win->enabled) {
				printf("disabled%s\n",
				       win->def_win ? ", default" : "");
				continue;
			}
			printf("enabled%s, ", win->def_win ? ", default" : "");
			if (shifted(1, win->page_shift, &page))
				printf("%s pages",
				       size_str(a, sizeof(a), page));
			else
				printf("page shift %u", win->page_shift);
			printf(", bus offset 0x%" PRIx64 ", %s",
			       win->bus_offset,
			       cli_count(win->entries, "entry", "entries"));
			if (shifted(win->entries, win->page_shift, &bytes))
				printf(" (%s)", size_str(b, sizeof(b), bytes));
			printf("\n");
		}
	}
	print_more(s->phbs.total, s->phbs.n, "more PHB", "more PHBs");

	if (s->tlbs.total)
		printf("tlbs:\n");
	for (size_t k = 0; k < s->tlbs.n; k++) {
		const struct ppcvirt_state_section *t = &tlb[k];

		printf("  TLB %zu: %s, TLB0 %u entries %u-way (%u valid), "
		       "TLB1 %u entries (%u valid)\n",
		       k, core_name(t->tlb_core), t->tlb_sizes[0],
		       t->tlb_ways[0], t->tlb_valid[0], t->tlb_sizes[1],
		       t->tlb_valid[1]);
	}
	print_more(s->tlbs.total, s->tlbs.n, "more TLB", "more TLBs");
}

/* A number, or null when it does not fit (a hostile window). */
static json_object *shifted_json(uint64_t v, uint32_t shift)
{
	uint64_t r;

	return shifted(v, shift, &r) ? json_object_new_uint64(r) : NULL;
}

static json_object *u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static json_object *table_json(const struct tab_rec *t)
{
	json_object *o = json_object_new_object();
	bool full = t->id == PPCVIRT_STATE_SEC_TABLE;

	cli_json_add(o, "liobn", u64(t->liobn));
	cli_json_add(o, "kind",
		     json_object_new_string(
			     full				     ? "full"
			     : t->id == PPCVIRT_STATE_SEC_TABLE_DIFF ? "diff"
								     : "gone"));
	/* A diff's geometry is the destination's: not in the stream. */
	cli_json_add(o, "page_shift", full ? u64(t->page_shift) : NULL);
	cli_json_add(o, "page_bytes",
		     full ? shifted_json(1, t->page_shift) : NULL);
	cli_json_add(o, "offset_pages", full ? u64(t->offset_pages) : NULL);
	cli_json_add(o, "bus_offset",
		     full ? shifted_json(t->offset_pages, t->page_shift)
			  : NULL);
	cli_json_add(o, "entries", full ? u64(t->size_pages) : NULL);
	cli_json_add(o, "window_bytes",
		     full ? shifted_json(t->size_pages, t->page_shift) : NULL);
	cli_json_add(o, "flags", full ? u64(t->flags) : NULL);
	cli_json_add(o, "vmm_only",
		     full ? json_object_new_boolean(
				    !!(t->flags & PPCVIRT_TCE_VMM_ONLY))
			  : NULL);
	cli_json_add(o, "nonzero_entries", full ? u64(t->entries) : NULL);
	cli_json_add(o, "changed_entries",
		     t->id == PPCVIRT_STATE_SEC_TABLE_DIFF ? u64(t->entries)
							   : NULL);
	return o;
}

static json_object *phb_json(const struct ppcvirt_state_section *p)
{
	json_object *o = json_object_new_object(), *list;

	list = json_object_new_array();
	cli_json_add(o, "index", u64(p->phb_index));
	cli_json_add(o, "buid", u64(p->buid));
	cli_json_add(o, "windows_supported", u64(p->windows_supported));
	for (unsigned w = 0; w < PPCVIRT_PHB_MAX_WINDOWS; w++) {
		const struct ppcvirt_state_window *win = &p->windows[w];
		json_object *j = json_object_new_object();

		cli_json_add(j, "window", u64(w));
		cli_json_add(j, "liobn",
			     u64(PPCVIRT_PHB_LIOBN(p->phb_index, w)));
		cli_json_add(j, "enabled",
			     json_object_new_boolean(!!win->enabled));
		cli_json_add(j, "default",
			     json_object_new_boolean(!!win->def_win));
		cli_json_add(j, "page_shift",
			     win->enabled ? u64(win->page_shift) : NULL);
		cli_json_add(j, "page_bytes",
			     win->enabled ? shifted_json(1, win->page_shift)
					  : NULL);
		cli_json_add(j, "bus_offset",
			     win->enabled ? u64(win->bus_offset) : NULL);
		cli_json_add(j, "entries",
			     win->enabled ? u64(win->entries) : NULL);
		cli_json_add(j, "window_bytes",
			     win->enabled ? shifted_json(win->entries,
							 win->page_shift)
					  : NULL);
		json_object_array_add(list, j);
	}
	cli_json_add(o, "windows", list);
	return o;
}

static json_object *tlb_json(size_t index,
			     const struct ppcvirt_state_section *t)
{
	json_object *o = json_object_new_object();

	cli_json_add(o, "index", u64(index));
	cli_json_add(o, "core", json_object_new_string(core_name(t->tlb_core)));
	for (int k = 0; k < 2; k++) {
		json_object *j = json_object_new_object();

		cli_json_add(j, "entries", u64(t->tlb_sizes[k]));
		cli_json_add(j, "ways", u64(t->tlb_ways[k]));
		cli_json_add(j, "valid", u64(t->tlb_valid[k]));
		cli_json_add(o, k ? "tlb1" : "tlb0", j);
	}
	cli_json_add(o, "valid_entries",
		     u64((uint64_t)t->tlb_valid[0] + t->tlb_valid[1]));
	return o;
}

static json_object *json_list(json_object *o, const char *key,
			      const struct list *l)
{
	json_object *a = json_object_new_array();
	char omitted[32];

	snprintf(omitted, sizeof(omitted), "%s_omitted", key);
	cli_json_add(o, key, a);
	cli_json_add(o, omitted, u64(l->total - l->n));
	return a;
}

static void print_json(const char *name, const struct ppcvirt_state_info *i,
		       const struct seen *s)
{
	const struct sec_rec *sec = s->secs.items;
	const struct tab_rec *tab = s->tabs.items;
	const struct ppcvirt_state_section *phb = s->phbs.items;
	const struct ppcvirt_state_section *tlb = s->tlbs.items;
	json_object *o = json_object_new_object(), *a;

	cli_json_add(o, "file", cli_json_str(name));
	cli_json_add(o, "status", json_object_new_int(CLI_OK));
	cli_json_add(o, "error", NULL);
	cli_json_add(o, "format_version", u64(i->version));
	cli_json_add(o, "kind", json_object_new_string(stream_kind(i)));
	cli_json_add(o, "full", json_object_new_boolean(i->pass <= 1));
	cli_json_add(o, "pass", u64(i->pass));
	cli_json_add(o, "migration_id", u64(i->migration));
	cli_json_add(o, "bytes", u64(i->bytes));
	cli_json_add(o, "section_count", u64(i->sections));
	a = json_list(o, "sections", &s->secs);
	for (size_t k = 0; k < s->secs.n; k++) {
		json_object *j = json_object_new_object();

		cli_json_add(j, "index", u64(k));
		cli_json_add(j, "id", u64(sec[k].id));
		cli_json_add(j, "name", cli_json_str(sec[k].name));
		cli_json_add(j, "version", u64(sec[k].version));
		cli_json_add(j, "offset", u64(sec[k].offset));
		cli_json_add(j, "length", u64(sec[k].length));
		json_object_array_add(a, j);
	}
	a = json_list(o, "tables", &s->tabs);
	for (size_t k = 0; k < s->tabs.n; k++)
		json_object_array_add(a, table_json(&tab[k]));
	a = json_list(o, "phbs", &s->phbs);
	for (size_t k = 0; k < s->phbs.n; k++)
		json_object_array_add(a, phb_json(&phb[k]));
	a = json_list(o, "tlbs", &s->tlbs);
	for (size_t k = 0; k < s->tlbs.n; k++)
		json_object_array_add(a, tlb_json(k, &tlb[k]));
	cli_json_print(o, CLI_JSON_DOC);
}

/* ---- the command --------------------------------------------------------- */

static int state_info(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"max-size", required_argument, NULL, 'm'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum cli_json_mode json = CLI_JSON_NONE;
	struct ppcvirt_state_info info;
	struct seen seen;
	uint64_t max = MAX_SIZE_DEFAULT;
	struct cli_in in;
	uint8_t *buf = NULL;
	size_t len = 0;
	int c, r, rc;

	optind = 0;
	while ((c = cli_getopt("state info", argc, argv, ":m:jh", lopts)) !=
	       -1) {
		switch (c) {
		case 'm':
			if (!cli_parse_u64(optarg, SIZE_MAX / 2, &max) ||
			    max < MAX_SIZE_MIN)
				return cli_usage_error(
					"state info",
					"--max-size: '%s' is not a number "
					"from %d to %zu",
					cli_esc(optarg), MAX_SIZE_MIN,
					(size_t)SIZE_MAX / 2);
			break;
		case 'j':
			json = CLI_JSON_DOC;
			break;
		case 'h':
			usage_info();
			return CLI_OK;
		default:
			return CLI_ERROR;
		}
	}
	if (optind >= argc)
		return cli_usage_error("state info", "no FILE given");
	if (optind + 1 < argc)
		return cli_usage_error("state info",
				       "one FILE at a time ('%s' is extra)",
				       cli_esc(argv[optind + 1]));
	memset(&seen, 0, sizeof(seen));
	memset(&info, 0, sizeof(info));
	rc = cli_in_open(&in, argv[optind]);
	if (rc == CLI_OK) {
		rc = read_stream(&in, (size_t)max, &buf, &len);
		cli_in_close(&in);
	}
	if (rc != CLI_OK)
		goto out;
	r = ppcvirt_state_verify(buf, len, &info, on_section, &seen);
	if (r == 0 && seen.oom)
		r = -ENOMEM;
	if (r == -ENOMEM) {
		rc = cli_in_error(&in, 0, "out of memory");
	} else if (r) {
		/* The library names the section and the field; its text may
		 * quote stream bytes, so it is escaped (cli.h). */
		const char *why = ppcvirt_last_error();

		cli_in_error(&in, 0, "%s",
			     cli_esc_text(why && *why ? why : strerror(-r)));
		rc = CLI_FAIL;
	} else if (json) {
		print_json(in.name, &info, &seen);
	} else {
		print_text(in.name, &info, &seen);
	}
out:
	if (rc != CLI_OK && json) {
		/* Reported on stderr; stdout still gets its one document. */
		json_object *o = json_object_new_object();
		json_object *err = json_object_new_object();

		cli_json_add(o, "file", cli_json_str(in.name));
		cli_json_add(o, "status", json_object_new_int(rc));
		cli_json_add(err, "line", NULL);
		cli_json_add(err, "message", cli_json_str(in.error));
		cli_json_add(o, "error", err);
		cli_json_print(o, json);
	}
	free(buf);
	seen_free(&seen);
	return rc;
}

int cmd_state(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub)
		return cli_usage_error("state", "no subcommand (info)");
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") ||
	    !strcmp(sub, "help")) {
		usage_state();
		return CLI_OK;
	}
	if (!strcmp(sub, "info"))
		return state_info(argc - 1, argv + 1);
	return cli_unknown_word("state", "subcommand", sub);
}
