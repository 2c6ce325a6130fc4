/* SPDX-License-Identifier: MIT */
/*
 * sPAPR TCE tables (the PAPR paravirtual IOMMU) and device-side DMA
 * translation.
 *
 * A table covers the IOBA window [offset << page_shift,
 * (offset + size) << page_shift) with one 64-bit entry per IOMMU page:
 * bits 0/1 are the read/write permissions (PPCVIRT_TCE_READ/WRITE), the
 * bits from page_shift up are the guest-physical page address. Entries are
 * host-endian u64 in a memfd: the fd returned at creation can be mmap'd
 * MAP_SHARED by any process (slot i <-> IOBA (offset + i) << page_shift),
 * and writes through such a mapping are seen by the hypercalls and the
 * translation, and the other way round. Table memory grows with the pages
 * of entries touched, not with the window.
 */
#ifndef PPCVIRT_TCE_H
#define PPCVIRT_TCE_H

#include <stddef.h>
#include <stdint.h>

#include <ppcvirt/api.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ppcvirt_vm;

/* Like struct kvm_create_spapr_tce (KVM_CREATE_SPAPR_TCE). */
struct ppcvirt_create_spapr_tce {
	uint64_t liobn;
	uint32_t window_size; /* bytes; 4 KiB pages at offset 0 */
};

/* Like struct kvm_create_spapr_tce_64 (KVM_CREATE_SPAPR_TCE_64). */
struct ppcvirt_create_spapr_tce_64 {
	uint64_t liobn;
	uint32_t page_shift; /* 12..34 */
	uint32_t flags;	     /* 0, or PPCVIRT_TCE_VMM_ONLY */
	uint64_t offset;     /* in IOMMU pages */
	uint64_t size;	     /* in IOMMU pages */
};

#define PPCVIRT_TCE_PAGE_SHIFT_MIN 12
#define PPCVIRT_TCE_PAGE_SHIFT_MAX 34
/* Largest table (entries * 8 bytes) ppcvirt maps; beyond it -ENOMEM, as
 * KVM answers when the locked-memory limit is exceeded. */
#define PPCVIRT_TCE_TABLE_MAX_BYTES (1ULL << 40)

/*
 * struct ppcvirt_create_spapr_tce_64.flags. KVM defines none (it requires
 * 0, and so does ppcvirt for every bit KVM could define one day); ppcvirt
 * defines one in the top bit:
 * PPCVIRT_TCE_VMM_ONLY: the table is not registered with the engine (or,
 * on the KVM back end, not created in the kernel): its hypercalls exit to
 * the VMM, which serves them with ppcvirt_vmm_hcall(), as QEMU serves the
 * tables it keeps in user space.
 */
#define PPCVIRT_TCE_VMM_ONLY 0x80000000u

/**
 * ppcvirt_vm_create_spapr_tce_64() - create a table registered with the
 * engine (like KVM_CREATE_SPAPR_TCE_64).
 * @fd_out: optional; receives a new fd (O_RDWR|O_CLOEXEC, owned by the
 *          caller) of the table's storage, to mmap: a memfd sealed against
 *          resizing, or on the KVM back end the kernel table's fd. Closing
 *          it does not destroy the table (a library cannot observe the
 *          close, unlike KVM): use ppcvirt_vm_remove_tce().
 *
 * The table starts zeroed (every entry 0).
 *
 * Context: control plane; concurrent hypercalls see the table or not.
 * Return: 0; -EINVAL for flags other than PPCVIRT_TCE_VMM_ONLY, size 0,
 * page_shift outside 12..34,
 * offset + size > UINT64_MAX >> page_shift, or a LIOBN above 32 bits
 * (PAPR LIOBNs are 32-bit; KVM would accept it but no hypercall could
 * reach it); -EBUSY for a duplicate LIOBN; -ENOMEM when the table exceeds
 * PPCVIRT_TCE_TABLE_MAX_BYTES or memory is short; -EFBIG (the table's
 * memfd would be above RLIMIT_FSIZE); -EDEADLK (from a library callback or
 * an RCU read-side section); -EMFILE and other
 * -errno from memfd_create/mmap.
 */
