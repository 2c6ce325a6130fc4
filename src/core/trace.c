/* SPDX-License-Identifier: MIT */
/*
 * Trace events (include/ppcvirt/trace.h): the VM's callback, the events
 * the hypercalls, translations, tables and PHBs emit, and QEMU's text
 * format for them (docs/semantics.md §6.5).
 *
 * The callback is published like every other data-plane object: a pointer
 * swapped under vm->lock, the old one freed after a grace period. Emitters
 * are called only when it is set (one relaxed load on the hot path).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/trace.h"
#include "tce/tce.h"

struct pcv_tracer {
	ppcvirt_trace_fn fn;
	void *opaque;
};

PPCVIRT_API int ppcvirt_vm_set_trace(struct ppcvirt_vm *vm, ppcvirt_trace_fn fn,
				     void *opaque)
{
	struct pcv_tracer *nw = NULL, *old;
	int ret;

	if (!vm)
		return -EINVAL;
	if (fn) {
		nw = malloc(sizeof(*nw));
		if (!nw)
			return -ENOMEM;
		*nw = (struct pcv_tracer){fn, opaque};
	}
	ret = pcv_ctl_lock(&vm->lock);
	if (ret) {
		free(nw);
		return ret;
	}
	old = atomic_load_explicit(&vm->tracer, memory_order_relaxed);
	atomic_store_explicit(&vm->tracer, nw, memory_order_release);
	pcv_rcu_synchronize();
	pcv_ctl_unlock(&vm->lock);
	free(old);
	return 0;
}

/* Call the tracer; the caller holds pcv_rcu_lock(). */
static void emit_locked(struct ppcvirt_vm *vm, const struct ppcvirt_trace *ev)
{
	struct pcv_tracer *tr =
		atomic_load_explicit(&vm->tracer, memory_order_acquire);

	if (!tr)
		return;
	pcv_cb_enter();
	tr->fn(tr->opaque, ev);
	pcv_cb_exit();
}

void pcv_trace_emit(struct ppcvirt_vm *vm, uint32_t event, uint64_t a0,
		    uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		    uint64_t a5)
{
	struct ppcvirt_trace ev = {.event = event,
				   .args = {a0, a1, a2, a3, a4, a5}};

	if (!pcv_tracing(vm))
		return;
	pcv_rcu_lock();
	emit_locked(vm, &ev);
	pcv_rcu_unlock();
}

void pcv_trace_hcall(const struct pcv_hctx *c, int idx,
		     const struct ppcvirt_hcall *hc, long ret)
{
	struct ppcvirt_trace ev;

	if (pcv_tce_trace(c, idx, hc, ret, &ev))
		emit_locked(c->vm, &ev);
}

void pcv_trace_pre_save(struct ppcvirt_vm *vm, const struct pcv_table *t)
{
	pcv_trace_emit(vm, PPCVIRT_TRACE_PRE_SAVE, t->liobn, t->size,
		       t->bus_offset, t->page_shift, 0, 0);
}

/* ---- QEMU's names and formats ----------------------------------------------
 */

static const char *const names[PPCVIRT_TRACE_COUNT][2] = {
	[PPCVIRT_TRACE_PUT] = {"spapr_iommu_put", "spapr_iommu_pci_put"},
	[PPCVIRT_TRACE_GET] = {"spapr_iommu_get", "spapr_iommu_pci_get"},
	[PPCVIRT_TRACE_INDIRECT] = {"spapr_iommu_indirect",
				    "spapr_iommu_pci_indirect"},
	[PPCVIRT_TRACE_STUFF] = {"spapr_iommu_stuff", "spapr_iommu_pci_stuff"},
	[PPCVIRT_TRACE_XLATE] = {"spapr_iommu_xlate", "spapr_iommu_xlate"},
	[PPCVIRT_TRACE_NEW_TABLE] = {"spapr_iommu_new_table",
				     "spapr_iommu_new_table"},
	[PPCVIRT_TRACE_PRE_SAVE] = {"spapr_iommu_pre_save",
				    "spapr_iommu_pre_save"},
	[PPCVIRT_TRACE_POST_LOAD] = {"spapr_iommu_post_load",
				     "spapr_iommu_post_load"},
	[PPCVIRT_TRACE_DDW_QUERY] = {"spapr_iommu_ddw_query",
				     "spapr_iommu_ddw_query"},
	[PPCVIRT_TRACE_DDW_CREATE] = {"spapr_iommu_ddw_create",
				      "spapr_iommu_ddw_create"},
	[PPCVIRT_TRACE_DDW_REMOVE] = {"spapr_iommu_ddw_remove",
				      "spapr_iommu_ddw_remove"},
	[PPCVIRT_TRACE_DDW_RESET] = {"spapr_iommu_ddw_reset",
				     "spapr_iommu_ddw_reset"},
};

