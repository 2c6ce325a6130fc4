/* SPDX-License-Identifier: MIT */
/*
 * The engine back end: ppcvirt's own implementation of everything, the
 * default (src/backend/backend.h). Tables are sparse memfds
 * (src/tce/store_memfd.c); hypercalls run through ppcvirt_vcpu_hcall()'s
 * fast and slow tiers; capabilities are the engine's.
 */
#include <errno.h>

#include "backend/backend.h"
#include "core/vm.h"
#include "tce/table.h"

static int engine_init(struct ppcvirt_vm *vm,
		       const struct ppcvirt_vm_config *cfg)
{
	(void)vm;
	/* No PPCVIRT_VM_* flag means anything to the engine. */
	return cfg->flags ? -EINVAL : 0;
}

static int engine_check_extension(const struct ppcvirt_vm *vm, long cap)
{
	(void)vm;
	return pcv_engine_check_extension(cap);
}

static int engine_table_create(struct ppcvirt_vm *vm, struct pcv_table *t)
{
	(void)vm;
	return pcv_store_memfd_init(t);
}

const struct pcv_backend pcv_backend_engine = {
	.name = "engine",
	.id = PPCVIRT_BACKEND_ENGINE,
	.features = PCV_BE_ENGINE_TIERS,
	.init = engine_init,
	.check_extension = engine_check_extension,
	.table_create = engine_table_create,
};