PPCVIRT_API int
ppcvirt_vm_create_spapr_tce_64(struct ppcvirt_vm *vm,
			       const struct ppcvirt_create_spapr_tce_64 *args,
			       int *fd_out);

/**
 * ppcvirt_vm_create_spapr_tce() - the legacy form (KVM_CREATE_SPAPR_TCE):
 * page_shift 12, offset 0, size = window_size >> 12.
 *
 * Return: as ppcvirt_vm_create_spapr_tce_64(); window_size < 4 KiB gives
 * -EINVAL (size 0).
 */
PPCVIRT_API int
ppcvirt_vm_create_spapr_tce(struct ppcvirt_vm *vm,
			    const struct ppcvirt_create_spapr_tce *args,
			    int *fd_out);

/**
 * ppcvirt_vm_remove_tce() - destroy the table of @liobn.
 *
 * Safe while other threads are inside hypercalls or translations: they
 * finish with the old table (RCU) and the memory is freed afterwards.
 * Mappings of the fd made by other processes keep their memory.
 *
 * Context: control plane; must not be called from inside a hypercall or a
 * translation callback.
 * Return: 0, -ENOENT.
 */
PPCVIRT_API int ppcvirt_vm_remove_tce(struct ppcvirt_vm *vm, uint64_t liobn);

/* Geometry of a table, for VMMs and tools. */
struct ppcvirt_tce_info {
	uint64_t liobn;
	uint32_t page_shift;
	uint32_t flags; /* PPCVIRT_TCE_VMM_ONLY */
	uint64_t offset;
	uint64_t size;
	uint64_t bus_offset;	 /* offset << page_shift */
	uint64_t resident_bytes; /* table pages present in memory */
};

/**
 * ppcvirt_vm_tce_info() - geometry of the table of @liobn.
 *
 * Context: any thread.
 * Return: 0, -ENOENT, -EINVAL.
 */
PPCVIRT_API int ppcvirt_vm_tce_info(struct ppcvirt_vm *vm, uint64_t liobn,
				    struct ppcvirt_tce_info *out);

/**
 * ppcvirt_tce_get() / ppcvirt_tce_put() - read or write one entry by
 * slot index, bypassing the guest rules (VMM reset, migration, debuggers).
 * On a table linked to host IOMMUs (include/ppcvirt/iommu.h), a put maps
 * or unmaps in every linked group first, as a hypercall would, and writes
 * the entry only when that worked.
 *
 * Context: any thread (put: not from a library callback).
 * Return: 0, -EINVAL (NULL), -ENOENT (no table), -ERANGE (index >=
 * size); put on a linked table: -EFAULT (the entry maps something that is
 * not guest memory), -EIO (a host IOMMU refused the mapping; the entry
 * is unchanged), -EDEADLK (called from a library callback).
 */
PPCVIRT_API int ppcvirt_tce_get(struct ppcvirt_vm *vm, uint64_t liobn,
				uint64_t index, uint64_t *tce_out);
PPCVIRT_API int ppcvirt_tce_put(struct ppcvirt_vm *vm, uint64_t liobn,
				uint64_t index, uint64_t tce);

/* DMA directions, named as the device sees them. */
enum ppcvirt_dma_dir {
	PPCVIRT_DMA_TO_DEVICE = 1,     /* device reads memory: needs READ */
	PPCVIRT_DMA_FROM_DEVICE = 2,   /* device writes memory: needs WRITE */
	PPCVIRT_DMA_BIDIRECTIONAL = 3, /* needs both */
};

/* One piece of a translated DMA range. */
struct ppcvirt_dma_seg {
	void *hva;	/* host address */
	uint64_t len;	/* bytes */
	uint64_t gpa;	/* guest-physical address of hva */
	uint32_t flags; /* PPCVIRT_DMA_SEG_* */
	uint32_t pad;
};

