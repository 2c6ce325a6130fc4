/* SPDX-License-Identifier: MIT */
/*
 * State stream framing (stream.h): sections with their checksums, the end
 * section, and the reader that refuses any damage before a byte of the
 * stream is believed.
 *
 * Checksums are XXH3-64 (libxxhash): it runs at memory speed, so loading a
 * large table is not slowed by checking it. It detects corruption and
 * truncation; it is not a signature (a stream from an untrusted peer needs
 * an authenticated channel, docs/migration.md).
 */
#include <errno.h>
#include <stdlib.h>

#include "state/stream.h"

static int sink_write(struct pcv_writer *w, const void *p, size_t n)
{
	int ret;

	if (w->err)
		return w->err;
	ret = w->sink->write(w->sink->opaque, p, n);
	if (ret) {
		w->err = ret < 0 ? ret : -EIO;
		return w->err;
	}
	w->bytes += n;
	return 0;
}

int pcv_writer_init(struct pcv_writer *w, const struct ppcvirt_state_sink *sink,
		    uint32_t flags, uint64_t migration, uint32_t pass)
{
	uint8_t h[PCV_HDR_LEN] = {0};

	memset(w, 0, sizeof(*w));
	if (!sink || !sink->write)
		return -EINVAL;
	w->sink = sink;
	w->all = XXH3_createState();
	w->buf = malloc(PCV_SEC_HDR_LEN + PCV_SEC_MAX + PCV_SEC_SUM_LEN);
	if (!w->all || !w->buf || XXH3_64bits_reset(w->all) != XXH_OK) {
		pcv_writer_free(w);
		return -ENOMEM;
	}
	memcpy(h, PCV_STATE_MAGIC, 8);
	pcv_put32(h + 8, PPCVIRT_STATE_VERSION);
	pcv_put32(h + 12, flags);
	pcv_put64(h + 16, migration);
	pcv_put32(h + 24, pass);
	XXH3_64bits_update(w->all, h, sizeof(h));
	return sink_write(w, h, sizeof(h));
}

void pcv_sec_begin(struct pcv_writer *w, uint16_t id, uint16_t version)
{
	if (w->open)
		pcv_sec_end(w);
	w->id = id;
	w->version = version;
	w->len = 0;
	w->open = true;
}

void pcv_sec_end(struct pcv_writer *w)
{
	uint8_t *h = w->buf;

	if (!w->open)
		return;
	w->open = false;
	pcv_put16(h, w->id);
	pcv_put16(h + 2, w->version);
	pcv_put32(h + 4, 0);
	pcv_put64(h + 8, w->len);
	pcv_put64(h + PCV_SEC_HDR_LEN + w->len,
		  XXH3_64bits(h, PCV_SEC_HDR_LEN + w->len));
	/* The stream checksum chains the section checksums: it catches a
	 * section dropped, repeated or moved without hashing twice. */
	XXH3_64bits_update(w->all, h + PCV_SEC_HDR_LEN + w->len,
			   PCV_SEC_SUM_LEN);
	if (sink_write(w, h, PCV_SEC_HDR_LEN + w->len + PCV_SEC_SUM_LEN) == 0)
		w->sections++;
}

int pcv_writer_finish(struct pcv_writer *w)
{
	uint64_t sections, sum;

	pcv_sec_end(w);
	if (w->err)
		return w->err;
	sections = w->sections;
	sum = XXH3_64bits_digest(w->all);
	pcv_sec_begin(w, PPCVIRT_STATE_SEC_END, 1);
	pcv_w64(w, sections);
	pcv_w64(w, sum);
	pcv_sec_end(w);
	return w->err;
}

void pcv_writer_free(struct pcv_writer *w)
{
	if (w->all)
		XXH3_freeState(w->all);
	free(w->buf);
	w->all = NULL;
	w->buf = NULL;
}

/* ---- reader -------------------------------------------------------------- */

int pcv_reader_init(struct pcv_reader *r, const void *buf, size_t len)
{
	const uint8_t *h = buf;

	memset(r, 0, sizeof(*r));
	if (!buf || len < PCV_HDR_LEN || memcmp(h, PCV_STATE_MAGIC, 8) != 0) {
		pcv_set_error("not a ppcvirt state stream (header: %s)",
			      !buf || len < PCV_HDR_LEN ? "truncated"
							: "bad magic");
		return -EBADMSG;
	}
	r->buf = h;
	r->len = len;
	r->pos = PCV_HDR_LEN;
	r->all = XXH3_createState();
	if (!r->all || XXH3_64bits_reset(r->all) != XXH_OK) {
		pcv_reader_free(r);
		return -ENOMEM;
	}
	XXH3_64bits_update(r->all, h, PCV_HDR_LEN);
	r->version = pcv_get32(h + 8);
	r->flags = pcv_get32(h + 12);
	r->migration = pcv_get64(h + 16);
	r->pass = pcv_get32(h + 24);
	if (r->version == 0 || r->version > PPCVIRT_STATE_VERSION) {
		pcv_set_error("header: stream format version %u, this library "
			      "reads 1..%u",
			      r->version, PPCVIRT_STATE_VERSION);
		return -EPROTO;
	}
	if ((r->flags & ~PCV_STATE_DELTA) || pcv_get32(h + 28) ||
	    ((r->flags & PCV_STATE_DELTA) && r->pass < 2) ||
	    (!(r->flags & PCV_STATE_DELTA) && r->pass >= 2) ||
	    (r->pass && !r->migration) || (!r->pass && r->migration)) {
		pcv_set_error("header: flags 0x%x, pass %u and migration id "
			      "do not fit together",
			      r->flags, r->pass);
		return -EBADMSG;
	}
	return 0;
}

