/* SPDX-License-Identifier: MIT */
/*
 * Guest memory slots (KVM_SET_USER_MEMORY_REGION): an immutable array,
 * sorted by guest-physical address, published through vm->slots and
 * replaced as a whole on every change (src/core/mem.c).
 */
#ifndef PPCVIRT_SRC_CORE_MEM_H
#define PPCVIRT_SRC_CORE_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "core/common.h"

struct pcv_slot {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
	uint32_t id;
	int memfd; /* >= 0 when ppcvirt allocated the memory */
	/* While DMA dirty logging is on: one bit per 4 KiB page, freed with
	 * the slot (src/state/dirty.c). */
	_Atomic uint64_t *dirty;
};

struct pcv_memslots {
	size_t n;
	struct pcv_slot s[]; /* sorted by gpa, non-overlapping */
};

/*
 * Find the slot holding all of [gpa, gpa + len). Overflow-safe: a range
 * that wraps, is empty, leaves guest memory or straddles slots finds none.
 * Context: inside pcv_rcu_lock().
 */
static inline const struct pcv_slot *
pcv_slot_find(const struct pcv_memslots *ms, uint64_t gpa, uint64_t len)
{
	if (!ms || len == 0)
		return NULL;
	for (size_t i = 0; i < ms->n; i++) {
		const struct pcv_slot *s = &ms->s[i];
		uint64_t off;

		if (gpa < s->gpa)
			return NULL; /* sorted: no later slot can hold it */
		off = gpa - s->gpa;
		if (off >= s->size)
			continue;
		/* off < size, so size - off does not underflow. */
		return len <= s->size - off ? s : NULL;
	}
	return NULL;
}

/*
 * Host address of [gpa, gpa + len) when it lies inside one slot, else
 * NULL (the rules of pcv_slot_find). Context: inside pcv_rcu_lock().
 */
static inline uint8_t *pcv_gpa_hva(const struct pcv_memslots *ms, uint64_t gpa,
				   uint64_t len)
{
	const struct pcv_slot *s = pcv_slot_find(ms, gpa, len);

	return s ? s->hva + (gpa - s->gpa) : NULL;
}

PCV_INTERNAL void pcv_memslots_free(struct pcv_memslots *ms);
/* A dirty bitmap for slot @s when logging is on (NULL when off), or -ENOMEM.
 * vm->lock held. */
PCV_INTERNAL int pcv_slot_dirty_init(struct ppcvirt_vm *vm, struct pcv_slot *s);

#endif
