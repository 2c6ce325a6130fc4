/* SPDX-License-Identifier: MIT */
/*
 * The VM object: creation on a back end, capabilities
 * (KVM_CHECK_EXTENSION), per-VM enabling of in-engine hcalls
 * (KVM_CAP_PPC_ENABLE_HCALL), the semantics profile, vCPUs and their
 * counters.
 *
 * A VM owns its vCPUs, tables and the memory ppcvirt allocated for it.
 * Control-plane calls are serialised by vm->lock; data-plane state that
 * hypercalls read (profile, tier mask, enable bits) is atomic.
 */
#define _XOPEN_SOURCE 700 /* PTHREAD_MUTEX_ERRORCHECK */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "core/vm.h"
#include "iommu/link.h"
#include "tce/table.h"

#if defined(PPCVIRT_TSAN)
char pcv_tsan_grace_period;
#endif

_Thread_local unsigned pcv_tls_callbacks
	__attribute__((tls_model("initial-exec")));

int pcv_ctl_mutex_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	int ret;

	if (pthread_mutexattr_init(&a) != 0)
		return -ENOMEM;
	ret = pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	if (ret == 0)
		ret = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return ret ? -ret : 0;
}

PPCVIRT_API const char *ppcvirt_version(void)
{
	return "0.1.0";
}

int pcv_engine_check_extension(long cap)
{
	switch (cap) {
	case PPCVIRT_CAP_SPAPR_TCE:
	case PPCVIRT_CAP_SW_TLB: /* include/ppcvirt/booke.h */
	case PPCVIRT_CAP_SPAPR_MULTITCE:
	case PPCVIRT_CAP_PPC_ENABLE_HCALL:
	case PPCVIRT_CAP_SPAPR_TCE_64:
		return 1;
	case PPCVIRT_CAP_SPAPR_TCE_VFIO:
		/* A table can be linked to a VFIO device when the host has a
		 * VFIO IOMMU interface to open (include/ppcvirt/vfio.h). */
		return access("/dev/vfio/vfio", F_OK) == 0 ||
		       access("/dev/iommu", F_OK) == 0;
	default:
		return 0;
	}
}

PPCVIRT_API int ppcvirt_check_extension(const struct ppcvirt_vm *vm, long cap)
{
	if (!vm)
		return pcv_engine_check_extension(cap);
	return vm->be->check_extension(vm, cap);
}

PPCVIRT_API const char *ppcvirt_tier_name(int tier)
{
	static const char *const names[PPCVIRT_TIER_COUNT] = {
		[PPCVIRT_TIER_FAST] = "fast",
		[PPCVIRT_TIER_SLOW] = "slow",
		[PPCVIRT_TIER_VMM] = "vmm",
	};

	return tier >= 0 && tier < PPCVIRT_TIER_COUNT ? names[tier] : NULL;
}

PPCVIRT_API const char *ppcvirt_decline_name(int why)
{
	static const char *const names[PPCVIRT_DECLINE_COUNT] = {
		[PPCVIRT_DECLINE_NO_TABLE] = "no_table",
		[PPCVIRT_DECLINE_DISABLED] = "disabled",
		[PPCVIRT_DECLINE_TABLE_PAGE] = "table_page",
		[PPCVIRT_DECLINE_BACKEND] = "backend",
		[PPCVIRT_DECLINE_UNREGISTERED] = "unregistered",
		[PPCVIRT_DECLINE_INJECTED] = "injected",
	};

	return why >= 0 && why < PPCVIRT_DECLINE_COUNT ? names[why] : NULL;
}

PPCVIRT_API const char *ppcvirt_hret_name(long hret)
{
	switch (hret) {
	case PPCVIRT_H_SUCCESS:
		return "H_SUCCESS";
	case PPCVIRT_H_BUSY:
		return "H_BUSY";
	case PPCVIRT_H_CLOSED:
		return "H_CLOSED";
	case PPCVIRT_H_HARDWARE:
		return "H_HARDWARE";
	case PPCVIRT_H_FUNCTION:
		return "H_FUNCTION";
	case PPCVIRT_H_PRIVILEGE:
		return "H_PRIVILEGE";
	case PPCVIRT_H_PARAMETER:
		return "H_PARAMETER";
	case PPCVIRT_H_NOT_FOUND:
		return "H_NOT_FOUND";
	case PPCVIRT_H_NOT_ENOUGH_RESOURCES:
		return "H_NOT_ENOUGH_RESOURCES";
	case PPCVIRT_H_RESCINDED:
		return "H_RESCINDED";
	case PPCVIRT_H_TOO_HARD:
		return "H_TOO_HARD";
	default:
		return "H_?";
	}
}

