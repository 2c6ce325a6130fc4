/* SPDX-License-Identifier: MIT */
/*
 * Dirty logging of guest memory written by device DMA, like KVM's
 * KVM_MEM_LOG_DIRTY_PAGES and KVM_GET_DIRTY_LOG, so that a VMM migrating
 * guest RAM knows the pages ppcvirt's DMA translation wrote
 * (include/ppcvirt/state.h).
 *
 * While logging is on, every memory slot carries a bitmap (one bit per
 * 4 KiB page). Slots are an immutable array replaced as a whole, so
 * turning logging on or off publishes a copy of the array with or without
 * bitmaps and frees the old ones after a grace period; a slot added
 * meanwhile gets its bitmap at birth. Writers set bits with an atomic OR,
 * the reader takes each word with an atomic exchange: a page written
 * while the log is read is reported now or next time, never lost.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/vm.h"
#include "state/state.h"

#define PAGE_SHIFT 12

static size_t bitmap_words(const struct pcv_slot *s)
{
	return (size_t)(((s->size >> PAGE_SHIFT) + 63) / 64);
}

int pcv_slot_dirty_init(struct ppcvirt_vm *vm, struct pcv_slot *s)
{
	s->dirty = NULL;
	if (!atomic_load_explicit(&vm->dma_logging, memory_order_relaxed))
		return 0;
	s->dirty = calloc(bitmap_words(s), sizeof(uint64_t));
	return s->dirty ? 0 : -ENOMEM;
}

void pcv_slot_mark_slow(const struct pcv_slot *s, uint64_t gpa, uint64_t len)
{
	uint64_t first, last;

	if (len == 0 || gpa < s->gpa)
		return;
	first = (gpa - s->gpa) >> PAGE_SHIFT;
	last = (gpa - s->gpa + len - 1) >> PAGE_SHIFT;
	for (uint64_t p = first; p <= last; p++)
		atomic_fetch_or_explicit(&s->dirty[p / 64], 1ull << (p % 64),
					 memory_order_relaxed);
}

/* Publish a copy of the slots with bitmaps (@on) or without. */
static int relog(struct ppcvirt_vm *vm, bool on)
{
	struct pcv_memslots *old, *nw;
	size_t n;
	int ret = pcv_ctl_lock(&vm->lock);

	if (ret)
		return ret;
	if (atomic_load_explicit(&vm->dma_logging, memory_order_relaxed) ==
	    on) {
		pcv_ctl_unlock(&vm->lock);
		return 0;
	}
	old = atomic_load_explicit(&vm->slots, memory_order_relaxed);
	n = old ? old->n : 0;
	nw = malloc(sizeof(*nw) + n * sizeof(nw->s[0]));
	if (!nw) {
		pcv_ctl_unlock(&vm->lock);
		return -ENOMEM;
	}
	nw->n = n;
	atomic_store_explicit(&vm->dma_logging, on, memory_order_relaxed);
	for (size_t i = 0; i < n; i++) {
		nw->s[i] = old->s[i];
		ret = pcv_slot_dirty_init(vm, &nw->s[i]);
		if (ret) {
			while (i--)
				free((void *)(uintptr_t)nw->s[i].dirty);
			free(nw);
			atomic_store_explicit(&vm->dma_logging, !on,
					      memory_order_relaxed);
			pcv_ctl_unlock(&vm->lock);
			return ret;
		}
	}
	atomic_store_explicit(&vm->slots, nw, memory_order_release);
	pcv_rcu_synchronize();
	pcv_ctl_unlock(&vm->lock);
	for (size_t i = 0; i < n; i++)
		free((void *)(uintptr_t)old->s[i].dirty);
	free(old);
	return 0;
}

PPCVIRT_API int ppcvirt_vm_dirty_log_start(struct ppcvirt_vm *vm)
{
	return vm ? relog(vm, true) : -EINVAL;
}

PPCVIRT_API int ppcvirt_vm_dirty_log_stop(struct ppcvirt_vm *vm)
{
	return vm ? relog(vm, false) : -EINVAL;
}

PPCVIRT_API int64_t ppcvirt_vm_get_dirty_log(struct ppcvirt_vm *vm,
					     uint32_t slot, void *bitmap,
					     size_t len)
{
	const struct pcv_memslots *ms;
	const struct pcv_slot *s = NULL;
	uint8_t *out = bitmap;
	int64_t n = 0;

	if (!vm || !bitmap)
		return -EINVAL;
	pcv_rcu_lock();
	ms = atomic_load_explicit(&vm->slots, memory_order_acquire);
	for (size_t i = 0; ms && i < ms->n; i++)
		if (ms->s[i].id == slot)
			s = &ms->s[i];
	if (!s || !s->dirty || len < bitmap_words(s) * 8) {
		n = !s ? -ENOENT : -EINVAL;
		pcv_rcu_unlock();
		return n;
	}
	for (size_t w = 0; w < bitmap_words(s); w++) {
		uint64_t v = atomic_load_explicit(&s->dirty[w],
						  memory_order_relaxed);

		if (v)
			v = atomic_exchange_explicit(&s->dirty[w], 0,
						     memory_order_relaxed);
		for (int b = 0; b < 8; b++)
			out[w * 8 + (size_t)b] = (uint8_t)(v >> (8 * b));
		n += __builtin_popcountll(v);
	}
	pcv_rcu_unlock();
	memset(out + bitmap_words(s) * 8, 0, len - bitmap_words(s) * 8);
	return n;
}

PPCVIRT_API int ppcvirt_vm_mark_dirty(struct ppcvirt_vm *vm, uint64_t gpa,
				      uint64_t len)
{
	const struct pcv_slot *s;
	int ret = 0;

	if (!vm || len == 0)
		return -EINVAL;
	pcv_rcu_lock();
	s = pcv_slot_find(
		atomic_load_explicit(&vm->slots, memory_order_acquire), gpa,
		len);
	if (s)
		pcv_slot_mark(s, gpa, len);
	else
		ret = -EFAULT;
	pcv_rcu_unlock();
	return ret;
}
