/* SPDX-License-Identifier: MIT */
/*
 * The strict profile, one test per edge class of docs/semantics.md §3.5
 * (plus the INDIRECT limits of §3.3). Expected codes come from docs/design.md's
 * strict rules: KVM-modern semantics with the full range checked, TCE
 * contents validated, all-or-nothing INDIRECT/STUFF, and H_PARAMETER from
 * the VMM tier for LIOBNs nobody knows.
 *
 * Window used throughout: LIOBN 0x71000002, 4 KiB pages, bus offset
 * 0x100000, 1024 entries, i.e. IOBAs [0x100000, 0x500000). Guest RAM is
 * 16 MiB at 0.
 */
#include <errno.h>

#include "support.h"
#include "test.h"

#define LIOBN 0x71000002ull
#define BUS   0x100000ull
#define NENT  1024ull
#define PG    4096ull
#define END   (BUS + NENT * PG)
#define RAM   (16ull << 20)
#define P     PPCVIRT_H_PARAMETER
#define OK    PPCVIRT_H_SUCCESS
#define RW    (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)
#define LIST  0x8000ull /* a 4 KiB-aligned list page in RAM */

static struct tvm T;

static void setup(void)
{
	tvm_init(&T, RAM, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(tvm_table(&T, LIOBN, 12, BUS, NENT), 0);
}

static bool all_zero(void)
{
	for (uint64_t i = 0; i < NENT; i++)
		if (tvm_entry(&T, LIOBN, i) != 0)
			return false;
	return true;
}

/* §3.5 row 1: unknown LIOBN, and LIOBN with bits 32..63 set. */
static void unknown_liobn(void)
{
	bool exited = false;
	uint64_t r4 = 0;

	setup();
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, 0x1234, BUS, 0x1000 | RW, 0, NULL,
		     &exited),
		 P);
	CHECK(exited); /* the engine hands it to the VMM first */
	CHECK_EQ(thc(&T, PPCVIRT_H_GET_TCE, 0x1234, BUS, 0, 0, &r4, &exited),
		 P);
	CHECK(exited);
	CHECK_EQ_U64(r4, 0x1234); /* r4 untouched on failure */
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, 0x1234, BUS, 0, 1, NULL, NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, 0x1234, BUS, LIST, 1, NULL,
		     NULL),
		 P);
	/* High bits never alias the 32-bit LIOBN (QEMU-2014's bug). */
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, LIOBN | (1ull << 32), BUS,
		     0x1000 | RW, 0, NULL, &exited),
		 P);
	CHECK(exited);
	CHECK_EQ(thc(&T, PPCVIRT_H_GET_TCE, LIOBN | (1ull << 63), BUS, 0, 0,
		     NULL, NULL),
		 P);
	CHECK(all_zero());
	tvm_fini(&T);
}

/* §3.5 row 2: misaligned IOBA is H_PARAMETER in every hcall. */
static void misaligned_ioba(void)
{
	uint64_t r4 = 7;

	setup();
	tvm_list(&T, LIST, (uint64_t[]){0x2000 | RW}, 1);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, LIOBN, BUS + 8, 0x1000 | RW, 0,
		     NULL, NULL),
		 P);
	CHECK_EQ(
		thc(&T, PPCVIRT_H_GET_TCE, LIOBN, BUS + 0x800, 0, 0, &r4, NULL),
		P);
	CHECK_EQ_U64(r4, LIOBN);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, BUS + 1, 0, 1, NULL, NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, BUS + 0xfff, LIST,
		     1, NULL, NULL),
		 P);
	CHECK(all_zero());
	tvm_fini(&T);
}

/* §3.5 row 3: IOBA below the window start. */
static void ioba_below_window(void)
{
	setup();
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, LIOBN, BUS - PG, 0x1000 | RW, 0,
		     NULL, NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, LIOBN, 0, 0x1000 | RW, 0, NULL,
		     NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_GET_TCE, LIOBN, BUS - PG, 0, 0, NULL, NULL),
		 P);
	CHECK_EQ(
		thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, BUS - PG, 0, 2, NULL, NULL),
		P);
	/* At and past the end. */
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, LIOBN, END, 0x1000 | RW, 0, NULL,
		     NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_GET_TCE, LIOBN, END, 0, 0, NULL, NULL), P);
	/* The last entry is in. */
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, LIOBN, END - PG, 0x1000 | RW, 0,
		     NULL, NULL),
		 OK);
	CHECK_EQ_U64(tvm_entry(&T, LIOBN, NENT - 1), 0x1000 | RW);
	tvm_fini(&T);
}