static const struct pcv_backend *backend_of(uint32_t id)
{
	switch (id) {
	case PPCVIRT_BACKEND_ENGINE:
		return &pcv_backend_engine;
	case PPCVIRT_BACKEND_KVM:
		return &pcv_backend_kvm;
	default:
		return NULL;
	}
}

PPCVIRT_API int ppcvirt_vm_create_with(const struct ppcvirt_vm_config *cfg,
				       struct ppcvirt_vm **out)
{
	struct ppcvirt_vm *vm;
	const struct pcv_backend *be;
	int ret;

	if (!cfg || !out || cfg->size < sizeof(*cfg))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(cfg->reserved) / sizeof(cfg->reserved[0]);
	     i++)
		if (cfg->reserved[i])
			return -EINVAL;
	be = backend_of(cfg->backend);
	if (!be)
		return -EINVAL;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	ret = pcv_ctl_mutex_init(&vm->lock);
	if (ret) {
		free(vm);
		return ret;
	}
	if (pthread_mutex_init(&vm->stats_lock, NULL) != 0) {
		pthread_mutex_destroy(&vm->lock);
		free(vm);
		return -ENOMEM;
	}
	atomic_init(&vm->slots, NULL);
	atomic_init(&vm->regions, NULL);
	atomic_init(&vm->tables, NULL);
	atomic_init(&vm->profile, PPCVIRT_PROFILE_STRICT);
	atomic_init(&vm->tiers,
		    (1u << PPCVIRT_TIER_FAST) | (1u << PPCVIRT_TIER_SLOW));
	/* KVM HV's default list: H_GET_TCE and H_PUT_TCE only. */
	atomic_init(&vm->hcall_enabled,
		    (1u << PCV_HC_GET) | (1u << PCV_HC_PUT));
	vm->be = be;
	vm->engine_tiers = be->features & PCV_BE_ENGINE_TIERS;
	ret = be->init ? be->init(vm, cfg) : 0;
	if (ret == 0) {
		ret = pcv_handle_add(vm, PCV_H_VM);
		if (ret && be->fini)
			be->fini(vm);
	}
	if (ret) {
		pthread_mutex_destroy(&vm->stats_lock);
		pthread_mutex_destroy(&vm->lock);
		free(vm);
		return ret;
	}
	*out = vm;
	return 0;
}

PPCVIRT_API int ppcvirt_vm_create(struct ppcvirt_vm **out)
{
	const struct ppcvirt_vm_config cfg = {
		.size = sizeof(cfg),
		.backend = PPCVIRT_BACKEND_ENGINE,
		.kvm_vm_fd = -1,
	};

	return ppcvirt_vm_create_with(&cfg, out);
}

PPCVIRT_API int ppcvirt_vm_backend(const struct ppcvirt_vm *vm)
{
	return vm ? (int)vm->be->id : -EINVAL;
}

void pcv_vm_link_child(struct ppcvirt_vm *vm, struct pcv_child *c)
{
	pthread_mutex_lock(&vm->stats_lock);
	c->next = vm->children;
	vm->children = c;
	pthread_mutex_unlock(&vm->stats_lock);
}

