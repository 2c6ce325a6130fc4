/* SPDX-License-Identifier: MIT */
/*
 * The state stream's framing (docs/migration.md): writer and reader of the
 * header, of sections (id, version, length, payload, checksum) and of the
 * end section, and the little-endian field helpers both sides use.
 *
 * Stream:  header | section* | end
 * Header:  "PPCVSTAT" u32 version, u32 flags, u64 migration id, u32 pass,
 *          u32 reserved                                     (32 bytes)
 * Section: u16 id, u16 version, u32 reserved, u64 length | payload |
 *          u64 XXH3-64 of header and payload
 * End:     a section with id 0xffff whose payload is u64 number of
 *          sections before it and u64 XXH3-64 of the header followed by
 *          every section checksum in order (a chain, so a section dropped,
 *          repeated or moved is caught without hashing the stream twice).
 *
 * The writer buffers one section's payload (at most PCV_SEC_MAX bytes; big
 * tables are cut into several RUNS sections) and hands finished sections
 * to the sink, so a stream of any size needs a bounded buffer.
 */
#ifndef PPCVIRT_SRC_STATE_STREAM_H
#define PPCVIRT_SRC_STATE_STREAM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* libxxhash (Debian libxxhash-dev) in its header-only form: no run-time
 * dependency for embedders, and the hash inlined where it is used. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <ppcvirt/state.h>

#include "core/common.h"

/* Header flag: a migration pass after the first. */
#define PCV_STATE_DELTA 0x1u
/* Section of entries of the table section before it. */
#define PCV_SEC_RUNS 9

#define PCV_STATE_MAGIC	 "PPCVSTAT"
#define PCV_HDR_LEN	 32
#define PCV_SEC_HDR_LEN	 16
#define PCV_SEC_SUM_LEN	 8
#define PCV_SEC_MAX	 (1u << 20)
#define PCV_RUNS_HDR_LEN 16 /* u64 liobn, u32 nruns, u32 reserved */

/* ---- little-endian fields ------------------------------------------------
 * One unaligned load or store each (memcpy), swapped on a big-endian host:
 * tables are streamed entry by entry, so these run once per entry.
 */

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PCV_LE16(v) __builtin_bswap16(v)
#define PCV_LE32(v) __builtin_bswap32(v)
#define PCV_LE64(v) __builtin_bswap64(v)
#else
#define PCV_LE16(v) (v)
#define PCV_LE32(v) (v)
#define PCV_LE64(v) (v)
#endif

static inline void pcv_put16(uint8_t *p, uint16_t v)
{
	v = PCV_LE16(v);
	memcpy(p, &v, sizeof(v));
}

static inline void pcv_put32(uint8_t *p, uint32_t v)
{
	v = PCV_LE32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void pcv_put64(uint8_t *p, uint64_t v)
{
	v = PCV_LE64(v);
	memcpy(p, &v, sizeof(v));
}

static inline uint16_t pcv_get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return PCV_LE16(v);
}

static inline uint32_t pcv_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return PCV_LE32(v);
}

static inline uint64_t pcv_get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return PCV_LE64(v);
}

/* ---- writer -------------------------------------------------------------- */

struct pcv_writer {
	const struct ppcvirt_state_sink *sink;
	XXH3_state_t *all; /* every byte so far */
	uint8_t *buf;	   /* header room + payload + checksum room */
	size_t len;	   /* payload bytes in the open section */
	uint16_t id, version;
	bool open;
	uint64_t sections, bytes;
	int err; /* first error; later calls do nothing */
};

PCV_INTERNAL int pcv_writer_init(struct pcv_writer *w,
				 const struct ppcvirt_state_sink *sink,
				 uint32_t flags, uint64_t migration,
				 uint32_t pass);
/* Open a section; its payload is appended with pcv_w*(). */
PCV_INTERNAL void pcv_sec_begin(struct pcv_writer *w, uint16_t id,
				uint16_t version);
/* Close and send the open section. */
PCV_INTERNAL void pcv_sec_end(struct pcv_writer *w);
/* Room left in the open section's payload. */
static inline size_t pcv_sec_room(const struct pcv_writer *w)
{
	return PCV_SEC_MAX - w->len;
}
/* Append @n bytes to the open section: NULL, and the stream fails with
 * -E2BIG, when the section has no room for them (callers that cut their
 * data into sections check pcv_sec_room() first; this is the backstop). */
static inline uint8_t *pcv_wspace(struct pcv_writer *w, size_t n)
{
	uint8_t *p = w->buf + PCV_SEC_HDR_LEN + w->len;

	if (n > pcv_sec_room(w)) {
		if (!w->err)
			w->err = -E2BIG;
		return NULL;
	}
	w->len += n;
	return p;
}
static inline void pcv_w32(struct pcv_writer *w, uint32_t v)
{
	uint8_t *p = pcv_wspace(w, 4);

	if (p)
		pcv_put32(p, v);
}
static inline void pcv_w64(struct pcv_writer *w, uint64_t v)
{
	uint8_t *p = pcv_wspace(w, 8);

	if (p)
		pcv_put64(p, v);
}
/* Write the end section; returns the first error of the stream, or 0. */
PCV_INTERNAL int pcv_writer_finish(struct pcv_writer *w);
/* Free the writer's buffers (after finish, or to abandon a stream). */
PCV_INTERNAL void pcv_writer_free(struct pcv_writer *w);

/* ---- reader -------------------------------------------------------------- */

struct pcv_sec {
	uint16_t id, version;
	uint64_t off; /* of the section header in the stream */
	const uint8_t *p;
	uint64_t len; /* payload */
};

struct pcv_reader {
	const uint8_t *buf;
	size_t len, pos;
	uint32_t version, flags, pass;
	uint64_t migration;
	uint64_t nsec;
	bool ended;
	XXH3_state_t *all; /* header + section checksums so far */
};

/* Check the header. Returns 0 or -EBADMSG/-EPROTO (with last error), or
 * -ENOMEM; pcv_reader_free() afterwards in every case. */
PCV_INTERNAL int pcv_reader_init(struct pcv_reader *r, const void *buf,
				 size_t len);
/*
 * The next section, its checksum verified; at the end section, checks the
 * stream checksum and the count and returns 0 with r->ended set. Returns
 * 1 for a section, 0 at the end, -EBADMSG on damage.
 */
PCV_INTERNAL int pcv_reader_next(struct pcv_reader *r, struct pcv_sec *s);

PCV_INTERNAL void pcv_reader_free(struct pcv_reader *r);

/* A bounds-checked cursor over a section's payload. */
struct pcv_cur {
	const uint8_t *p, *end;
	bool bad;
};

static inline struct pcv_cur pcv_cur_of(const struct pcv_sec *s)
{
	struct pcv_cur c = {s->p, s->p + s->len, false};

	return c;
}

static inline const uint8_t *pcv_take(struct pcv_cur *c, size_t n)
{
	const uint8_t *p = c->p;

	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	c->p += n;
	return p;
}

static inline uint32_t pcv_r32(struct pcv_cur *c)
{
	const uint8_t *p = pcv_take(c, 4);

	return p ? pcv_get32(p) : 0;
}

static inline uint64_t pcv_r64(struct pcv_cur *c)
{
	const uint8_t *p = pcv_take(c, 8);

	return p ? pcv_get64(p) : 0;
}

/* Name of a section id for messages ("table", "user", "unknown"). */
PCV_INTERNAL const char *pcv_sec_name(uint32_t id);

#endif