/*
 * §3.5 row 4 (and §7 #1): a range running past the window end is rejected
 * as a whole, before anything is written (KVM checks only the first entry;
 * QEMU writes up to the end).
 */
static void range_past_end(void)
{
	uint64_t list[4] = {0x1000 | RW, 0x2000 | RW, 0x3000 | RW, 0x4000 | RW};

	setup();
	tvm_list(&T, LIST, list, 4);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, END - 2 * PG, LIST,
		     4, NULL, NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, END - 2 * PG, 0x55 << 12,
		     3, NULL, NULL),
		 P);
	CHECK(all_zero());
	/* Exactly to the end is fine. */
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, END - 4 * PG, LIST,
		     4, NULL, NULL),
		 OK);
	CHECK_EQ_U64(tvm_entry(&T, LIOBN, NENT - 1), 0x4000 | RW);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, END - 4 * PG, 0, 4, NULL,
		     NULL),
		 OK);
	CHECK(all_zero());
	/* Huge npages must not wrap the range check. */
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, BUS, 0, UINT64_MAX, NULL,
		     NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, END - PG, 0,
		     UINT64_MAX - 1022, NULL, NULL),
		 P);
	tvm_fini(&T);
}

/* §3.5 row 5: npages == 0 succeeds (KVM) once the other checks pass. */
static void npages_zero(void)
{
	setup();
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, BUS, 0, 0, NULL, NULL),
		 OK);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, BUS, LIST, 0, NULL,
		     NULL),
		 OK);
	/* ... but not when they fail. */
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, END, 0, 0, NULL, NULL), P);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, BUS, LIST + 8, 0,
		     NULL, NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, BUS, RW, 0, NULL, NULL),
		 P);
	/* The list is checked before npages = 0 succeeds (KVM order). */
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, BUS, RAM, 0, NULL,
		     NULL),
		 P);
	CHECK(all_zero());
	tvm_fini(&T);
}

/* §3.5 row 6: STUFF is limited by the window, not by 512. */
static void stuff_npages_limit(void)
{
	setup();
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, BUS, 0xabc0, NENT, NULL,
		     NULL),
		 OK);
	CHECK_EQ_U64(tvm_entry(&T, LIOBN, 0), 0xabc0);
	CHECK_EQ_U64(tvm_entry(&T, LIOBN, NENT - 1), 0xabc0);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, BUS, 0, NENT + 1, NULL,
		     NULL),
		 P);
	CHECK_EQ_U64(tvm_entry(&T, LIOBN, 0), 0xabc0); /* untouched */
	/* KVM 6.1 oopsed on these (§10.1). */
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, BUS, 0, 1ull << 32, NULL,
		     NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, BUS, 0, UINT64_MAX, NULL,
		     NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, BUS, 0, NENT, NULL, NULL),
		 OK);
	CHECK(all_zero());
	tvm_fini(&T);
}

/* §3.5 row 7: STUFF with R or W set is H_PARAMETER. */
static void stuff_rw_bits(void)
{
	setup();
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, BUS, 0x1000 | 1, 1, NULL,
		     NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, BUS, 0x1000 | 2, 4, NULL,
		     NULL),
		 P);
	CHECK(all_zero());
	/* Poison without permissions is allowed and stored verbatim. */
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, LIOBN, BUS,
		     0xdead0000beeful & ~3ull, 2, NULL, NULL),
		 OK);
	CHECK_EQ_U64(tvm_entry(&T, LIOBN, 1), 0xdead0000beeful & ~3ull);
	tvm_fini(&T);
}

/* §3.5 row 8: a R/W TCE with stray bits below the page is rejected; a
 * TCE without permissions may carry any bits. */
static void reserved_low_bits(void)
{
	uint64_t r4 = 0;

	setup();
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, LIOBN, BUS, 0x1000 | 0x4 | RW, 0,
		     NULL, NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, LIOBN, BUS, 0x1800 | 1, 0, NULL,
		     NULL),
		 P);
	CHECK(all_zero());
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, LIOBN, BUS, 0xffffffffff0ffffcull,
		     0, NULL, NULL),
		 OK);
	CHECK_EQ(thc(&T, PPCVIRT_H_GET_TCE, LIOBN, BUS, 0, 0, &r4, NULL), OK);
	CHECK_EQ_U64(r4, 0xffffffffff0ffffcull);
	tvm_fini(&T);
}

