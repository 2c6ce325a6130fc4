/* SPDX-License-Identifier: MIT */
/* Test support: a VM with guest RAM, a vCPU, and a one-call hypercall
 * helper that completes exits through the VMM tier like a VMM would. */
#ifndef PPCVIRT_TEST_SUPPORT_H
#define PPCVIRT_TEST_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <ppcvirt/ppcvirt.h>

struct tvm {
	struct ppcvirt_vm *vm;
	struct ppcvirt_vcpu *vcpu;
	uint8_t *ram; /* host address of guest RAM at gpa 0 */
	uint64_t ram_size;
};

/* A VM with @ram_size bytes of RAM at gpa 0, one vCPU, @profile, and every
 * TCE hcall enabled in the engine. Returns false (after CHECK) on error. */
bool tvm_init(struct tvm *t, uint64_t ram_size, enum ppcvirt_profile profile);
void tvm_fini(struct tvm *t);

/* Run one hcall; completes exits with ppcvirt_vmm_hcall(). @exited (may
 * be NULL) tells whether the engine declined. @r4 (may be NULL) receives
 * args[0] after the call (H_GET_TCE's value, or the LIOBN if untouched). */
long thc(struct tvm *t, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
	 uint64_t a3, uint64_t *r4, bool *exited);

/* Create a 4K-page table (engine-registered) at @bus_offset, @entries. */
int tvm_table(struct tvm *t, uint64_t liobn, uint32_t page_shift,
	      uint64_t bus_offset, uint64_t entries);

/* Write big-endian u64 @vals[n] at guest address @gpa. */
void tvm_list(struct tvm *t, uint64_t gpa, const uint64_t *vals, unsigned n);

/* Entry at slot index @i of @liobn (bypassing guest rules). */
uint64_t tvm_entry(struct tvm *t, uint64_t liobn, uint64_t i);

/* A state sink into a growing buffer (ppcvirt_state_sink.write). */
struct test_buf {
	uint8_t *p;
	size_t len, cap;
};
int test_buf_write(void *opaque, const void *data, size_t len);

struct iommu_model;

/*
 * The pass-through invariant (include/ppcvirt/iommu.h), checked from both
 * sides: host IOMMU model @m maps exactly what table @liobn maps, at IOVA
 * == IOBA, for guest RAM at t->ram (each mapped entry's page at its
 * first, middle and last 4 KiB granule with the entry's permission, each
 * unmapped entry not at all, and no byte more in total), and holds one pin
 * per mapped 4 KiB page. Reports the first disagreement through CHECK.
 */
bool tvm_agree(struct tvm *t, uint64_t liobn, struct iommu_model *m);

#endif
