/* SPDX-License-Identifier: MIT */
/*
 * What the rest of the library asks of the state module (src/state/).
 */
#ifndef PPCVIRT_SRC_STATE_STATE_H
#define PPCVIRT_SRC_STATE_STATE_H

#include "core/vm.h"
#include "tce/table.h"

/* A table created while a migration of @vm runs is tracked from birth.
 * vm->lock held. Return: 0 or -errno. */
PCV_INTERNAL int pcv_migration_track_new(struct ppcvirt_vm *vm,
					 struct pcv_table *t);

/* Mark guest memory [gpa, gpa + len) of slot @s dirty (DMA wrote it),
 * when logging; caller holds pcv_rcu_lock(). */
PCV_INTERNAL void pcv_slot_mark_slow(const struct pcv_slot *s, uint64_t gpa,
				     uint64_t len);
static inline void pcv_slot_mark(const struct pcv_slot *s, uint64_t gpa,
				 uint64_t len)
{
	if (pcv_unlikely(s->dirty != NULL))
		pcv_slot_mark_slow(s, gpa, len);
}

#endif
