/* SPDX-License-Identifier: MIT */
/*
 * Checkpoint, restore and live migration of everything guest-visible that
 * ppcvirt owns: a VM's TCE tables, PHB/DDW windows, profile, enabled
 * hypercalls, registered IOMMU memory, and BookE TLBs. docs/migration.md
 * describes the stream format byte by byte.
 *
 * A state stream is self-describing and versioned: a header, then sections
 * that each carry an id, a version and a length (a reader skips what it
 * does not know and reads older versions), then an end section. Integers
 * are little-endian. Every section and the stream as a whole carry an
 * XXH3-64 checksum, so a truncated, reordered, bit-flipped or spliced
 * stream is refused. Tables are saved sparsely: runs of non-zero entries,
 * so a huge window with a few entries costs a few bytes per entry.
 *
 * Three ways to use it:
 *   - checkpoint/restore: ppcvirt_state_save() then ppcvirt_state_load()
 *     into a fresh VM;
 *   - live migration (iterative pre-copy): ppcvirt_migration_start() turns
 *     on dirty tracking; each ppcvirt_migration_pass() sends what changed
 *     since the previous pass (the first sends everything) while vCPUs and
 *     devices keep running; after the VMM stops them,
 *     ppcvirt_migration_finish() sends the rest. The destination loads
 *     every pass in order with ppcvirt_state_load();
 *   - inspection: ppcvirt_state_verify() checks a stream and describes its
 *     sections (`ppcvirt state info`).
 * The VMM migrates guest RAM itself: ppcvirt_vm_dirty_log_*() tells which
 * pages ppcvirt's device-side DMA wrote (like KVM_GET_DIRTY_LOG).
 *
 * Loading is atomic and treats the stream as hostile input: everything is
 * validated before the destination changes, and on any error nothing of
 * the stream is applied. ppcvirt_last_error() names the section and field
 * that failed.
 */
#ifndef PPCVIRT_STATE_H
#define PPCVIRT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <ppcvirt/api.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ppcvirt_vm;
struct ppcvirt_phb;
struct ppcvirt_tlb;

/* The newest stream format this library writes (and the oldest it reads
 * is 1). */
#define PPCVIRT_STATE_VERSION 1

/* Section ids the embedder may use for its own data (VMM state, guest RAM
 * pages): they travel with the stream, integrity-checked, and are handed
 * back on load. */
#define PPCVIRT_STATE_USER_FIRST 0x8000u
#define PPCVIRT_STATE_USER_LAST	 0xfffeu

/* Where a stream goes. @write takes all of @len bytes or fails. */
struct ppcvirt_state_sink {
	int (*write)(void *opaque, const void *buf, size_t len);
	void *opaque;
};

/* An embedder's own section. */
struct ppcvirt_state_blob {
	uint32_t id; /* PPCVIRT_STATE_USER_FIRST..LAST */
	uint32_t reserved;
	const void *data;
	uint64_t len;
};

/**
 * struct ppcvirt_state_objects - what a stream holds.
 * @size:   sizeof(struct ppcvirt_state_objects).
 * @vm:     the VM (tables, profile, enabled hcalls, registered memory and
 *          the layout of guest memory, which the loader checks against the
 *          destination's); may be NULL for a TLB-only stream.
 * @phbs:   PHBs of @vm to include (their windows are tables of @vm).
 * @tlbs:   BookE TLBs (one per vCPU, in vCPU order).
 * @blobs:  the embedder's sections (save only).
 */
struct ppcvirt_state_objects {
	uint32_t size;
	uint32_t flags; /* must be 0 */
	struct ppcvirt_vm *vm;
	struct ppcvirt_phb *const *phbs;
	uint32_t nphbs;
	uint32_t ntlbs;
	struct ppcvirt_tlb *const *tlbs;
	const struct ppcvirt_state_blob *blobs;
	uint32_t nblobs;
	uint32_t reserved;
};

/**
 * ppcvirt_state_save() - write the whole state of @objs.
 *
 * A consistent snapshot needs the guest stopped: no vCPU inside a
 * hypercall and no table written meanwhile (use a migration for a running
 * guest). Emits spapr_iommu_pre_save trace events (include/ppcvirt/trace.h)
 * as QEMU does.
 *
 * Context: control plane.
 * Return: 0; -EINVAL (bad @objs, a PHB of another VM, an embedder section
 * id out of range); the sink's error; -ENOMEM.
 */
