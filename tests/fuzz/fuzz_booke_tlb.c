/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the BookE e500 TLB, checked against a deliberately
 * simple reference model that lives here, not in src/: the model keeps its
 * own entry array and answers every lookup by scanning all entries, with
 * no set indexing, no decoded copy and no TLB1 index. After every
 * operation the library's shared array must equal the model's, and every
 * translate / tlbsx / tlbre result must agree.
 *
 * Input: byte 0 = 's' runs the rest as a TLB script (parser robustness:
 * any outcome is fine, crashes and sanitizer reports are not). Otherwise
 * byte 0 picks a geometry (e500mc, e500v2, or a small custom one from the
 * next bytes, to make set and TLB1 collisions likely) and the remaining
 * bytes are a sequence of operations: tlbwe with fuzzed MAS values (EPNs
 * drawn mostly from a small pool), tlbre, tlbsx, translate (and delivery
 * of the miss interrupt's MAS load), tlbivax,
 * tlbilx, MMUCSR0, PID writes, single-entry writes, VMM edits followed by
 * a dirty sync, and invalidate-all.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#include "tlb_script.h"

#define MAXN (2048 + 64)

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t g8(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint32_t g32(struct in *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | g8(in);
	return v;
}

/* ---- the reference model ---------------------------------------------- */

struct model {
	uint32_t size0, ways0, sets0, size1, npids, pid_mask;
	uint32_t pid[3];
	uint32_t last_way;
	struct ppcvirt_booke_mas mas;
	struct ppcvirt_book3e_206_tlb_entry e[MAXN];
};

static uint32_t m_tsize(const struct model *m, uint32_t i)
{
	return i < m->size0 ? 2 : (m->e[i].mas1 >> 7) & 0x1f;
}

static uint32_t m_tid(const struct model *m, uint32_t i)
{
	return (m->e[i].mas1 >> 16) & 0x3fff & m->pid_mask;
}

static bool m_legal1(uint32_t tsize)
{
	return !(tsize & 1) && tsize >= 2 && tsize <= 24;
}

/* Does entry i's page contain ea (32-bit EA space)? */
static bool m_covers(const struct model *m, uint32_t i, uint32_t ea)
{
	uint64_t mask = ~((1024ull << m_tsize(m, i)) - 1);

	return ((uint64_t)ea & mask) == ((m->e[i].mas2 & 0xffffffffull) & mask);
}

/* Which entry would tlbwe/tlbre address? -1: none. */
static int64_t m_target(const struct model *m, uint32_t *way)
{
	uint32_t sel = (m->mas.mas0 >> 28) & 3,
		 esel = (m->mas.mas0 >> 16) & 0xfff;

	if (sel == 0) {
		*way = esel % m->ways0;
		return (int64_t)(((uint32_t)m->mas.mas2 >> 12) % m->sets0) *
			       m->ways0 +
		       *way;
	}
	if (sel == 1 && m->size1) {
		uint32_t p2 = 1;

		while (p2 < m->size1)
			p2 *= 2;
		*way = esel % p2;
		if (*way < m->size1)
			return m->size0 + *way;
	}
	return -1;
}

static int m_tlbwe(struct model *m)
{
	uint32_t way, mas1 = m->mas.mas1, tsize;
	int64_t i = m_target(m, &way);
	uint64_t size;

	if (i < 0)
		return PPCVIRT_TLB_PROGRAM;
	if (i >= m->size0) {
		tsize = (mas1 >> 7) & 0x1f;
		if ((mas1 & 0x80000000u) && !m_legal1(tsize))
			return PPCVIRT_TLB_PROGRAM;
	} else {
		tsize = 2;
		mas1 = (mas1 & ~0x40000f80u) | (2u << 7);
	}
	size = 1024ull << tsize;
	m->e[i].mas1 = mas1;
	m->e[i].mas2 = (m->mas.mas2 & 0xffffffffull) & (~(size - 1) | 0x7f);
	m->e[i].mas7_3 = (uint64_t)m->mas.mas7 << 32 | m->mas.mas3;
	return 0;
}

static void m_load(struct model *m, uint32_t i, uint32_t way)
{
	m->mas.mas0 = (uint32_t)(i >= m->size0) << 28 | way << 16 | m->last_way;
	m->mas.mas1 = m->e[i].mas1;
	m->mas.mas2 = m->e[i].mas2;
	m->mas.mas3 = (uint32_t)m->e[i].mas7_3;
	m->mas.mas7 = (uint32_t)(m->e[i].mas7_3 >> 32);
}

/* Scan everything. Returns the match count, *first = first index. */
static int m_lookup(const struct model *m, uint32_t ea, uint32_t as,
		    const uint32_t *pids, uint32_t npids, uint32_t *first)
{
	int n = 0;

	for (uint32_t i = 0; i < m->size0 + m->size1; i++) {
		uint32_t mas1 = m->e[i].mas1, tid = m_tid(m, i);
		bool pid_ok = tid == 0;

		for (uint32_t k = 0; k < npids; k++)
			pid_ok |= tid == pids[k];
		if ((mas1 & 0x80000000u) && ((mas1 >> 12) & 1) == as &&
		    pid_ok && m_covers(m, i, ea)) {
			if (!n)
				*first = i;
			n++;
		}
	}
	return n;
}

static void m_inval_if(struct model *m, uint32_t i)
{
	if ((m->e[i].mas1 & 0x80000000u) && !(m->e[i].mas1 & 0x40000000u))
		m->e[i].mas1 &= ~0x80000000u;
}

static bool m_valid_entry(const struct model *m, uint32_t i,
			  const struct ppcvirt_book3e_206_tlb_entry *e)
{
	uint32_t tsize = (e->mas1 >> 7) & 0x1f;

	if (!(e->mas1 & 0x80000000u))
		return true;
	if (e->mas2 >> 32)
		return false;
	if (i < m->size0)
		return tsize == 2 && !(e->mas1 & 0x40000000u) &&
		       ((uint32_t)e->mas2 >> 12) % m->sets0 == i / m->ways0;
	return m_legal1(tsize) &&
	       !((e->mas2 & ~0xfffull) & ((1024ull << tsize) - 1));
}

/* ---- driver ------------------------------------------------------------ */

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_booke_tlb: model mismatch: %s\n", what);
		abort();
	}
}

