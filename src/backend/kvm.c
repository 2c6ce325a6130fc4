/* SPDX-License-Identifier: MIT */
/*
 * The KVM back end (src/backend/backend.h, include/ppcvirt/kvm.h): the
 * embedder's KVM VM does what the kernel can, ppcvirt the rest.
 *
 * - The VM fd is checked (/proc/self/fd/N must be "anon_inode:kvm-vm")
 *   and duplicated, so the embedder closing its own copy cannot make
 *   ppcvirt's ioctls land on whatever file reuses the number.
 * - Capabilities are KVM_CHECK_EXTENSION on the VM fd: /dev/kvm answers
 *   the TCE capabilities even when no HV module is loaded and no VM can
 *   be created (docs/semantics.md §10).
 * - Memory slots are forwarded with KVM_SET_USER_MEMORY_REGION under the
 *   same numbers. KVM cannot move or resize a slot in place, so a
 *   replacement is a delete followed by a create (and a re-create of the
 *   old slot if the new one is refused).
 * - Tables: KVM_CREATE_SPAPR_TCE_64, else the legacy KVM_CREATE_SPAPR_TCE
 *   when the window allows it (4 KiB pages at offset 0, fits 32 bits),
 *   mapped MAP_SHARED so that ppcvirt_vmm_hcall(), translation and
 *   ppcvirt_tce_get/put() work on the kernel's own entries. When the
 *   kernel refuses (typically -ENOMEM from the locked-memory limit the
 *   kernel charges tables to), the table is a memfd of ppcvirt's
 *   (PCV_TABLE_USER): the kernel does not know its LIOBN, so every
 *   hypercall for it exits to the VMM. That is counted and reported once
 *   through the VM's log, not returned as an error.
 * - PPCVIRT_CAP_PPC_ENABLE_HCALL is KVM_ENABLE_CAP on the VM fd, except
 *   that PPCVIRT_VM_KVM_USER_MULTITCE keeps H_PUT_TCE_INDIRECT and
 *   H_STUFF_TCE disabled in the kernel whatever is asked.
 *
 * Removing a table unmaps and closes ppcvirt's fd; the kernel frees the
 * table when the last fd and mapping of it are gone. An fd handed out by
 * ppcvirt_vm_create_spapr_tce_64() (fd_out) is such a reference: while the
 * VMM keeps it open, the kernel keeps the LIOBN busy and re-creating it
 * fails with -EBUSY.
 */
#define _GNU_SOURCE /* F_DUPFD_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ppcvirt/kvm.h>

#include "backend/backend.h"
#include "core/vm.h"
#include "tce/table.h"

/*
 * The two table ioctls' arguments. linux/kvm.h names the ioctls on every
 * architecture but declares the structs only in powerpc's asm/kvm.h;
 * these are the same uAPI layouts, so the back end builds (and its
 * checks can be tested) on any Linux host.
 */
struct pcv_kvm_tce_64 {
	uint64_t liobn;
	uint32_t page_shift;
	uint32_t flags;
	uint64_t offset; /* in pages */
	uint64_t size;	 /* in pages */
};

struct pcv_kvm_tce_32 {
	uint64_t liobn;
	uint32_t window_size; /* bytes */
};

#define PCV_KVM_CREATE_SPAPR_TCE_64 _IOW(KVMIO, 0xa8, struct pcv_kvm_tce_64)
#define PCV_KVM_CREATE_SPAPR_TCE    _IOW(KVMIO, 0xa8, struct pcv_kvm_tce_32)
#if defined(KVM_CREATE_SPAPR_TCE_64) && defined(__powerpc64__)
_Static_assert(PCV_KVM_CREATE_SPAPR_TCE_64 == KVM_CREATE_SPAPR_TCE_64 &&
		       PCV_KVM_CREATE_SPAPR_TCE == KVM_CREATE_SPAPR_TCE,
	       "uAPI layouts");
#endif

_Static_assert(PPCVIRT_MAX_MEMSLOTS <= 64, "one bit per slot in kvm_be");