PPCVIRT_API int ppcvirt_state_save(const struct ppcvirt_state_objects *objs,
				   const struct ppcvirt_state_sink *sink);

/* Called on load for every embedder section (PPCVIRT_STATE_USER_*), after
 * the whole stream validated and before anything is applied: the embedder
 * may refuse the stream by returning -errno. */
typedef int (*ppcvirt_state_blob_fn)(void *opaque, uint32_t id,
				     const void *data, uint64_t len);

/**
 * struct ppcvirt_state_load - where a stream goes on load.
 * @size:     sizeof(struct ppcvirt_state_load).
 * @vm:       the destination VM. For a full stream it must have no table
 *            yet, and guest memory that covers what the source had.
 * @phbs:     receives the PHBs the stream re-creates (owned by @vm, as if
 *            made with ppcvirt_phb_create()), in stream order.
 * @phbs_cap: room at @phbs. @nphbs: receives the count.
 * @tlbs:     destination TLBs, one per TLB in the stream, same cores.
 * @on_blob:  optional; receives the embedder's sections.
 */
struct ppcvirt_state_load {
	uint32_t size;
	uint32_t flags; /* must be 0 */
	struct ppcvirt_vm *vm;
	struct ppcvirt_phb **phbs;
	uint32_t phbs_cap;
	uint32_t *nphbs;
	struct ppcvirt_tlb *const *tlbs;
	uint32_t ntlbs;
	uint32_t reserved;
	ppcvirt_state_blob_fn on_blob;
	void *opaque;
};

/**
 * ppcvirt_state_load() - validate a stream completely, then apply it: a
 * full stream (a checkpoint, or a migration's first pass) onto a fresh
 * destination, or a migration's later pass onto the destination that
 * loaded the passes before it, in order.
 *
 * Nothing is applied unless the whole stream is valid, and a load can
 * never make ppcvirt map host memory that is not the destination's guest
 * memory (registered ranges must lie in it; entries are kept as the
 * source held them, and a device's access checks the page an entry names
 * every time, so one naming no guest memory maps nothing).
 *
 * Context: control plane; nothing may be running on the destination.
 * Return: 0; -EBADMSG (corrupt: checksum, truncation, lengths, a section
 * out of order); -EPROTO (a version this library cannot read, a pass that
 * does not follow the destination's last one); -EINVAL (a value out of
 * range: geometry, profile, flags; a PHB window, of the stream's PHBs or
 * of the destination's, that would not be its table); -EEXIST (a full
 * stream onto a VM that has tables); -ENXIO (the stream names guest
 * memory the destination does not have); -ENODEV (TLB count or core
 * differs from @tlbs); -ENOSPC (@phbs too small); -EBUSY (KVM back end:
 * the kernel still has a table of that LIOBN); -EDEADLK (called from a
 * library callback); -ENOMEM; the embedder's error from @on_blob.
 * ppcvirt_last_error() names the section and the field.
 */
PPCVIRT_API int ppcvirt_state_load(const struct ppcvirt_state_load *args,
				   const void *buf, size_t len);

/*
 * A PHB's DMA window as a PHB section saves it. ppcvirt_state_load()
 * checks it against the stream's tables (an enabled window is the table
 * of LIOBN PPCVIRT_PHB_LIOBN(index, n), of this geometry);
 * ppcvirt_state_verify() has no VM to check it against.
 */
struct ppcvirt_state_window {
	uint32_t enabled; /* 0 or 1 */
	uint32_t def_win; /* QEMU's sticky default-window flag, 0 or 1 */
	uint32_t page_shift;
	uint32_t reserved;
	uint64_t bus_offset;
	uint64_t entries;
};

/* What ppcvirt_state_verify() tells about one section (the fields of
 * other kinds of sections are 0). */
struct ppcvirt_state_section {
	uint32_t id;	  /* PPCVIRT_STATE_SEC_* or an embedder id */
	uint32_t version; /* of the section's format */
	uint64_t offset;  /* of its header in the stream */
	uint64_t length;  /* of its payload */
	const char *name; /* "table", "vm", ... ("user" for the embedder's) */
	/* For tables (and table deltas): */
	uint64_t liobn;
	uint32_t page_shift;
	uint32_t flags;
	uint64_t offset_pages, size_pages;
	uint64_t entries; /* non-zero entries (deltas: entries sent) */
	/* For PHBs: */
	uint64_t buid;
	uint32_t phb_index;
	uint32_t windows_supported;
	struct ppcvirt_state_window windows[2]; /* PPCVIRT_PHB_MAX_WINDOWS */
	/* For BookE TLBs: */
	uint32_t tlb_core;     /* enum ppcvirt_booke_core */
	uint32_t tlb_sizes[2]; /* entries of TLB0, TLB1 */
	uint32_t tlb_ways[2];  /* TLB1 is fully associative */
	uint32_t tlb_valid[2]; /* valid entries (MAS1[V]) of TLB0, TLB1 */
};

