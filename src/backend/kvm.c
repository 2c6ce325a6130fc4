/* SPDX-License-Identifier: MIT */
/*
 * The KVM back end (src/backend/backend.h): not implemented yet; creating
 * a VM on it fails cleanly.
 */
#include <errno.h>

#include "backend/backend.h"

static int kvm_init(struct ppcvirt_vm *vm, const struct ppcvirt_vm_config *cfg)
{
	(void)vm;
	(void)cfg;
	return -EOPNOTSUPP;
}

static int kvm_check_extension(const struct ppcvirt_vm *vm, long cap)
{
	(void)vm;
	(void)cap;
	return 0;
}

static int kvm_table_create(struct ppcvirt_vm *vm, struct pcv_table *t)
{
	(void)vm;
	(void)t;
	return -EOPNOTSUPP;
}

const struct pcv_backend pcv_backend_kvm = {
	.name = "kvm",
	.id = PPCVIRT_BACKEND_KVM,
	.init = kvm_init,
	.check_extension = kvm_check_extension,
	.table_create = kvm_table_create,
};