struct kvm_be {
	int fd; /* ppcvirt's duplicate of the VM fd */
	uint32_t flags;
	bool legacy_only; /* the kernel has no KVM_CREATE_SPAPR_TCE_64 */
	uint64_t slots;	  /* bit per KVM slot ppcvirt set (vm->lock) */
	_Atomic uint64_t kernel_tables;
	_Atomic uint64_t user_tables;
	/* Exits of user-space tables already removed. */
	_Atomic uint64_t gone_user_exits;
	_Atomic bool told; /* the fallback notice was given */
};

/* Storage of one table: the ops ppcvirt calls, and what they need. */
struct kvm_store {
	struct pcv_store_ops ops; /* first: t->store points here */
	struct kvm_be *be;
	const struct pcv_store_ops *memfd; /* user-space tables */
};

static struct kvm_be *be_of(const struct ppcvirt_vm *vm)
{
	return vm->be_priv;
}

static struct kvm_store *store_of(const struct pcv_table *t)
{
	return (struct kvm_store *)(uintptr_t)t->store;
}

static int vm_ioctl(const struct kvm_be *be, unsigned long req, void *arg)
{
	int ret;

	do
		ret = ioctl(be->fd, req, arg);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

static int check_ext(const struct kvm_be *be, long cap)
{
	int ret = ioctl(be->fd, KVM_CHECK_EXTENSION, cap);

	return ret < 0 ? 0 : ret;
}

/* 0 when @fd is an open KVM VM fd, else -EBADF or -EINVAL. */
static int check_vm_fd(int fd)
{
	char path[64], what[128];
	ssize_t n;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
		pcv_set_error("KVM back end: fd %d is not open", fd);
		return -EBADF;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, what, sizeof(what) - 1);
	if (n < 0) {
		int err = errno;

		pcv_set_error(
			"KVM back end: cannot tell what fd %d is (%s: %s)", fd,
			path, strerror(err));
		return -err;
	}
	what[n] = '\0';
	if (strcmp(what, "anon_inode:kvm-vm") != 0) {
		pcv_set_error("KVM back end: fd %d is %s, not a KVM VM "
			      "(anon_inode:kvm-vm from KVM_CREATE_VM)",
			      fd, what);
		return -EINVAL;
	}
	return 0;
}

static int set_hcall(struct kvm_be *be, uint64_t nr, bool on)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_PPC_ENABLE_HCALL,
		.args = {nr, on},
	};
	int ret = vm_ioctl(be, KVM_ENABLE_CAP, &cap);

	if (ret < 0)
		pcv_set_error(
			"KVM_ENABLE_CAP(KVM_CAP_PPC_ENABLE_HCALL, 0x%llx, "
			"%d): %s",
			(unsigned long long)nr, on, strerror(-ret));
	return ret < 0 ? ret : 0;
}

static bool multitce(uint64_t nr)
{
	return nr == PPCVIRT_H_PUT_TCE_INDIRECT || nr == PPCVIRT_H_STUFF_TCE;
}

static int kvm_init(struct ppcvirt_vm *vm, const struct ppcvirt_vm_config *cfg)
{
	struct kvm_be *be;
	int ret;

	if (cfg->flags & ~PPCVIRT_VM_KVM_USER_MULTITCE) {
		pcv_set_error("KVM back end: unknown flags 0x%x",
			      cfg->flags & ~PPCVIRT_VM_KVM_USER_MULTITCE);
		return -EINVAL;
	}
	ret = check_vm_fd(cfg->kvm_vm_fd);
	if (ret)
		return ret;
	be = calloc(1, sizeof(*be));
	if (!be)
		return -ENOMEM;
	be->flags = cfg->flags;
	be->fd = fcntl(cfg->kvm_vm_fd, F_DUPFD_CLOEXEC, 3);
	if (be->fd < 0) {
		ret = -errno;
		pcv_set_error("KVM back end: cannot duplicate fd %d: %s",
			      cfg->kvm_vm_fd, strerror(errno));
		free(be);
		return ret;
	}
	be->legacy_only = check_ext(be, KVM_CAP_SPAPR_TCE_64) <= 0 &&
			  check_ext(be, KVM_CAP_SPAPR_TCE) > 0;
	if (cfg->flags & PPCVIRT_VM_KVM_USER_MULTITCE) {
		/* Make sure they are off even if the VMM enabled them before
		 * attaching; without the capability they cannot be kept out. */
		if (check_ext(be, KVM_CAP_PPC_ENABLE_HCALL) <= 0) {
			pcv_set_error(
				"KVM back end: PPCVIRT_VM_KVM_USER_MULTITCE "
				"needs KVM_CAP_PPC_ENABLE_HCALL, which this "
				"kernel does not have");
			ret = -EOPNOTSUPP;
		} else {
			ret = set_hcall(be, PPCVIRT_H_PUT_TCE_INDIRECT, false);
			if (!ret)
				ret = set_hcall(be, PPCVIRT_H_STUFF_TCE, false);
		}
		if (ret) {
			close(be->fd);
			free(be);
			return ret;
		}
	}
	vm->be_priv = be;
	return 0;
}