int pcv_vm_add_child(struct ppcvirt_vm *vm, void *obj, unsigned type,
		     void (*destroy)(void *obj))
{
	struct pcv_child *c = malloc(sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->obj = obj;
	c->type = type;
	c->destroy = destroy;
	pcv_vm_link_child(vm, c);
	return 0;
}

void pcv_vm_drop_child(struct ppcvirt_vm *vm, void *obj)
{
	struct pcv_child **pp, *c = NULL;

	pthread_mutex_lock(&vm->stats_lock);
	for (pp = &vm->children; *pp; pp = &(*pp)->next) {
		if ((*pp)->obj == obj) {
			c = *pp;
			*pp = c->next;
			break;
		}
	}
	pthread_mutex_unlock(&vm->stats_lock);
	free(c);
}

PPCVIRT_API void ppcvirt_vm_destroy(struct ppcvirt_vm *vm)
{
	struct pcv_tableset *ts;

	if (!vm)
		return;
	/* From a callback the VM is in use by this very thread. */
	if (pcv_may_wait()) {
		pcv_set_error("ppcvirt_vm_destroy() from a library callback or "
			      "an RCU read-side section: ignored");
		return;
	}
	if (!pcv_handle_drop(vm, PCV_H_VM))
		return; /* destroyed already */
	/* Children first: a PHB removes its windows through the VM. */
	for (;;) {
		struct pcv_child *c;

		pthread_mutex_lock(&vm->stats_lock);
		c = vm->children;
		if (c)
			vm->children = c->next;
		pthread_mutex_unlock(&vm->stats_lock);
		if (!c)
			break;
		c->destroy(c->obj);
		free(c);
	}
	while (vm->vcpus)
		ppcvirt_vcpu_destroy(vm->vcpus);
	/* Precondition: no reader left, so no grace period is needed. */
	ts = atomic_load_explicit(&vm->tables, memory_order_relaxed);
	if (ts) {
		for (size_t i = 0; i < ts->n; i++)
			pcv_table_destroy(vm, ts->t[i]);
		free(ts);
	}
	free(atomic_load_explicit(&vm->regions, memory_order_relaxed));
	pcv_memslots_free(
		atomic_load_explicit(&vm->slots, memory_order_relaxed));
	if (vm->be->fini)
		vm->be->fini(vm);
	free(atomic_load_explicit(&vm->tracer, memory_order_relaxed));
	pthread_mutex_destroy(&vm->stats_lock);
	pthread_mutex_destroy(&vm->lock);
	free(vm);
}

PPCVIRT_API int ppcvirt_vm_set_profile(struct ppcvirt_vm *vm,
				       enum ppcvirt_profile profile)
{
	if (!vm || (profile != PPCVIRT_PROFILE_STRICT &&
		    profile != PPCVIRT_PROFILE_QEMU))
		return -EINVAL;
	atomic_store(&vm->profile, (unsigned)profile);
	return 0;
}

PPCVIRT_API int ppcvirt_vm_get_profile(const struct ppcvirt_vm *vm)
{
	return vm ? (int)atomic_load(&vm->profile) : -EINVAL;
}

PPCVIRT_API int ppcvirt_vm_set_tiers(struct ppcvirt_vm *vm, unsigned mask)
{
	const unsigned ok =
		(1u << PPCVIRT_TIER_FAST) | (1u << PPCVIRT_TIER_SLOW);

	if (!vm || (mask & ~ok))
		return -EINVAL;
	if (!vm->engine_tiers)
		return -EOPNOTSUPP; /* the kernel runs the tiers */
	atomic_store(&vm->tiers, mask);
	return 0;
}

PPCVIRT_API int ppcvirt_vm_enable_cap(struct ppcvirt_vm *vm,
				      const struct ppcvirt_enable_cap *cap)
{
	int idx;

	if (!vm || !cap || cap->flags)
		return -EINVAL;
	if (cap->cap != PPCVIRT_CAP_PPC_ENABLE_HCALL)
		return -EINVAL;
	/* Like KVM: only hcalls the engine implements; H_RTAS never. */
	idx = pcv_hcall_index(cap->args[0]);
	if (idx < 0 || cap->args[1] > 1)
		return -EINVAL;
	if (vm->be->enable_hcall) {
		int ret = vm->be->enable_hcall(vm, cap->args[0], cap->args[1]);

		if (ret)
			return ret;
	}
	if (cap->args[1])
		atomic_fetch_or(&vm->hcall_enabled, 1u << idx);
	else
		atomic_fetch_and(&vm->hcall_enabled, ~(1u << idx));
	return 0;
}

PPCVIRT_API int ppcvirt_vcpu_create(struct ppcvirt_vm *vm, uint32_t id,
				    struct ppcvirt_vcpu **out)
{
	struct ppcvirt_vcpu *v;
	int ret = 0;

	if (!vm || !out)
		return -EINVAL;
	pthread_mutex_lock(&vm->stats_lock);
	for (v = vm->vcpus; v; v = v->next) {
		if (v->id == id) {
			ret = -EEXIST;
			goto out;
		}
	}
	/* Cache-line aligned: vCPUs on different threads share nothing. */
	v = aligned_alloc(64, (sizeof(*v) + 63) & ~(size_t)63);
	if (!v) {
		ret = -ENOMEM;
		goto out;
	}
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->id = id;
	ret = pcv_handle_add(v, PCV_H_VCPU);
	if (ret) {
		free(v);
		goto out;
	}
	v->next = vm->vcpus;
	vm->vcpus = v;
	*out = v;
out:
	pthread_mutex_unlock(&vm->stats_lock);
	return ret;
}

void pcv_stats_add(struct ppcvirt_stats *dst, const struct pcv_stats *src)
{
	for (int t = 0; t < PPCVIRT_TIER_COUNT; t++) {
		dst->completed[t] += atomic_load_explicit(&src->completed[t],
							  memory_order_relaxed);
		for (int d = 0; d < PPCVIRT_DECLINE_COUNT; d++)
			dst->declines[t][d] += atomic_load_explicit(
				&src->declines[t][d], memory_order_relaxed);
	}
	dst->exits += atomic_load_explicit(&src->exits, memory_order_relaxed);
}

static void stats_fold(struct pcv_stats *dst, struct pcv_stats *src)
{
	struct ppcvirt_stats sum = {0};

	pcv_stats_add(&sum, src);
	for (int t = 0; t < PPCVIRT_TIER_COUNT; t++) {
		atomic_fetch_add_explicit(&dst->completed[t], sum.completed[t],
					  memory_order_relaxed);
		for (int d = 0; d < PPCVIRT_DECLINE_COUNT; d++)
			atomic_fetch_add_explicit(&dst->declines[t][d],
						  sum.declines[t][d],
						  memory_order_relaxed);
	}
	atomic_fetch_add_explicit(&dst->exits, sum.exits, memory_order_relaxed);
}

PPCVIRT_API void ppcvirt_vcpu_destroy(struct ppcvirt_vcpu *vcpu)
{
	struct ppcvirt_vm *vm;
	struct ppcvirt_vcpu **pp;

	if (!vcpu || !pcv_handle_drop(vcpu, PCV_H_VCPU))
		return; /* NULL, or destroyed already */
	vm = vcpu->vm;
	pthread_mutex_lock(&vm->stats_lock);
	for (pp = &vm->vcpus; *pp; pp = &(*pp)->next) {
		if (*pp == vcpu) {
			*pp = vcpu->next;
			break;
		}
	}
	/* Keep the VM's totals monotonic across vCPU removal. */
	stats_fold(&vm->gone_stats, &vcpu->stats);
	pthread_mutex_unlock(&vm->stats_lock);
	free(vcpu);
}

PPCVIRT_API int ppcvirt_vm_get_stats(struct ppcvirt_vm *vm,
				     struct ppcvirt_stats *out)
{
	if (!vm || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&vm->stats_lock);
	for (struct ppcvirt_vcpu *v = vm->vcpus; v; v = v->next)
		pcv_stats_add(out, &v->stats);
	pcv_stats_add(out, &vm->vmm_stats);
	pcv_stats_add(out, &vm->gone_stats);
	pthread_mutex_unlock(&vm->stats_lock);
	return 0;
}

PPCVIRT_API int ppcvirt_vm_tce_stats(struct ppcvirt_vm *vm, uint64_t liobn,
				     struct ppcvirt_stats *out)
{
	struct pcv_table *t;

	if (!vm || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	pcv_rcu_lock();
	t = pcv_table_find(
		atomic_load_explicit(&vm->tables, memory_order_acquire), liobn);
	if (t)
		pcv_stats_add(out, &t->stats);
	pcv_rcu_unlock();
	return t ? 0 : -ENOENT;
}