/* §3.5 row 9: a R/W TCE must address guest RAM (the whole IOMMU page). */
static void tce_outside_ram(void)
{
	setup();
	CHECK_EQ(
		thc(&T, PPCVIRT_H_PUT_TCE, LIOBN, BUS, RAM | RW, 0, NULL, NULL),
		P);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, LIOBN, BUS, (1ull << 62) | 1, 0,
		     NULL, NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, LIOBN, BUS, (RAM - PG) | RW, 0,
		     NULL, NULL),
		 OK);
	/* Without permissions, outside RAM is only a poison value. */
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, LIOBN, BUS + PG, RAM << 4, 0, NULL,
		     NULL),
		 OK);
	CHECK_EQ_U64(tvm_entry(&T, LIOBN, 1), RAM << 4);
	tvm_fini(&T);
}

/* A 64K-page table: the whole 64K page must be RAM and 64K aligned. */
static void large_page_content(void)
{
	tvm_init(&T, RAM, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(tvm_table(&T, 0x80000001, 16, 1ull << 59, 256), 0);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, 0x80000001, 1ull << 59, 0x1000 | RW,
		     0, NULL, NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, 0x80000001, 1ull << 59,
		     (RAM - 0x10000) | RW, 0, NULL, NULL),
		 OK);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, 0x80000001, (1ull << 59) + 0x10000,
		     RAM | RW, 0, NULL, NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, 0x80000001, (1ull << 59) + 0x1000,
		     0, 0, NULL, NULL),
		 P); /* misaligned for 64K */
	tvm_fini(&T);
}

/* §3.5 row 10 and §3.3: INDIRECT is all-or-nothing and its limits. */
static void indirect_atomic(void)
{
	uint64_t list[512];

	setup();
	for (unsigned i = 0; i < 512; i++)
		list[i] = ((uint64_t)(i + 16) << 12) | RW;
	list[300] = 0x123 | RW; /* misaligned: poisons the whole call */
	tvm_list(&T, LIST, list, 512);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, BUS, LIST, 512,
		     NULL, NULL),
		 P);
	CHECK(all_zero());
	list[300] = ((uint64_t)RAM << 1) | 1; /* outside RAM */
	tvm_list(&T, LIST, list, 512);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, BUS, LIST, 512,
		     NULL, NULL),
		 P);
	CHECK(all_zero());
	list[300] = 0x5ull << 40; /* poison: fine */
	tvm_list(&T, LIST, list, 512);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, BUS, LIST, 512,
		     NULL, NULL),
		 OK);
	CHECK_EQ_U64(tvm_entry(&T, LIOBN, 0), (16ull << 12) | RW);
	CHECK_EQ_U64(tvm_entry(&T, LIOBN, 300), 0x5ull << 40);
	CHECK_EQ_U64(tvm_entry(&T, LIOBN, 511), (527ull << 12) | RW);
	/* Limits: 513 entries, unaligned list, list outside RAM. */
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, BUS, LIST, 513,
		     NULL, NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, BUS, LIST + 8, 1,
		     NULL, NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, BUS, RAM, 1, NULL,
		     NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, BUS,
		     UINT64_MAX & ~0xfffull, 512, NULL, NULL),
		 P);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, BUS, RAM - PG, 512,
		     NULL, NULL),
		 OK); /* last RAM page, still inside */
	tvm_fini(&T);
}

/* §3.5 row 11: H_GET_TCE of a never-written slot is 0. */
static void get_never_written(void)
{
	uint64_t r4 = 99;

	setup();
	CHECK_EQ(thc(&T, PPCVIRT_H_GET_TCE, LIOBN, BUS + 17 * PG, 0, 0, &r4,
		     NULL),
		 OK);
	CHECK_EQ_U64(r4, 0);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, LIOBN, BUS + 17 * PG, 0x3000 | 1, 0,
		     NULL, NULL),
		 OK);
	CHECK_EQ(thc(&T, PPCVIRT_H_GET_TCE, LIOBN, BUS + 17 * PG, 0, 0, &r4,
		     NULL),
		 OK);
	CHECK_EQ_U64(r4, 0x3000 | 1);
	tvm_fini(&T);
}