static int set_slot(struct kvm_be *be, uint32_t id, uint64_t gpa, uint64_t size,
		    const void *hva);

static void kvm_fini(struct ppcvirt_vm *vm)
{
	struct kvm_be *be = be_of(vm);

	if (!be)
		return;
	/* The memory behind ppcvirt's slots is gone with the VM: take the
	 * slots out of the embedder's KVM VM too. */
	for (uint32_t id = 0; id < PPCVIRT_MAX_MEMSLOTS; id++)
		if (be->slots & (1ULL << id))
			set_slot(be, id, 0, 0, NULL);
	close(be->fd);
	free(be);
	vm->be_priv = NULL;
}

static int kvm_check_extension(const struct ppcvirt_vm *vm, long cap)
{
	return check_ext(be_of(vm), cap);
}

static int kvm_enable_hcall(struct ppcvirt_vm *vm, uint64_t nr, bool on)
{
	struct kvm_be *be = be_of(vm);

	if ((be->flags & PPCVIRT_VM_KVM_USER_MULTITCE) && multitce(nr))
		on = false;
	return set_hcall(be, nr, on);
}

static int set_slot(struct kvm_be *be, uint32_t id, uint64_t gpa, uint64_t size,
		    const void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = id,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};
	int ret = vm_ioctl(be, KVM_SET_USER_MEMORY_REGION, &r);

	if (ret == 0 && id < PPCVIRT_MAX_MEMSLOTS) {
		if (size)
			be->slots |= 1ULL << id;
		else
			be->slots &= ~(1ULL << id);
	}
	if (ret < 0) {
		long pg = sysconf(_SC_PAGESIZE);

		pcv_set_error(
			"KVM_SET_USER_MEMORY_REGION slot %u, 0x%llx+0x%llx: "
			"%s%s",
			id, (unsigned long long)gpa, (unsigned long long)size,
			strerror(-ret),
			ret == -EINVAL && ((gpa | size) & (uint64_t)(pg - 1))
				? " (KVM wants slots aligned to the host "
				  "page size)"
				: "");
	}
	return ret < 0 ? ret : 0;
}

static int kvm_set_memory(struct ppcvirt_vm *vm, const struct pcv_slot *old,
			  const struct pcv_slot *nw)
{
	struct kvm_be *be = be_of(vm);
	int ret;

	if (old) {
		ret = set_slot(be, old->id, old->gpa, 0, old->hva);
		if (ret)
			return ret;
	}
	if (!nw)
		return 0;
	ret = set_slot(be, nw->id, nw->gpa, nw->size, nw->hva);
	if (ret && old && set_slot(be, old->id, old->gpa, old->size, old->hva))
		pcv_log(vm, PPCVIRT_LOG_ERR,
			"KVM refused the new memory slot %u and its old "
			"contents could not be restored: the kernel no "
			"longer maps 0x%llx+0x%llx",
			old->id, (unsigned long long)old->gpa,
			(unsigned long long)old->size);
	return ret;
}

/* ---- kernel tables -------------------------------------------------- */

/*
 * Every page of the kernel's table is backed: reading one through the
 * mapping makes the kernel allocate it (zeroed) if the guest never wrote
 * it. That memory was charged to the locked-memory limit when the table
 * was created, so touching it costs nothing that was not paid already.
 */
static bool kernel_probe(struct pcv_table *t, uint64_t page)
{
	(void)t;
	(void)page;
	return true;
}

/* What the kernel charged for the table (all of it, at creation). */
static uint64_t kernel_resident(struct pcv_table *t)
{
	return t->map_bytes;
}

