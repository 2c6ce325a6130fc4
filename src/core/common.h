/* SPDX-License-Identifier: MIT */
/*
 * What every subsystem of the library shares: symbol visibility, branch
 * hints, the RCU read side, and the re-entrancy rules.
 *
 * RCU: liburcu-bp, the "bulletproof" flavour a library can use without
 * asking the embedder to register threads. Data-plane readers (hypercalls,
 * translations) bracket their use of published objects (memory slots,
 * tables, links) in pcv_rcu_lock()/pcv_rcu_unlock(); the control plane
 * publishes a new object, waits with pcv_rcu_synchronize(), then frees the
 * old one.
 *   - TSan cannot see liburcu's membarrier-based ordering, so TSan builds
 *     (PPCVIRT_TSAN) add an explicit happens-before edge from every
 *     read-side unlock to the end of every grace period.
 *   - Sanitizer builds (PPCVIRT_RCU_OUT_OF_LINE) call liburcu's read side
 *     out of line: inlined, it would be instrumented, and UBSan reports a
 *     misaligned access inside liburcu itself (urcu_bp_reader wants
 *     128-byte alignment that liburcu's allocator does not provide).
 *
 * Re-entrancy (docs/threading.md): a grace period waits for every reader,
 * so a thread that waits for one from inside a read-side section (or from
 * a callback the library made from inside one) waits for itself, for ever,
 * and liburcu-bp blocks almost every signal while it waits. The library
 * therefore refuses, with -EDEADLK, every call that would wait when the
 * calling thread is inside a read-side section or inside a callback made
 * by the library (pcv_may_wait()); control-plane locks are error-checking
 * mutexes, so a callback re-entering the control plane of its own VM gets
 * -EDEADLK instead of a hang too.
 */
#ifndef PPCVIRT_SRC_CORE_COMMON_H
#define PPCVIRT_SRC_CORE_COMMON_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#if !defined(PPCVIRT_RCU_OUT_OF_LINE)
#define _LGPL_SOURCE /* inline read-side fast paths */
#endif
#include <urcu-bp.h>

#if defined(PPCVIRT_TSAN)
#include <sanitizer/tsan_interface.h>
extern char pcv_tsan_grace_period;
#endif

#define PCV_INTERNAL	__attribute__((visibility("hidden")))
#define pcv_likely(x)	__builtin_expect(!!(x), 1)
#define pcv_unlikely(x) __builtin_expect(!!(x), 0)

static inline void pcv_rcu_lock(void)
{
	urcu_bp_read_lock();
}

static inline void pcv_rcu_unlock(void)
{
#if defined(PPCVIRT_TSAN)
	__tsan_release(&pcv_tsan_grace_period);
#endif
	urcu_bp_read_unlock();
}

/* Wait until every reader that could see an unpublished object is gone.
 * Callers check pcv_may_wait() first (through pcv_ctl_lock()). */
static inline void pcv_rcu_synchronize(void)
{
	urcu_bp_synchronize_rcu();
#if defined(PPCVIRT_TSAN)
	__tsan_acquire(&pcv_tsan_grace_period);
#endif
}

/*
 * Depth of library callbacks (back-end ops, trace and log hooks) running
 * on this thread. Initial-exec TLS: one segment-relative access, no call.
 */
extern _Thread_local unsigned pcv_tls_callbacks
	__attribute__((tls_model("initial-exec")));

static inline void pcv_cb_enter(void)
{
	pcv_tls_callbacks++;
}

static inline void pcv_cb_exit(void)
{
	pcv_tls_callbacks--;
}

/*
 * May this thread block (wait for a grace period, a control-plane lock or
 * a table's update lock)? Not from a library callback, and not inside an
 * RCU read-side section (ours or the embedder's: liburcu-bp is shared by
 * the whole process). Return: 0 or -EDEADLK.
 */
static inline int pcv_may_wait(void)
{
	if (pcv_tls_callbacks || urcu_bp_read_ongoing())
		return -EDEADLK;
	return 0;
}

/*
 * Control-plane lock of an object: refuses with -EDEADLK where waiting is
 * forbidden (pcv_may_wait()) and when this thread already holds @m (an
 * error-checking mutex, see pcv_ctl_mutex_init()).
 */
static inline int pcv_ctl_lock(pthread_mutex_t *m)
{
	int ret = pcv_may_wait();

	if (ret)
		return ret;
	ret = pthread_mutex_lock(m);
	return ret ? -ret : 0;
}

static inline void pcv_ctl_unlock(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
}

PCV_INTERNAL int pcv_ctl_mutex_init(pthread_mutex_t *m);

/* Live handles (src/core/handle.c): types of object. */
enum pcv_handle_type {
	PCV_H_VM = 1,
	PCV_H_VCPU,
	PCV_H_TLB,
	PCV_H_PHB,
};
/* Remember @p as a live handle: 0 or -ENOMEM. */
PCV_INTERNAL int pcv_handle_add(const void *p, unsigned type);
/* Forget @p; false when it was not a live handle of @type (a second
 * destroy), which the caller then ignores. */
PCV_INTERNAL bool pcv_handle_drop(const void *p, unsigned type);

/* A sealed memfd of @size bytes (src/core/memfd.c): the fd, or -errno
 * (-EFBIG above RLIMIT_FSIZE instead of a SIGXFSZ). */
PCV_INTERNAL int pcv_memfd_create(const char *name, uint64_t size);

/* Set this thread's ppcvirt_last_error() text (src/core/log.c). */
PCV_INTERNAL void pcv_set_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
