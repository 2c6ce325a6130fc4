/* SPDX-License-Identifier: MIT */
/* Test support; see support.h. */
#include "support.h"

#include <errno.h>
#include <stdlib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "iommu_model.h"
#include "test.h"

bool tvm_init(struct tvm *t, uint64_t ram_size, enum ppcvirt_profile profile)
{
	static const uint64_t hcalls[] = {PPCVIRT_H_GET_TCE, PPCVIRT_H_PUT_TCE,
					  PPCVIRT_H_STUFF_TCE,
					  PPCVIRT_H_PUT_TCE_INDIRECT};
	void *ram = NULL;

	memset(t, 0, sizeof(*t));
	if (!CHECK_EQ(ppcvirt_vm_create(&t->vm), 0))
		return false;
	if (!CHECK_EQ(
		    ppcvirt_vm_alloc_memory(t->vm, 0, 0, ram_size, &ram, NULL),
		    0))
		return false;
	t->ram = ram;
	t->ram_size = ram_size;
	CHECK_EQ(ppcvirt_vm_set_profile(t->vm, profile), 0);
	for (unsigned i = 0; i < 4; i++) {
		struct ppcvirt_enable_cap cap = {
			.cap = PPCVIRT_CAP_PPC_ENABLE_HCALL,
			.args = {hcalls[i], 1}};

		CHECK_EQ(ppcvirt_vm_enable_cap(t->vm, &cap), 0);
	}
	return CHECK_EQ(ppcvirt_vcpu_create(t->vm, 0, &t->vcpu), 0);
}

void tvm_fini(struct tvm *t)
{
	ppcvirt_vm_destroy(t->vm);
	memset(t, 0, sizeof(*t));
}

long thc(struct tvm *t, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
	 uint64_t a3, uint64_t *r4, bool *exited)
{
	struct ppcvirt_hcall hc = {.nr = nr, .args = {a0, a1, a2, a3}};
	int rc = ppcvirt_vcpu_hcall(t->vcpu, &hc);

	if (exited)
		*exited = rc == PPCVIRT_HCALL_EXIT;
	if (rc == PPCVIRT_HCALL_EXIT)
		CHECK_EQ(ppcvirt_vmm_hcall(t->vm, &hc), 0);
	else
		CHECK_EQ(rc, PPCVIRT_HCALL_DONE);
	if (r4)
		*r4 = hc.args[0];
	/* Whatever the path, H_TOO_HARD must never reach the guest. */
	CHECK((long)hc.ret != PPCVIRT_H_TOO_HARD);
	return (long)hc.ret;
}

int tvm_table(struct tvm *t, uint64_t liobn, uint32_t page_shift,
	      uint64_t bus_offset, uint64_t entries)
{
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = liobn,
		.page_shift = page_shift,
		.offset = bus_offset >> page_shift,
		.size = entries,
	};

	return ppcvirt_vm_create_spapr_tce_64(t->vm, &a, NULL);
}

void tvm_list(struct tvm *t, uint64_t gpa, const uint64_t *vals, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t be = __builtin_bswap64(vals[i]);

		CHECK_EQ(ppcvirt_vm_write_guest(t->vm, gpa + 8ull * i, &be, 8),
			 0);
	}
}

uint64_t tvm_entry(struct tvm *t, uint64_t liobn, uint64_t i)
{
	uint64_t v = 0xdeadbeefdeadbeefull;

	CHECK_EQ(ppcvirt_tce_get(t->vm, liobn, i, &v), 0);
	return v;
}

bool tvm_agree(struct tvm *t, uint64_t liobn, struct iommu_model *m)
{
	struct ppcvirt_tce_info info;
	struct iommu_model_stats st;
	uint64_t psize, want_bytes = 0;

	if (!CHECK_EQ(ppcvirt_vm_tce_info(t->vm, liobn, &info), 0))
		return false;
	psize = 1ull << info.page_shift;
	for (uint64_t i = 0; i < info.size; i++) {
		uint64_t v = tvm_entry(t, liobn, i);
		uint64_t iova = info.bus_offset + i * psize;
		const uint64_t at[3] = {0, (psize / 2) & ~0xfffull,
					psize - 4096};

		if (v & 3)
			want_bytes += psize;
		for (unsigned k = 0; k < 3; k++) {
			void *hva = NULL;
			uint32_t perm = 0;
			int r = iommu_model_lookup(m, iova + at[k], &hva,
						   &perm);
			uint8_t *want = t->ram + (v & ~(psize - 1)) + at[k];

			if ((v & 3) ? r == 0 && hva == want && perm == (v & 3)
				    : r == -ENOENT)
				continue;
			test_check(false, "host IOMMU agrees with the table",
				   __FILE__, __LINE__);
			printf("#   entry %" PRIu64 " = 0x%" PRIx64
			       ", granule +0x%" PRIx64 ": lookup %d hva %p "
			       "(want %p) perm %u\n",
			       i, v, at[k], r, hva,
			       (v & 3) ? (void *)want : NULL, perm);
			return false;
		}
	}
	iommu_model_get_stats(m, &st);
	return CHECK_EQ_U64(st.mapped_bytes, want_bytes) &&
	       CHECK_EQ_U64(st.pins, st.mapped_bytes >> 12);
}

int test_buf_write(void *opaque, const void *data, size_t len)
{
	struct test_buf *b = opaque;

	if (len > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *np;

		while (cap - b->len < len)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np)
			return -ENOMEM;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}