static void kernel_release(struct pcv_table *t)
{
	struct kvm_store *s = store_of(t);

	if (t->entries)
		munmap((void *)(uintptr_t)t->entries, t->map_bytes);
	if (t->fd >= 0)
		close(t->fd);
	t->entries = NULL;
	t->fd = -1;
	atomic_fetch_sub(&s->be->kernel_tables, 1);
	t->store = NULL;
	free(s);
}

/* KVM_CREATE_SPAPR_TCE_64, or the legacy ioctl where it can do. */
static int kernel_table_fd(struct kvm_be *be, const struct pcv_table *t,
			   const char **how)
{
	struct pcv_kvm_tce_64 a64 = {
		.liobn = t->liobn,
		.page_shift = t->page_shift,
		.flags = 0,
		.offset = t->offset,
		.size = t->size,
	};
	struct pcv_kvm_tce_32 a32 = {.liobn = t->liobn};
	int fd = -ENOTTY;

	*how = "KVM_CREATE_SPAPR_TCE_64";
	if (!be->legacy_only) {
		fd = vm_ioctl(be, PCV_KVM_CREATE_SPAPR_TCE_64, &a64);
		if (fd != -ENOTTY)
			return fd;
	}
	/* The legacy ioctl: 4 KiB pages from bus address 0, a 32-bit
	 * window size in bytes. */
	if (t->page_shift != 12 || t->offset != 0 ||
	    t->size > (UINT32_MAX >> 12))
		return fd;
	*how = "KVM_CREATE_SPAPR_TCE";
	a32.window_size = (uint32_t)(t->size << 12);
	return vm_ioctl(be, PCV_KVM_CREATE_SPAPR_TCE, &a32);
}

static int kernel_table(struct ppcvirt_vm *vm, struct pcv_table *t,
			struct kvm_store *s, int fd)
{
	void *p = mmap(NULL, t->map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);

	if (p == MAP_FAILED) {
		int err = errno;

		/* Closing the only reference makes the kernel free it. */
		close(fd);
		pcv_set_error("mmap of the kernel's TCE table of LIOBN 0x%llx "
			      "(%zu bytes): %s",
			      (unsigned long long)t->liobn, t->map_bytes,
			      strerror(err));
		return -err;
	}
	s->ops = (struct pcv_store_ops){
		.probe = kernel_probe,
		.resident = kernel_resident,
		.release = kernel_release,
	};
	t->entries = p;
	t->fd = fd;
	t->store = &s->ops;
	atomic_fetch_add(&be_of(vm)->kernel_tables, 1);
	return 0;
}

/* ---- user-space tables ---------------------------------------------- */

static bool user_probe(struct pcv_table *t, uint64_t page)
{
	return store_of(t)->memfd->probe(t, page);
}

static uint64_t user_resident(struct pcv_table *t)
{
	return store_of(t)->memfd->resident(t);
}

static void user_release(struct pcv_table *t)
{
	struct kvm_store *s = store_of(t);

	s->memfd->release(t);
	if (t->flags & PCV_TABLE_USER) {
		atomic_fetch_add(
			&s->be->gone_user_exits,
			atomic_load(&t->stats.completed[PPCVIRT_TIER_VMM]));
		atomic_fetch_sub(&s->be->user_tables, 1);
	}
	t->store = NULL;
	free(s);
}

static int user_table(struct ppcvirt_vm *vm, struct pcv_table *t,
		      struct kvm_store *s)
{
	int ret = pcv_store_memfd_init(t);

	if (ret) {
		pcv_set_error("user-space TCE table of LIOBN 0x%llx: memfd: %s",
			      (unsigned long long)t->liobn, strerror(-ret));
		return ret;
	}
	s->memfd = t->store;
	s->ops = (struct pcv_store_ops){
		.probe = user_probe,
		.resident = user_resident,
		.release = user_release,
	};
	t->store = &s->ops;
	if (t->flags & PCV_TABLE_USER)
		atomic_fetch_add(&be_of(vm)->user_tables, 1);
	return 0;
}