/* Section ids (docs/migration.md). */
#define PPCVIRT_STATE_SEC_VM	     1
#define PPCVIRT_STATE_SEC_MEMORY     2
#define PPCVIRT_STATE_SEC_REGIONS    3
#define PPCVIRT_STATE_SEC_TABLE	     4
#define PPCVIRT_STATE_SEC_TABLE_DIFF 5
#define PPCVIRT_STATE_SEC_TABLE_GONE 6
#define PPCVIRT_STATE_SEC_PHB	     7
#define PPCVIRT_STATE_SEC_TLB	     8
#define PPCVIRT_STATE_SEC_END	     0xffff

typedef void (*ppcvirt_state_section_fn)(void *opaque,
					 const struct ppcvirt_state_section *s);

/* What ppcvirt_state_verify() tells about the stream. */
struct ppcvirt_state_info {
	uint32_t version;   /* format version of the stream */
	uint32_t pass;	    /* 0: full stream; n: migration pass n */
	uint64_t migration; /* migration id (0 for a checkpoint) */
	uint64_t sections;
	uint64_t bytes;
};

/**
 * ppcvirt_state_verify() - check a stream's structure and checksums and
 * describe it, without a VM.
 * @fn: optional; called for each section in order.
 *
 * Context: any thread.
 * Return: 0 for a valid stream; -EBADMSG, -EPROTO or -EINVAL as
 * ppcvirt_state_load(), with ppcvirt_last_error() naming the first bad
 * section.
 */
PPCVIRT_API int ppcvirt_state_verify(const void *buf, size_t len,
				     struct ppcvirt_state_info *info,
				     ppcvirt_state_section_fn fn, void *opaque);

/* ---- live migration ------------------------------------------------------ */

struct ppcvirt_migration;

/* What one pass sent. */
struct ppcvirt_migration_pass {
	uint32_t pass;	     /* 1 for the first (full) pass */
	uint32_t tables;     /* tables in the pass */
	uint64_t entries;    /* table entries sent */
	uint64_t bytes;	     /* stream bytes */
	uint64_t dirty_left; /* entries dirtied while the pass ran */
};

/**
 * ppcvirt_migration_start() - begin a live migration of @objs: dirty
 * tracking of every table of the VM starts (writes by the tiers, the VMM
 * tier, ppcvirt_tce_put(), resets and DDW changes, and writes other
 * processes announce through ppcvirt_vm_tce_dirty_fd()).
 *
 * Not on the KVM back end: the kernel completes hypercalls in its table
 * without ppcvirt seeing the writes; checkpoint such a VM with its vCPUs
 * stopped instead.
 *
 * Context: control plane. Only one migration per VM at a time.
 * Return: 0; -EINVAL; -EBUSY (a migration is running); -EOPNOTSUPP (KVM
 * back end); -ENOMEM.
 */
PPCVIRT_API int
ppcvirt_migration_start(const struct ppcvirt_state_objects *objs,
			struct ppcvirt_migration **out);

/**
 * ppcvirt_migration_pass() - send one pre-copy pass: everything the first
 * time, then what changed since the previous pass. vCPUs and devices may
 * keep running.
 *
 * Context: control plane (one thread per migration).
 * Return: 0; the sink's error (the migration can go on with another pass:
 * the destination never loads a stream that did not arrive whole, so the
 * next pass resends, whole, every table the failed one had started to
 * send); -E2BIG (a section would exceed its size limit); -ENOMEM.
 */
PPCVIRT_API int ppcvirt_migration_pass(struct ppcvirt_migration *m,
				       const struct ppcvirt_state_sink *sink,
				       struct ppcvirt_migration_pass *st);

/**
 * ppcvirt_migration_finish() - the stop-and-copy pass: the VMM has stopped
 * the vCPUs and devices; send what is left and end the migration (dirty
 * tracking stops; @m is freed whatever the result).
 *
 * Context: control plane; nothing running on the VM.
 * Return: as ppcvirt_migration_pass().
 */