/* §3.5 row 12: list entries are big-endian; the table is host-endian. */
static void list_endianness(void)
{
	uint8_t raw[16] = {0, 0, 0, 0, 0, 0, 0x40, 0x03,  /* 0x4003 */
			   0, 0, 0, 0, 0, 0, 0x50, 0x01}; /* 0x5001 */

	setup();
	CHECK_EQ(ppcvirt_vm_write_guest(T.vm, LIST, raw, sizeof(raw)), 0);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, BUS, LIST, 2, NULL,
		     NULL),
		 OK);
	CHECK_EQ_U64(tvm_entry(&T, LIOBN, 0), 0x4003);
	CHECK_EQ_U64(tvm_entry(&T, LIOBN, 1), 0x5001);
	tvm_fini(&T);
}

/* KVM's defaults: INDIRECT and STUFF exit until enabled; PUT can be
 * disabled; enabling a non-TCE hcall is -EINVAL. */
static void enable_hcall(void)
{
	struct ppcvirt_enable_cap cap = {.cap = PPCVIRT_CAP_PPC_ENABLE_HCALL};
	struct ppcvirt_hcall hc = {.nr = PPCVIRT_H_STUFF_TCE,
				   .args = {LIOBN, BUS, 0, 1}};
	struct ppcvirt_vm *vm;
	struct ppcvirt_vcpu *v;

	CHECK_EQ(ppcvirt_vm_create(&vm), 0);
	CHECK_EQ(ppcvirt_vcpu_create(vm, 0, &v), 0);
	CHECK_EQ(ppcvirt_vcpu_create(vm, 0, &v), -EEXIST);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce(
			 vm,
			 &(struct ppcvirt_create_spapr_tce){
				 .liobn = LIOBN, .window_size = 1 << 22},
			 NULL),
		 0);
	CHECK_EQ(ppcvirt_vcpu_hcall(v, &hc), PPCVIRT_HCALL_EXIT);
	hc.nr = PPCVIRT_H_PUT_TCE_INDIRECT;
	CHECK_EQ(ppcvirt_vcpu_hcall(v, &hc), PPCVIRT_HCALL_EXIT);
	hc = (struct ppcvirt_hcall){.nr = PPCVIRT_H_PUT_TCE,
				    .args = {LIOBN, 0, 0}};
	CHECK_EQ(ppcvirt_vcpu_hcall(v, &hc), PPCVIRT_HCALL_DONE);
	CHECK_EQ(hc.ret, OK);
	cap.args[0] = PPCVIRT_H_PUT_TCE;
	cap.args[1] = 0;
	CHECK_EQ(ppcvirt_vm_enable_cap(vm, &cap), 0);
	CHECK_EQ(ppcvirt_vcpu_hcall(v, &hc), PPCVIRT_HCALL_EXIT);
	cap.args[0] = PPCVIRT_H_STUFF_TCE;
	cap.args[1] = 1;
	CHECK_EQ(ppcvirt_vm_enable_cap(vm, &cap), 0);
	hc = (struct ppcvirt_hcall){.nr = PPCVIRT_H_STUFF_TCE,
				    .args = {LIOBN, 0, 0, 1}};
	CHECK_EQ(ppcvirt_vcpu_hcall(v, &hc), PPCVIRT_HCALL_DONE);
	cap.args[0] = PPCVIRT_H_RTAS;
	CHECK_EQ(ppcvirt_vm_enable_cap(vm, &cap), -EINVAL);
	cap.args[0] = 0x4; /* H_ENTER: not ours */
	CHECK_EQ(ppcvirt_vm_enable_cap(vm, &cap), -EINVAL);
	cap.args[0] = PPCVIRT_H_PUT_TCE;
	cap.args[1] = 2;
	CHECK_EQ(ppcvirt_vm_enable_cap(vm, &cap), -EINVAL);
	cap.cap = PPCVIRT_CAP_SPAPR_TCE;
	cap.args[1] = 1;
	CHECK_EQ(ppcvirt_vm_enable_cap(vm, &cap), -EINVAL);
	/* Unknown opcodes exit; the VMM tier says H_FUNCTION. */
	hc = (struct ppcvirt_hcall){.nr = 0x4};
	CHECK_EQ(ppcvirt_vcpu_hcall(v, &hc), PPCVIRT_HCALL_EXIT);
	CHECK_EQ(ppcvirt_vmm_hcall(vm, &hc), 0);
	CHECK_EQ((long)hc.ret, PPCVIRT_H_FUNCTION);
	ppcvirt_vm_destroy(vm);
}

