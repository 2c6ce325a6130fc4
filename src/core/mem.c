/* SPDX-License-Identifier: MIT */
/*
 * Guest memory slots, like KVM_SET_USER_MEMORY_REGION.
 *
 * The set of slots is an immutable array sorted by guest-physical address,
 * replaced as a whole on every change (copy, publish, grace period, free),
 * so lookups on the data plane take no lock. Every lookup is by range
 * (gpa, len) and overflow-safe (core/mem.h: pcv_slot_find); a range that
 * straddles two slots is rejected even when they are adjacent, because
 * their host memory need not be.
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend/backend.h"
#include "core/vm.h"
#include "iommu/link.h"

#define PCV_MEM_ALIGN 4096ULL

static void slot_release(struct pcv_slot *s)
{
	free((void *)(uintptr_t)s->dirty);
	if (s->memfd >= 0) {
		munmap(s->hva, s->size);
		close(s->memfd);
	}
}

void pcv_memslots_free(struct pcv_memslots *ms)
{
	if (!ms)
		return;
	for (size_t i = 0; i < ms->n; i++)
		slot_release(&ms->s[i]);
	free(ms);
}

static bool range_ok(uint64_t gpa, uint64_t size, uint64_t hva)
{
	uint64_t end;

	if ((gpa | size | hva) & (PCV_MEM_ALIGN - 1))
		return false;
	return !__builtin_add_overflow(gpa, size, &end) &&
	       !__builtin_add_overflow(hva, size, &end);
}

/*
 * Replace slot @id by @add (NULL: delete). On success the old array is
 * unpublished and, after a grace period, freed together with the memory of
 * a deleted or replaced ppcvirt-allocated slot. On failure nothing changes
 * and @add still belongs to the caller.
 */
static int memslots_update(struct ppcvirt_vm *vm, uint32_t id,
			   const struct pcv_slot *add)
{
	struct pcv_memslots *old, *nw;
	struct pcv_slot gone = {.memfd = -1};
	size_t n = 0;
	bool found = false;
	int ret = pcv_ctl_lock(&vm->lock);

	if (ret)
		return ret;
	old = atomic_load_explicit(&vm->slots, memory_order_relaxed);
	nw = malloc(sizeof(*nw) + ((old ? old->n : 0) + 1) * sizeof(nw->s[0]));
	if (!nw) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; old && i < old->n; i++) {
		const struct pcv_slot *s = &old->s[i];

		if (s->id == id) {
			found = true;
			gone = *s;
			continue;
		}
		if (add && add->gpa < s->gpa + s->size &&
		    s->gpa < add->gpa + add->size) {
			ret = -EEXIST;
			goto out_free;
		}
		nw->s[n++] = *s;
	}
	if (!add && !found) {
		ret = -ENOENT;
		goto out_free;
	}
	/* Memory the host IOMMUs may map (registered, or mapped by a linked
	 * table) must stay where it is: its host address is in their page
	 * tables. */
	if (found && pcv_links_pin(vm, gone.gpa, gone.hva, gone.size)) {
		ret = -EBUSY;
		goto out_free;
	}
	if (add && n >= PPCVIRT_MAX_MEMSLOTS) {
		ret = -ENOSPC;
		goto out_free;
	}
	if (add) {
		size_t pos = n;

		while (pos > 0 && nw->s[pos - 1].gpa > add->gpa) {
			nw->s[pos] = nw->s[pos - 1];
			pos--;
		}
		nw->s[pos] = *add;
		ret = pcv_slot_dirty_init(vm, &nw->s[pos]);
		if (ret)
			goto out_free;
		n++;
	}
	nw->n = n;
	if (vm->be->set_memory) {
		ret = vm->be->set_memory(vm, found ? &gone : NULL, add);
		if (ret) {
			for (size_t i = 0; add && i < n; i++)
				if (nw->s[i].id == add->id)
					free((void *)(uintptr_t)nw->s[i].dirty);
			goto out_free;
		}
	}
	atomic_store_explicit(&vm->slots, nw, memory_order_release);
	pcv_rcu_synchronize();
	pcv_ctl_unlock(&vm->lock);
	free(old);
	slot_release(&gone);
	return 0;