PPCVIRT_API const char *ppcvirt_trace_name(const struct ppcvirt_trace *ev)
{
	if (!ev || ev->event >= PPCVIRT_TRACE_COUNT)
		return NULL;
	/* QEMU picks the pci_ variant when SPAPR_IS_PCI_LIOBN(liobn). */
	return names[ev->event][(ev->args[0] & 0x80000000ull) != 0];
}

PPCVIRT_API int ppcvirt_trace_format(const struct ppcvirt_trace *ev, char *buf,
				     size_t len)
{
	const uint64_t *a;
	const char *name = ppcvirt_trace_name(ev);
	int n;

	if (!name || (len && !buf))
		return -EINVAL;
	a = ev->args;
	switch (ev->event) {
	case PPCVIRT_TRACE_PUT:
		n = snprintf(buf, len,
			     "%s liobn=0x%" PRIx64 " ioba=0x%" PRIx64
			     " tce=0x%" PRIx64 " ret=%" PRId64,
			     name, a[0], a[1], a[2], (int64_t)a[3]);
		break;
	case PPCVIRT_TRACE_GET:
		n = snprintf(buf, len,
			     "%s liobn=0x%" PRIx64 " ioba=0x%" PRIx64
			     " ret=%" PRId64 " tce=0x%" PRIx64,
			     name, a[0], a[1], (int64_t)a[2], a[3]);
		break;
	case PPCVIRT_TRACE_INDIRECT:
		n = snprintf(buf, len,
			     "%s liobn=0x%" PRIx64 " ioba=0x%" PRIx64
			     " tcelist=0x%" PRIx64 " iobaN=0x%" PRIx64
			     " tceN=0x%" PRIx64 " ret=%" PRId64,
			     name, a[0], a[1], a[2], a[3], a[4], (int64_t)a[5]);
		break;
	case PPCVIRT_TRACE_STUFF:
		n = snprintf(buf, len,
			     "%s liobn=0x%" PRIx64 " ioba=0x%" PRIx64
			     " tcevalue=0x%" PRIx64 " npages=%" PRId64
			     " ret=%" PRId64,
			     name, a[0], a[1], a[2], (int64_t)a[3],
			     (int64_t)a[4]);
		break;
	case PPCVIRT_TRACE_XLATE:
		n = snprintf(buf, len,
			     "%s liobn=0x%" PRIx64 " 0x%" PRIx64
			     " -> 0x%" PRIx64 " perm=%" PRIu64
			     " mask=0x%" PRIx32,
			     name, a[0], a[1], a[2], a[3], (uint32_t)a[4]);
		break;
	case PPCVIRT_TRACE_NEW_TABLE:
		n = snprintf(buf, len,
			     "%s liobn=0x%" PRIx64 " table=0x%" PRIx64
			     " fd=%" PRId64,
			     name, a[0], a[1], (int64_t)a[2]);
		break;
	case PPCVIRT_TRACE_PRE_SAVE:
		n = snprintf(buf, len,
			     "%s liobn=%" PRIx64 " %" PRIx32
			     " bus_offset=0x%" PRIx64 " ps=%" PRIu32,
			     name, a[0], (uint32_t)a[1], a[2], (uint32_t)a[3]);
		break;
	case PPCVIRT_TRACE_POST_LOAD:
		n = snprintf(buf, len,
			     "%s liobn=%" PRIx64 " %" PRIx32 " => 0x%" PRIx32
			     " bus_offset=0x%" PRIx64 " ps=%" PRIu32,
			     name, a[0], (uint32_t)a[1], (uint32_t)a[2], a[3],
			     (uint32_t)a[4]);
		break;
	case PPCVIRT_TRACE_DDW_QUERY:
		n = snprintf(
			buf, len,
			"%s buid=0x%" PRIx64 " addr=0x%" PRIx32
			", %u windows available, max window size=0x%" PRIx64
			", mask=0x%" PRIx32,
			name, a[0], (uint32_t)a[1], (unsigned)a[2], a[3],
			(uint32_t)a[4]);
		break;
	case PPCVIRT_TRACE_DDW_CREATE:
		n = snprintf(buf, len,
			     "%s buid=0x%" PRIx64 " addr=0x%" PRIx32
			     ", page size=0x%" PRIx64 ", requested=0x%" PRIx64
			     ", start addr=0x%" PRIx64 ", liobn=0x%" PRIx32,
			     name, a[0], (uint32_t)a[1], a[2], a[3], a[4],
			     (uint32_t)a[5]);
		break;
	case PPCVIRT_TRACE_DDW_REMOVE:
		n = snprintf(buf, len, "%s liobn=0x%" PRIx32, name,
			     (uint32_t)a[0]);
		break;
	case PPCVIRT_TRACE_DDW_RESET:
		n = snprintf(buf, len, "%s buid=0x%" PRIx64 " addr=0x%" PRIx32,
			     name, a[0], (uint32_t)a[1]);
		break;
	default:
		return -EINVAL;
	}
	return n < 0 ? -EINVAL : n;
}