PPCVIRT_API int ppcvirt_migration_finish(struct ppcvirt_migration *m,
					 const struct ppcvirt_state_sink *sink,
					 struct ppcvirt_migration_pass *st);

/**
 * ppcvirt_migration_cancel() - abandon a migration (dirty tracking stops).
 * NULL is a no-op.
 *
 * Context: control plane.
 */
PPCVIRT_API void ppcvirt_migration_cancel(struct ppcvirt_migration *m);

/**
 * ppcvirt_vm_tce_dirty_fd() - an fd (caller closes it) of the dirty log
 * of the table of @liobn, for processes that write the table through its
 * mmap: one bit per entry, bit i % 64 of the host-endian u64 word i / 64
 * (words are set with 64-bit atomic operations, so native order). A writer
 * announces a write of entry i by setting bit i with an atomic OR after
 * the entry's store (docs/migration.md), always: ppcvirt clears the log
 * when a migration starts, and every pass collects and clears the bits.
 * Sealed like the table's fd.
 *
 * Context: control plane.
 * Return: the fd; -ENOENT; -EINVAL; -ENOMEM, -EMFILE.
 */
PPCVIRT_API int ppcvirt_vm_tce_dirty_fd(struct ppcvirt_vm *vm, uint64_t liobn);

/* ---- dirty logging of guest memory written by device DMA ----------------- */

/**
 * ppcvirt_vm_dirty_log_start() / _stop() - start or stop logging which
 * guest pages (4 KiB) ppcvirt_dma_write() and writable ppcvirt_dma_map()
 * mappings (marked when released, ppcvirt_dma_release()) write, per
 * memory slot, like KVM_MEM_LOG_DIRTY_PAGES.
 *
 * Context: control plane.
 * Return: 0; -EINVAL; -ENOMEM.
 */
PPCVIRT_API int ppcvirt_vm_dirty_log_start(struct ppcvirt_vm *vm);
PPCVIRT_API int ppcvirt_vm_dirty_log_stop(struct ppcvirt_vm *vm);

/**
 * ppcvirt_vm_get_dirty_log() - like KVM_GET_DIRTY_LOG: copy the dirty
 * bitmap of memory slot @slot (one bit per 4 KiB page from the slot's
 * start, bit i of byte i / 8 at bit i % 8) to @bitmap and clear it, each
 * word atomically, so a page written meanwhile is reported now or next
 * time, never lost.
 * @len: bytes at @bitmap; at least ceil(pages / 64) * 8.
 *
 * Context: any thread.
 * Return: the number of dirty pages reported; -EINVAL (NULL, short @len,
 * logging off); -ENOENT (no such slot).
 */
PPCVIRT_API int64_t ppcvirt_vm_get_dirty_log(struct ppcvirt_vm *vm,
					     uint32_t slot, void *bitmap,
					     size_t len);

/**
 * ppcvirt_vm_mark_dirty() - record that [gpa, gpa + len) was written by
 * something ppcvirt does not see (a device model writing through a
 * pointer it kept).
 *
 * Context: any thread.
 * Return: 0; -EFAULT (not guest memory); -EINVAL.
 */
PPCVIRT_API int ppcvirt_vm_mark_dirty(struct ppcvirt_vm *vm, uint64_t gpa,
				      uint64_t len);

/* ---- enumeration ----------------------------------------------------------
 */

/**
 * ppcvirt_vm_list_tces() - the LIOBNs of the VM's tables.
 * @liobns: receives up to @n of them (may be NULL when @n is 0).
 *
 * Context: any thread.
 * Return: the number of tables (which may be more than @n); -EINVAL.
 */
PPCVIRT_API int ppcvirt_vm_list_tces(struct ppcvirt_vm *vm, uint64_t *liobns,
				     size_t n);

/**
 * ppcvirt_vm_tce_fd() - a new fd (caller closes it) of an existing
 * table's storage, to mmap (as ppcvirt_vm_create_spapr_tce_64()'s @fd_out).
 *
 * Context: control plane.
 * Return: the fd; -ENOENT; -EINVAL; -EMFILE.
 */
PPCVIRT_API int ppcvirt_vm_tce_fd(struct ppcvirt_vm *vm, uint64_t liobn);

#ifdef __cplusplus
}
#endif

#endif