/* struct ppcvirt_dma_seg.flags */
#define PPCVIRT_DMA_SEG_WRITABLE 0x1u /* mapped for the device to write */

/**
 * ppcvirt_dma_map() - device-side translation of [ioba, ioba + len) on
 * @liobn for a DMA in direction @dir: fills @segs with the host memory
 * the range maps to, one segment per run of contiguous host memory (at
 * most one per IOMMU page).
 * @nsegs: in: capacity of @segs; out: segments used.
 *
 * The answer reflects the table when each entry is read (each entry is
 * read once, atomically); a concurrent hypercall may change the table
 * right after. The host pointers stay valid while the memory slot exists.
 *
 * Context: any thread (device threads), concurrently with hypercalls and
 * table removal.
 * Return: 0; -ENOENT (no table for @liobn), -ERANGE (range not inside the
 * window, or wraps), -EFAULT (an entry without the needed permission
 * bits set at all, i.e. unmapped, or pointing outside guest memory),
 * -EACCES (mapped, but without the permission @dir needs), -ENOSPC
 * (@segs too small), -EINVAL (len 0, bad @dir, NULL pointers).
 */
PPCVIRT_API int ppcvirt_dma_map(struct ppcvirt_vm *vm, uint64_t liobn,
				uint64_t ioba, uint64_t len,
				enum ppcvirt_dma_dir dir,
				struct ppcvirt_dma_seg *segs, size_t *nsegs);

/**
 * ppcvirt_dma_release() - hand back segments of ppcvirt_dma_map() once the
 * device is done with them (libvfio-user's vfu_sgl_put()): the guest pages
 * of writable segments are marked dirty when DMA dirty logging is on
 * (include/ppcvirt/state.h), so a migrating VMM sends them again. A device
 * that wrote only part of a segment may mark less with
 * ppcvirt_vm_mark_dirty() and release nothing; the host pointers stay
 * valid as long as the memory slot exists either way.
 *
 * Context: any thread.
 * Return: 0; -EINVAL (NULL with @n > 0).
 */
PPCVIRT_API int ppcvirt_dma_release(struct ppcvirt_vm *vm,
				    const struct ppcvirt_dma_seg *segs,
				    size_t n);

/**
 * ppcvirt_dma_read() / ppcvirt_dma_write() - what an emulated device does
 * with DMA: copy between @buf and the guest memory [ioba, ioba + len) maps
 * to, checking permissions (read needs TCE READ, write needs TCE WRITE).
 * Nothing is copied unless the whole range translates.
 *
 * ppcvirt_dma_write() marks the pages it wrote dirty when DMA dirty logging
 * is on.
 *
 * Context: any thread, concurrently with hypercalls.
 * Return: 0 or the errors of ppcvirt_dma_map().
 */
PPCVIRT_API int ppcvirt_dma_read(struct ppcvirt_vm *vm, uint64_t liobn,
				 uint64_t ioba, void *buf, uint64_t len);
PPCVIRT_API int ppcvirt_dma_write(struct ppcvirt_vm *vm, uint64_t liobn,
				  uint64_t ioba, const void *buf, uint64_t len);

/* QEMU-style single-page translation (its IOMMUTLBEntry). */
struct ppcvirt_tce_xlate {
	uint64_t iova;	    /* ioba & ~(page_size - 1) */
	uint64_t addr;	    /* tce & ~(page_size - 1): guest-physical */
	uint64_t addr_mask; /* page_size - 1 */
	uint32_t perm;	    /* tce & 3 */
};

/**
 * ppcvirt_tce_translate() - what the table maps @ioba to, without checks
 * on the target address (QEMU's translate; used by replay and debuggers).
 *
 * Context: any thread.
 * Return: 0; -ENOENT (no table), -ERANGE (outside the window).
 */
PPCVIRT_API int ppcvirt_tce_translate(struct ppcvirt_vm *vm, uint64_t liobn,
				      uint64_t ioba,
				      struct ppcvirt_tce_xlate *out);

#ifdef __cplusplus
}
#endif

#endif