static int kvm_table_create(struct ppcvirt_vm *vm, struct pcv_table *t)
{
	struct kvm_be *be = be_of(vm);
	struct kvm_store *s;
	const char *how;
	int fd, ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->be = be;
	/* A table the VMM keeps for itself: the kernel never hears of it. */
	if (t->flags & PPCVIRT_TCE_VMM_ONLY) {
		ret = user_table(vm, t, s);
		goto out;
	}
	fd = kernel_table_fd(be, t, &how);
	if (fd >= 0) {
		ret = kernel_table(vm, t, s, fd);
		goto out;
	}
	if (fd == -EBUSY) {
		/* The kernel has a table of this LIOBN: ppcvirt's or one
		 * still held by an fd or mapping of the VMM. */
		pcv_set_error("%s: LIOBN 0x%llx is busy in the kernel", how,
			      (unsigned long long)t->liobn);
		ret = -EBUSY;
		goto out;
	}
	t->flags |= PCV_TABLE_USER;
	ret = user_table(vm, t, s);
	if (ret == 0 && !atomic_exchange(&be->told, true))
		pcv_log(vm, PPCVIRT_LOG_NOTICE,
			"KVM could not create the TCE table of LIOBN "
			"0x%llx (%s: %s); ppcvirt keeps it in user space, "
			"so each of its hypercalls exits to the VMM. "
			"ppcvirt_kvm_get_stats() counts such tables; "
			"this is reported once per VM.",
			(unsigned long long)t->liobn, how, strerror(-fd));
out:
	if (ret)
		free(s);
	return ret;
}

/*
 * The kernel's half of a pass-through link (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE
 * on a KVM VFIO device) exists only where the VM fd reports
 * KVM_CAP_SPAPR_TCE_VFIO: a POWER host whose VFIO groups sit behind the
 * sPAPR TCE IOMMU. ppcvirt's host IOMMU groups (include/ppcvirt/vfio.h:
 * type1v2 and iommufd) are not such groups, so there is nothing to hand
 * the kernel; the link is refused rather than half made.
 */
static int kvm_link_group(struct ppcvirt_vm *vm, struct pcv_table *t,
			  struct ppcvirt_iommu_group *g)
{
	(void)g;
	if (check_ext(be_of(vm), KVM_CAP_SPAPR_TCE_VFIO) <= 0) {
		pcv_set_error("KVM back end: this kernel cannot link a host "
			      "IOMMU to the TCE table of LIOBN 0x%llx "
			      "(KVM_CAP_SPAPR_TCE_VFIO is 0)",
			      (unsigned long long)t->liobn);
		return -EOPNOTSUPP;
	}
	pcv_set_error("KVM back end: KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE needs a "
		      "VFIO group of the sPAPR TCE IOMMU; this group is not "
		      "one (LIOBN 0x%llx)",
		      (unsigned long long)t->liobn);
	return -EOPNOTSUPP;
}

const struct pcv_backend pcv_backend_kvm = {
	.name = "kvm",
	.id = PPCVIRT_BACKEND_KVM,
	.init = kvm_init,
	.fini = kvm_fini,
	.check_extension = kvm_check_extension,
	.enable_hcall = kvm_enable_hcall,
	.set_memory = kvm_set_memory,
	.table_create = kvm_table_create,
	.link_group = kvm_link_group,
};

PPCVIRT_API int ppcvirt_kvm_get_stats(struct ppcvirt_vm *vm,
				      struct ppcvirt_kvm_stats *out)
{
	struct pcv_tableset *ts;
	struct kvm_be *be;
	uint64_t exits;

	if (!vm || !out)
		return -EINVAL;
	if (vm->be != &pcv_backend_kvm)
		return -EOPNOTSUPP;
	be = be_of(vm);
	exits = atomic_load(&be->gone_user_exits);
	pcv_rcu_lock();
	ts = atomic_load_explicit(&vm->tables, memory_order_acquire);
	for (size_t i = 0; ts && i < ts->n; i++)
		if (ts->t[i]->flags & PCV_TABLE_USER)
			exits += atomic_load_explicit(
				&ts->t[i]->stats.completed[PPCVIRT_TIER_VMM],
				memory_order_relaxed);
	pcv_rcu_unlock();
	*out = (struct ppcvirt_kvm_stats){
		.kernel_tables = atomic_load(&be->kernel_tables),
		.user_tables = atomic_load(&be->user_tables),
		.exits = atomic_load_explicit(
			&vm->vmm_stats.completed[PPCVIRT_TIER_VMM],
			memory_order_relaxed),
		.user_table_exits = exits,
	};
	return 0;
}
