/* SPDX-License-Identifier: MIT */
/*
 * Trace events, named and shaped like QEMU's spapr_iommu_* events, so that
 * a VMM author debugs ppcvirt's IOMMU the way QEMU users do, and so that a
 * trace ppcvirt writes can be replayed by `ppcvirt replay` like one QEMU
 * wrote (docs/replay.md).
 *
 * An embedder sets a callback per VM; with none set, the hypercall path
 * pays one load of a pointer. ppcvirt_trace_format() prints an event as
 * QEMU's "log" trace backend does ("spapr_iommu_pci_put liobn=0x80000000
 * ioba=0x1000 tce=0x2003 ret=0").
 *
 * Events and their arguments (args[] in QEMU's order):
 *   put, get        liobn, ioba (page-aligned), tce, ret      (get: ret,
 *                   then tce); "pci_" in the name when liobn has bit 31
 *   indirect        liobn, ioba (as passed), tce list address, index of
 *                   the last entry done or the first that failed, that
 *                   entry's TCE, ret
 *   stuff           liobn, IOBA after the loop (start + entries done),
 *                   value, npages, ret
 *   xlate           liobn, window-relative address, translated address,
 *                   permission, mask (one per IOMMU page a device access
 *                   translates)
 *   new_table       liobn, 0, fd (a table enabled, zeroed)
 *   pre_save        liobn, entries, bus offset, page shift (state saved)
 *   post_load       liobn, entries before, entries after, bus offset,
 *                   page shift (state loaded)
 *   ddw_query       buid, config address, windows available, largest
 *                   window (QEMU's constant), page mask
 *   ddw_create      buid, config address, page size, window size, start,
 *                   liobn
 *   ddw_remove      liobn
 *   ddw_reset       buid, config address
 * Like QEMU, the calls QEMU does not trace are not traced either: INDIRECT
 * with an unknown LIOBN, more than 512 entries or an unaligned list; STUFF
 * with an unknown LIOBN or more pages than the window; failed RTAS calls.
 * On the KVM back end, calls the kernel completes are not seen.
 */
#ifndef PPCVIRT_TRACE_H
#define PPCVIRT_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include <ppcvirt/api.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ppcvirt_vm;

enum ppcvirt_trace_event {
	PPCVIRT_TRACE_PUT = 0,
	PPCVIRT_TRACE_GET,
	PPCVIRT_TRACE_INDIRECT,
	PPCVIRT_TRACE_STUFF,
	PPCVIRT_TRACE_XLATE,
	PPCVIRT_TRACE_NEW_TABLE,
	PPCVIRT_TRACE_PRE_SAVE,
	PPCVIRT_TRACE_POST_LOAD,
	PPCVIRT_TRACE_DDW_QUERY,
	PPCVIRT_TRACE_DDW_CREATE,
	PPCVIRT_TRACE_DDW_REMOVE,
	PPCVIRT_TRACE_DDW_RESET,
	PPCVIRT_TRACE_COUNT
};

struct ppcvirt_trace {
	uint32_t event; /* enum ppcvirt_trace_event */
	uint32_t pad;
	uint64_t args[6];
};

typedef void (*ppcvirt_trace_fn)(void *opaque, const struct ppcvirt_trace *ev);

/**
 * ppcvirt_vm_set_trace() - send @vm's events to @fn (NULL: stop).
 *
 * Context: control plane. @fn runs on the thread that caused the event
 * (vCPU, device or control thread), inside the library's read-side
 * section: it must be quick and must not call ppcvirt's control plane
 * (such calls fail with -EDEADLK).
 * Return: 0; -EINVAL; -ENOMEM.
 */
PPCVIRT_API int ppcvirt_vm_set_trace(struct ppcvirt_vm *vm, ppcvirt_trace_fn fn,
				     void *opaque);

/**
 * ppcvirt_trace_name() - QEMU's name of the event ("spapr_iommu_pci_put").
 *
 * Context: any thread.
 * Return: a static string; NULL for an unknown event.
 */
PPCVIRT_API const char *ppcvirt_trace_name(const struct ppcvirt_trace *ev);

/**
 * ppcvirt_trace_format() - the event as one line of QEMU's log backend,
 * without timestamp prefix or newline, snprintf-style.
 *
 * Context: any thread.
 * Return: the length the whole line has (as snprintf); -EINVAL.
 */
PPCVIRT_API int ppcvirt_trace_format(const struct ppcvirt_trace *ev, char *buf,
				     size_t len);

#ifdef __cplusplus
}
#endif

#endif