out_free:
	free(nw);
out:
	pcv_ctl_unlock(&vm->lock);
	return ret;
}

PPCVIRT_API int
ppcvirt_vm_set_memory_region(struct ppcvirt_vm *vm,
			     const struct ppcvirt_memory_region *r)
{
	struct pcv_slot s;

	if (!vm || !r || r->flags || r->slot >= PPCVIRT_MAX_MEMSLOTS)
		return -EINVAL;
	if (r->memory_size == 0)
		return memslots_update(vm, r->slot, NULL);
	if (!range_ok(r->guest_phys_addr, r->memory_size, r->userspace_addr) ||
	    !r->userspace_addr)
		return -EINVAL;
	s = (struct pcv_slot){
		.gpa = r->guest_phys_addr,
		.size = r->memory_size,
		.hva = (uint8_t *)(uintptr_t)r->userspace_addr,
		.id = r->slot,
		.memfd = -1,
	};
	return memslots_update(vm, r->slot, &s);
}

PPCVIRT_API int ppcvirt_vm_alloc_memory(struct ppcvirt_vm *vm, uint32_t slot,
					ppcvirt_gpa_t gpa, uint64_t size,
					void **hva_out, int *fd_out)
{
	struct pcv_slot s = {.gpa = gpa, .size = size, .id = slot};
	void *p;
	int fd, ret, dupfd = -1;

	if (!vm || size == 0 || slot >= PPCVIRT_MAX_MEMSLOTS ||
	    !range_ok(gpa, size, 0) || size > (uint64_t)SIZE_MAX)
		return -EINVAL;
	fd = pcv_memfd_create("ppcvirt-ram", size);
	if (fd < 0)
		return fd;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
		 fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (fd_out) {
		dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (dupfd < 0) {
			ret = -errno;
			munmap(p, size);
			close(fd);
			return ret;
		}
	}
	s.hva = p;
	s.memfd = fd;
	ret = memslots_update(vm, slot, &s);
	if (ret) {
		if (dupfd >= 0)
			close(dupfd);
		munmap(p, size);
		close(fd);
		return ret;
	}
	if (hva_out)
		*hva_out = p;
	if (fd_out)
		*fd_out = dupfd;
	return 0;
}

PPCVIRT_API void *ppcvirt_vm_gpa_to_hva(struct ppcvirt_vm *vm,
					ppcvirt_gpa_t gpa, uint64_t len)
{
	void *p;

	if (!vm)
		return NULL;
	pcv_rcu_lock();
	p = pcv_gpa_hva(atomic_load_explicit(&vm->slots, memory_order_acquire),
			gpa, len);
	pcv_rcu_unlock();
	return p;
}

static int guest_copy(struct ppcvirt_vm *vm, ppcvirt_gpa_t gpa, void *dst,
		      const void *src, uint64_t len)
{
	uint8_t *p;

	if (!vm || len == 0)
		return len == 0 && vm ? 0 : -EINVAL;
	pcv_rcu_lock();
	p = pcv_gpa_hva(atomic_load_explicit(&vm->slots, memory_order_acquire),
			gpa, len);
	if (p) {
		if (dst)
			memcpy(dst, p, len);
		else
			memcpy(p, src, len);
	}
	pcv_rcu_unlock();
	return p ? 0 : -EFAULT;
}

PPCVIRT_API int ppcvirt_vm_write_guest(struct ppcvirt_vm *vm, ppcvirt_gpa_t gpa,
				       const void *src, uint64_t len)
{
	if (!src)
		return -EINVAL;
	return guest_copy(vm, gpa, NULL, src, len);
}

PPCVIRT_API int ppcvirt_vm_read_guest(struct ppcvirt_vm *vm, ppcvirt_gpa_t gpa,
				      void *dst, uint64_t len)
{
	if (!dst)
		return -EINVAL;
	return guest_copy(vm, gpa, dst, NULL, len);
}
