/* SPDX-License-Identifier: MIT */
/*
 * A VMM in miniature, built against an installed ppcvirt the way a user
 * builds one (tests/abi/install_consumer.sh: pkg-config, static and
 * shared, and find_package). It uses only what an installed copy offers
 * and checks results a guest and a device would see, from PAPR and KVM's
 * documented behaviour:
 *   - the version string is the one the build was made with
 *     (EXPECT_VERSION, from the build system) and matches the header;
 *   - KVM_CAP_SPAPR_TCE_64 (125) is reported as 1, as KVM does;
 *   - H_PUT_TCE then H_GET_TCE on the same IOBA gives back the TCE
 *     (H_SUCCESS both times);
 *   - an IOBA past the window's end gets H_PARAMETER;
 *   - a device DMA write through the TCE lands in guest RAM at the page
 *     the TCE names.
 * Prints one line per check and "N passed, N failed".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#ifndef EXPECT_VERSION
#error "build with -DEXPECT_VERSION=\"x.y.z\""
#endif

#define LIOBN	 0x80000000ULL
#define RAM_SIZE (16ULL << 20)

static int passed, failed;

static void check(int ok, const char *what)
{
	if (ok)
		passed++;
	else
		failed++;
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
}

static long hcall(struct ppcvirt_vm *vm, struct ppcvirt_vcpu *vcpu,
		  struct ppcvirt_hcall *hc)
{
	int r = ppcvirt_vcpu_hcall(vcpu, hc);

	if (r == PPCVIRT_HCALL_EXIT)
		r = ppcvirt_vmm_hcall(vm, hc);
	return r < 0 ? -1000 + r : (long)(int64_t)hc->ret;
}

int main(void)
{
	struct ppcvirt_create_spapr_tce_64 win = {
		.liobn = LIOBN,
		.page_shift = 12,
		.offset = 0,
		.size = 16,
	};
	struct ppcvirt_vm *vm = NULL;
	struct ppcvirt_vcpu *vcpu = NULL;
	struct ppcvirt_hcall hc;
	const uint64_t tce = 0x5000 | PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE;
	static const char pkt[] = "ppcvirt consumer DMA";
	void *ram = NULL;
	char hdr[32];

	check(!strcmp(ppcvirt_version(), EXPECT_VERSION),
	      "ppcvirt_version() is " EXPECT_VERSION);
	snprintf(hdr, sizeof(hdr), "%d.%d.%d", PPCVIRT_VERSION_MAJOR,
		 PPCVIRT_VERSION_MINOR, PPCVIRT_VERSION_PATCH);
	check(!strcmp(hdr, EXPECT_VERSION),
	      "the installed header has the same version");
	check(ppcvirt_check_extension(NULL, PPCVIRT_CAP_SPAPR_TCE_64) == 1,
	      "KVM_CAP_SPAPR_TCE_64 is 1");

	if (ppcvirt_vm_create(&vm) ||
	    ppcvirt_vm_alloc_memory(vm, 0, 0, RAM_SIZE, &ram, NULL) ||
	    ppcvirt_vm_create_spapr_tce_64(vm, &win, NULL) ||
	    ppcvirt_vcpu_create(vm, 0, &vcpu)) {
		check(0, "VM, RAM, 16-entry 4K window and vCPU created");
		goto out;
	}
	check(1, "VM, RAM, 16-entry 4K window and vCPU created");

	memset(&hc, 0, sizeof(hc));
	hc.nr = PPCVIRT_H_PUT_TCE;
	hc.args[0] = LIOBN;
	hc.args[1] = 0x3000;
	hc.args[2] = tce;
	check(hcall(vm, vcpu, &hc) == PPCVIRT_H_SUCCESS,
	      "H_PUT_TCE(ioba 0x3000) is H_SUCCESS");

	memset(&hc, 0, sizeof(hc));
	hc.nr = PPCVIRT_H_GET_TCE;
	hc.args[0] = LIOBN;
	hc.args[1] = 0x3000;
	check(hcall(vm, vcpu, &hc) == PPCVIRT_H_SUCCESS && hc.args[0] == tce,
	      "H_GET_TCE(ioba 0x3000) returns the TCE just put");

	memset(&hc, 0, sizeof(hc));
	hc.nr = PPCVIRT_H_PUT_TCE;
	hc.args[0] = LIOBN;
	hc.args[1] = 16 << 12;
	hc.args[2] = tce;
	check(hcall(vm, vcpu, &hc) == PPCVIRT_H_PARAMETER,
	      "H_PUT_TCE past the window is H_PARAMETER");

	check(ppcvirt_dma_write(vm, LIOBN, 0x3010, pkt, sizeof(pkt)) == 0 &&
		      !memcmp((char *)ram + 0x5010, pkt, sizeof(pkt)),
	      "DMA to ioba 0x3010 lands at guest 0x5010");
out:
	ppcvirt_vm_destroy(vm);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