int pcv_reader_next(struct pcv_reader *r, struct pcv_sec *s)
{
	const uint8_t *h;
	uint64_t len, want;

	if (r->ended)
		return 0;
	if (r->len - r->pos < PCV_SEC_HDR_LEN) {
		pcv_set_error("section %llu at offset %zu: truncated header "
			      "(the stream ends without its end section)",
			      (unsigned long long)r->nsec, r->pos);
		return -EBADMSG;
	}
	h = r->buf + r->pos;
	len = pcv_get64(h + 8);
	if (len > r->len - r->pos - PCV_SEC_HDR_LEN ||
	    r->len - r->pos - PCV_SEC_HDR_LEN - len < PCV_SEC_SUM_LEN) {
		pcv_set_error("section %llu (%s) at offset %zu: length %llu "
			      "runs past the end of the stream",
			      (unsigned long long)r->nsec,
			      pcv_sec_name(pcv_get16(h)), r->pos,
			      (unsigned long long)len);
		return -EBADMSG;
	}
	want = pcv_get64(h + PCV_SEC_HDR_LEN + len);
	if (XXH3_64bits(h, PCV_SEC_HDR_LEN + len) != want) {
		pcv_set_error("section %llu (%s) at offset %zu: checksum "
			      "mismatch",
			      (unsigned long long)r->nsec,
			      pcv_sec_name(pcv_get16(h)), r->pos);
		return -EBADMSG;
	}
	if (pcv_get32(h + 4) != 0) {
		pcv_set_error("section %llu (%s) at offset %zu: reserved "
			      "header field is 0x%x, not 0",
			      (unsigned long long)r->nsec,
			      pcv_sec_name(pcv_get16(h)), r->pos,
			      pcv_get32(h + 4));
		return -EBADMSG;
	}
	*s = (struct pcv_sec){
		.id = pcv_get16(h),
		.version = pcv_get16(h + 2),
		.off = r->pos,
		.p = h + PCV_SEC_HDR_LEN,
		.len = len,
	};
	if (s->id == PPCVIRT_STATE_SEC_END) {
		if (len != 16 || pcv_get64(s->p) != r->nsec ||
		    pcv_get64(s->p + 8) != XXH3_64bits_digest(r->all)) {
			pcv_set_error("end section at offset %zu: the stream's "
				      "section count or checksum is wrong "
				      "(sections dropped, reordered or "
				      "spliced)",
				      r->pos);
			return -EBADMSG;
		}
		r->pos += PCV_SEC_HDR_LEN + len + PCV_SEC_SUM_LEN;
		if (r->pos != r->len) {
			pcv_set_error("%zu bytes after the end section",
				      r->len - r->pos);
			return -EBADMSG;
		}
		r->ended = true;
		return 0;
	}
	XXH3_64bits_update(r->all, h + PCV_SEC_HDR_LEN + len, PCV_SEC_SUM_LEN);
	r->pos += PCV_SEC_HDR_LEN + len + PCV_SEC_SUM_LEN;
	r->nsec++;
	return 1;
}

void pcv_reader_free(struct pcv_reader *r)
{
	if (r->all)
		XXH3_freeState(r->all);
	r->all = NULL;
}

const char *pcv_sec_name(uint32_t id)
{
	switch (id) {
	case PPCVIRT_STATE_SEC_VM:
		return "vm";
	case PPCVIRT_STATE_SEC_MEMORY:
		return "memory";
	case PPCVIRT_STATE_SEC_REGIONS:
		return "regions";
	case PPCVIRT_STATE_SEC_TABLE:
		return "table";
	case PPCVIRT_STATE_SEC_TABLE_DIFF:
		return "table diff";
	case PPCVIRT_STATE_SEC_TABLE_GONE:
		return "table gone";
	case PPCVIRT_STATE_SEC_PHB:
		return "phb";
	case PPCVIRT_STATE_SEC_TLB:
		return "tlb";
	case PCV_SEC_RUNS:
		return "runs";
	case PPCVIRT_STATE_SEC_END:
		return "end";
	default:
		return id >= PPCVIRT_STATE_USER_FIRST &&
				       id <= PPCVIRT_STATE_USER_LAST
			       ? "user"
			       : "unknown";
	}
}