/*
 * INDIRECT validates runs of pages against the slot of the previous one:
 * the last 64K page of a slot is in, a page running past it is not, a
 * page straddling two adjacent slots is not, and entries may alternate
 * between slots.
 */
static void indirect_slot_edges(void)
{
	static uint8_t hi[0x40000] __attribute__((aligned(0x10000)));
	struct ppcvirt_memory_region r = {.slot = 1,
					  .guest_phys_addr = RAM,
					  .memory_size = sizeof(hi),
					  .userspace_addr = (uintptr_t)hi};
	const uint64_t L64 = 0x80000001, B = 1ull << 59;
	uint64_t ok[4] = {(RAM - 0x20000) | RW, (RAM - 0x10000) | RW, RAM | RW,
			  (RAM + 0x30000) | RW};
	uint64_t alt[4] = {0x10000 | RW, (RAM + 0x10000) | 1, 0x20000 | 2,
			   (RAM + 0x20000) | RW};
	uint64_t misaligned[2] = {(RAM - 0x20000) | RW, (RAM - 0x8000) | RW};
	uint64_t past[2] = {(RAM + 0x30000) | RW, (RAM + 0x40000) | RW};

	tvm_init(&T, RAM, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(ppcvirt_vm_set_memory_region(T.vm, &r), 0);
	CHECK_EQ(tvm_table(&T, L64, 16, B, 64), 0);
	tvm_list(&T, LIST, ok, 4);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L64, B, LIST, 4, NULL,
		     NULL),
		 OK);
	CHECK_EQ_U64(tvm_entry(&T, L64, 3), (RAM + 0x30000) | RW);
	tvm_list(&T, LIST, alt, 4);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L64, B + 0x40000, LIST, 4,
		     NULL, NULL),
		 OK);
	/* Misaligned for 64K (a 32K offset): refused, nothing written. */
	tvm_list(&T, LIST, misaligned, 2);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L64, B + 0x80000, LIST, 2,
		     NULL, NULL),
		 P);
	/* Past the end of the second slot. */
	tvm_list(&T, LIST, past, 2);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L64, B + 0x80000, LIST, 2,
		     NULL, NULL),
		 P);
	CHECK_EQ_U64(tvm_entry(&T, L64, 8), 0);
	/* A 64K page across two slots is refused even when both are RAM
	 * and their host memory happens to be contiguous: one IOMMU page
	 * must lie in one slot. Split slot 1 at RAM + 0x8000. */
	r.memory_size = 0;
	CHECK_EQ(ppcvirt_vm_set_memory_region(T.vm, &r), 0);
	r.memory_size = 0x8000;
	CHECK_EQ(ppcvirt_vm_set_memory_region(T.vm, &r), 0);
	r.slot = 2;
	r.guest_phys_addr = RAM + 0x8000;
	r.memory_size = sizeof(hi) - 0x8000;
	r.userspace_addr = (uintptr_t)hi + 0x8000;
	CHECK_EQ(ppcvirt_vm_set_memory_region(T.vm, &r), 0);
	tvm_list(&T, LIST, ok, 3);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L64, B + 0x80000, LIST, 3,
		     NULL, NULL),
		 P);
	CHECK_EQ_U64(tvm_entry(&T, L64, 8), 0);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L64, B + 0x80000, LIST, 2,
		     NULL, NULL),
		 OK); /* the two pages before the split are fine */
	tvm_fini(&T);
}

static const struct test_case tests[] = {
	TEST(indirect_slot_edges), TEST(unknown_liobn),
	TEST(misaligned_ioba),	   TEST(ioba_below_window),
	TEST(range_past_end),	   TEST(npages_zero),
	TEST(stuff_npages_limit),  TEST(stuff_rw_bits),
	TEST(reserved_low_bits),   TEST(tce_outside_ram),
	TEST(large_page_content),  TEST(indirect_atomic),
	TEST(get_never_written),   TEST(list_endianness),
	TEST(enable_hcall),
};

TEST_MAIN(tests)