static void compare_arrays(struct ppcvirt_tlb *tlb, const struct model *m,
			   struct ppcvirt_book3e_206_tlb_entry *tmp)
{
	uint32_t n = m->size0 + m->size1;

	check(ppcvirt_tlb_read_all(tlb, tmp, n) == (int)n, "read_all");
	check(!memcmp(tmp, m->e, n * sizeof(*tmp)), "array contents");
}

static uint32_t pick_ea(struct in *in)
{
	static const uint32_t pool[8] = {0x00000000, 0x00003000, 0x50003000,
					 0x50083000, 0x40000000, 0x40100000,
					 0xfffff000, 0x80000000};
	uint8_t b = g8(in);

	if (b & 0x80)
		return g32(in);
	return pool[b & 7] + ((uint32_t)(b >> 3 & 0xf) << 12) +
	       (b & 0x40 ? 0xabc : 0);
}

static void script_mode(const uint8_t *data, size_t size)
{
	struct ppcvirt_tlb_script_result res;
	struct ppcvirt_tlb *tlb = NULL;

	if (ppcvirt_tlb_script_run((const char *)data, size, NULL, NULL, &res,
				   &tlb) == 0)
		check(tlb != NULL, "script tlb_out");
	ppcvirt_tlb_destroy(tlb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	static struct ppcvirt_book3e_206_tlb_entry shared[MAXN], tmp[MAXN];
	static uint8_t bitmap[MAXN / 8 + 8];
	struct ppcvirt_book3e_206_tlb_params p;
	struct ppcvirt_config_tlb c;
	struct ppcvirt_tlb *tlb = NULL;
	struct in in = {data, size};
	enum ppcvirt_booke_core core = PPCVIRT_BOOKE_E500MC;
	uint8_t g;
	int ops = 0;

	if (size && data[0] == 's') {
		script_mode(data + 1, size - 1);
		return 0;
	}
	g = g8(&in);
	memset(&m, 0, sizeof(m));
	memset(&p, 0, sizeof(p));
	memset(shared, 0, sizeof(shared));
	switch (g % 3) {
	case 0:
		p.tlb_sizes[0] = 512, p.tlb_ways[0] = 4, p.tlb_sizes[1] = 64;
		break;
	case 1:
		core = PPCVIRT_BOOKE_E500V2;
		p.tlb_sizes[0] = 512, p.tlb_ways[0] = 4, p.tlb_sizes[1] = 16;
		break;
	default: {
		uint8_t b = g8(&in);

		p.tlb_ways[0] = 1u << (b & 3); /* 1..8 */
		p.tlb_sizes[0] = p.tlb_ways[0]
				 << ((b >> 2) & 3); /* 1..8 sets */
		p.tlb_sizes[1] = g8(&in) % 65;
		break;
	}
	}
	p.tlb_ways[1] = p.tlb_sizes[1];
	c.params = (uintptr_t)&p;
	c.array = (uintptr_t)shared;
	c.mmu_type = PPCVIRT_MMU_FSL_BOOKE_NOHV;
	c.array_len = sizeof(shared);
	if (ppcvirt_tlb_create(core, &tlb))
		return 0;
	check(ppcvirt_tlb_config(tlb, &c) == 0, "config");
	m.size0 = p.tlb_sizes[0];
	m.ways0 = p.tlb_ways[0];
	m.sets0 = m.size0 / m.ways0;
	m.size1 = p.tlb_sizes[1];
	m.npids = core == PPCVIRT_BOOKE_E500V2 ? 3 : 1;
	m.pid_mask = core == PPCVIRT_BOOKE_E500V2 ? 0xff : 0x3fff;

	while (in.n && ops++ < 512) {
		uint8_t op = g8(&in);
		struct ppcvirt_booke_mas got;
		int r, mr;

		switch (op % 12) {
		case 0:
		case 1: { /* tlbwe */
			uint8_t b = g8(&in);

			m.mas.mas0 = (uint32_t)(b & 3) << 28 | (uint32_t)g8(&in)
								       << 16;
			if (b & 4)
				m.mas.mas0 = g32(&in);
			m.mas.mas1 = 0x80000000u * !!(b & 8) |
				     0x40000000u * !!(b & 0x10) |
				     (uint32_t)(g8(&in) & 7) << 16 |
				     0x1000u * !!(b & 0x20) |
				     (uint32_t)(g8(&in) & 0x1f) << 7;
			if (b & 0x40)
				m.mas.mas1 = g32(&in);
			m.mas.mas2 = pick_ea(&in) | (g8(&in) & 0x7f);
			if (b & 0x80)
				m.mas.mas2 |= (uint64_t)g32(&in) << 32;
			m.mas.mas3 =
				(g32(&in) & 0xfffff000u) | (g8(&in) & 0x3f);
			m.mas.mas7 = g8(&in) & 0xf;
			ppcvirt_tlb_set_mas(tlb, &m.mas);
			r = ppcvirt_tlb_tlbwe(tlb);
			mr = m_tlbwe(&m);
			check(r == mr, "tlbwe result");
			break;
		}
		case 2: { /* tlbre */
			uint32_t way;
			int64_t i;

			m.mas.mas0 = (uint32_t)(g8(&in) & 3) << 28 |
				     (uint32_t)g8(&in) << 16;
			m.mas.mas2 = pick_ea(&in);
			ppcvirt_tlb_set_mas(tlb, &m.mas);
			check(ppcvirt_tlb_tlbre(tlb) == 0, "tlbre");
			i = m_target(&m, &way);
			if (i < 0)
				m.mas.mas1 = 0;
			else
				m_load(&m, (uint32_t)i, way);
			ppcvirt_tlb_get_mas(tlb, &got);
			check(!memcmp(&got, &m.mas, sizeof(got)), "tlbre MAS");
			break;
		}
		case 3: { /* tlbsx */
			uint32_t ea = pick_ea(&in), first = 0, pid[1];
			uint8_t b = g8(&in);
			int n;

			m.mas.mas4 = g32(&in);
			m.mas.mas6 = (uint32_t)(b & 7) << 16 | (b >> 7);
			ppcvirt_tlb_set_mas(tlb, &m.mas);
			r = ppcvirt_tlb_tlbsx(tlb, ea);
			pid[0] = b & 7;
			n = m_lookup(&m, ea, b >> 7, pid, 1, &first);
			if (n > 1) {
				check(r == PPCVIRT_TLB_MULTIHIT, "tlbsx multi");
			} else if (n == 1) {
				check(r == 0, "tlbsx hit");
				m_load(&m, first,
				       first < m.size0 ? first % m.ways0
						       : first - m.size0);
			} else {
				check(r == 0, "tlbsx miss");
				m.mas.mas0 = (m.mas.mas4 & 0x30000000u) |
					     m.last_way << 16;
				m.last_way = (m.last_way + 1) % m.ways0;
				m.mas.mas0 |= m.last_way;
				m.mas.mas1 = (b & 7) << 16 |
					     (b >> 7 ? 0x1000u : 0) |
					     (m.mas.mas4 & 0xf80);
				m.mas.mas2 = m.mas.mas4 & 0x1f;
				m.mas.mas3 = m.mas.mas7 = 0;
			}
			ppcvirt_tlb_get_mas(tlb, &got);
			check(!memcmp(&got, &m.mas, sizeof(got)), "tlbsx MAS");
			break;
		}
		case 4:
		case 5: { /* translate */
			uint32_t ea = pick_ea(&in), first = 0, pids[3];
			uint8_t b = g8(&in);
			uint32_t as = b & 1, pr = (b >> 1) & 1,
				 acc = ((b >> 2) & 3) % 3, pid = (b >> 4) & 7;
			struct ppcvirt_tlb_xlate x;
			int n, want;

			r = ppcvirt_tlb_xlate(tlb, ea, as, pid, pr, acc, &x);
			pids[0] = pid & m.pid_mask;
			pids[1] = m.pid[1];
			pids[2] = m.pid[2];
			n = m_lookup(&m, ea, as, pids, m.npids, &first);
			if (n == 0) {
				want = PPCVIRT_TLB_MISS;
			} else if (n > 1) {
				want = PPCVIRT_TLB_MULTIPLE;
			} else {
				static const uint32_t bit[2][3] = {
					{0x01, 0x04, 0x10}, {0x02, 0x08, 0x20}};
				uint64_t sz = 1024ull << m_tsize(&m, first);

				want = (m.e[first].mas7_3 & bit[pr][acc])
					       ? PPCVIRT_TLB_HIT
					       : PPCVIRT_TLB_DENIED;
				check(x.real_addr ==
					      ((m.e[first].mas7_3 & ~(sz - 1)) |
					       (ea & (sz - 1))),
				      "translate PA");
				check(x.page_size == sz, "translate size");
			}
			check(r == want, "translate status");
			if (r == PPCVIRT_TLB_MISS && (b & 0x80)) {
				/* The guest takes the miss interrupt. */
				uint32_t tsel = (m.mas.mas4 >> 16) & 3;
				uint32_t p0 = pid & m.pid_mask;
				uint32_t tid = tsel == 0   ? p0
					       : tsel == 3 ? 0
							   : m.pid[tsel];

				check(ppcvirt_tlb_deliver_miss(tlb, ea, as,
							       pid) == 0,
				      "deliver_miss");
				m.mas.mas0 = (m.mas.mas4 & 0x30000000u) |
					     m.last_way << 16;
				m.last_way = (m.last_way + 1) % m.ways0;
				m.mas.mas0 |= m.last_way;
				m.mas.mas1 = 0x80000000u | tid << 16 |
					     (as ? 0x1000u : 0) |
					     (m.mas.mas4 & 0xf80);
				m.mas.mas2 = (ea & 0xfffff000u) |
					     (m.mas.mas4 & 0x1f);
				m.mas.mas3 = m.mas.mas7 = 0;
				m.mas.mas6 = p0 << 16 | as;
				ppcvirt_tlb_get_mas(tlb, &got);
				check(!memcmp(&got, &m.mas, sizeof(got)),
				      "miss MAS");
			}
			break;
		}
		case 6: { /* tlbivax */
			uint32_t ea = pick_ea(&in) | (g8(&in) & 0xc);
			bool t1 = ea & 8;
			uint32_t from = t1 ? m.size0 : 0;
			uint32_t to = t1 ? m.size0 + m.size1 : m.size0;

			check(ppcvirt_tlb_tlbivax(tlb, ea) == 0, "tlbivax");
			for (uint32_t i = from; i < to; i++)
				if ((ea & 4) || m_covers(&m, i, ea & ~0xfffu))
					m_inval_if(&m, i);
			break;
		}
		case 7: { /* tlbilx */
			uint8_t b = g8(&in);
			uint32_t ea = pick_ea(&in), t = b & 3,
				 spid = (b >> 2) & 7;

			m.mas.mas6 = spid << 16;
			ppcvirt_tlb_set_mas(tlb, &m.mas);
			r = ppcvirt_tlb_tlbilx(tlb, t, ea);
			check(r == (t == 2 ? PPCVIRT_TLB_PROGRAM : 0),
			      "tlbilx");
			for (uint32_t i = 0; t != 2 && i < m.size0 + m.size1;
			     i++) {
				uint32_t tid = m_tid(&m, i);

				if (t == 0 || (t == 1 && tid == spid) ||
				    (t == 3 && (tid == 0 || tid == spid) &&
				     !(m.e[i].mas1 & 0x2000u) &&
				     m_covers(&m, i, ea)))
					m_inval_if(&m, i);
			}
			break;
		}
		case 8: { /* MMUCSR0 */
			uint8_t b = g8(&in);

			check(ppcvirt_tlb_mmucsr0_write(tlb, b) == 0,
			      "mmucsr0");
			for (uint32_t i = 0; i < m.size0 + m.size1; i++)
				if ((i < m.size0 && (b & 4)) ||
				    (i >= m.size0 && (b & 2)))
					m_inval_if(&m, i);
			break;
		}
		case 9: { /* PID write */
			uint8_t b = g8(&in);
			uint32_t n = b % 3, v = g8(&in) & 7;

			r = ppcvirt_tlb_set_pid(tlb, n, v);
			check(r == (n < m.npids ? 0 : -ENOENT), "set_pid");
			if (n < m.npids)
				m.pid[n] = v;
			break;
		}
		case 10: { /* raw write: single entry, or VMM edit + dirty */
			uint8_t b = g8(&in);
			uint32_t n = m.size0 + m.size1;
			struct ppcvirt_book3e_206_tlb_entry e;
			uint32_t i;

			if (!n)
				break;
			i = (uint32_t)g8(&in) << 8 | g8(&in);
			i %= n;
			e.mas8 = 0;
			e.mas1 = 0x80000000u * !!(b & 1) |
				 0x40000000u * !!(b & 2) |
				 (uint32_t)(g8(&in) & 0x1f) << 7 |
				 (uint32_t)(g8(&in) & 7) << 16;
			e.mas2 = pick_ea(&in) & ~0xfffu;
			if ((b & 4) && i < m.size0) /* aim at its set */
				e.mas2 =
					(uint64_t)((g32(&in) & ~(m.sets0 - 1)) +
						   i / m.ways0)
						<< 12 &
					0xfffff000u;
			e.mas7_3 = (uint64_t)g32(&in) << 12 | 0x3f;
			if (b & 8) {
				r = ppcvirt_tlb_write_entry(
					tlb, i >= m.size0,
					i >= m.size0 ? i - m.size0 : i, &e);
			} else {
				struct ppcvirt_dirty_tlb d = {
					.bitmap = (uintptr_t)bitmap,
					.num_dirty = 1};

				shared[i] = e;
				memset(bitmap, 0, sizeof(bitmap));
				bitmap[i / 8] = (uint8_t)(1u << (i % 8));
				r = ppcvirt_tlb_dirty(tlb, &d);
				if (r) { /* VMM puts the old entry back */
					shared[i] = m.e[i];
					check(ppcvirt_tlb_dirty(tlb, &d) == 0,
					      "dirty restore");
				}
			}
			check((r == 0) == m_valid_entry(&m, i, &e),
			      "entry validation");
			if (!r)
				m.e[i] = e;
			break;
		}
		default: /* invalidate all, rarely */
			if (g8(&in) == 0x5a) {
				ppcvirt_tlb_invalidate_all(tlb);
				memset(m.e, 0, sizeof(m.e));
				m.last_way = 0;
			}
			break;
		}
		compare_arrays(tlb, &m, tmp);
	}
	ppcvirt_tlb_destroy(tlb);
	return 0;
}
