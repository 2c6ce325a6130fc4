/* SPDX-License-Identifier: MIT */
/*
 * Errors and notices: the per-thread "last error" text behind
 * ppcvirt_last_error(), and the VM's log callback.
 *
 * The library never prints. A failing call returns -errno; where the
 * number alone would leave a VMM author guessing (which step of a VFIO
 * setup, which IOVA ranges a window missed), it also leaves one line in
 * a per-thread buffer. The buffer uses the default TLS model, not
 * initial-exec like the hot-path counter in common.h: it is only touched
 * on error paths, and 256 bytes of static TLS could make a dlopen() of
 * the library fail.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/vm.h"

static _Thread_local char last_error[256];

void pcv_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
}

PPCVIRT_API const char *ppcvirt_last_error(void)
{
	return last_error;
}

PPCVIRT_API int ppcvirt_vm_set_log(struct ppcvirt_vm *vm, ppcvirt_log_fn fn,
				   void *opaque)
{
	if (!vm)
		return -EINVAL;
	pthread_mutex_lock(&vm->stats_lock);
	vm->log_fn = fn;
	vm->log_opaque = opaque;
	pthread_mutex_unlock(&vm->stats_lock);
	return 0;
}

void pcv_log(struct ppcvirt_vm *vm, int level, const char *fmt, ...)
{
	ppcvirt_log_fn fn;
	void *opaque;
	char msg[256];
	va_list ap;

	pthread_mutex_lock(&vm->stats_lock);
	fn = vm->log_fn;
	opaque = vm->log_opaque;
	pthread_mutex_unlock(&vm->stats_lock);
	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Outside the lock: the callback may read the VM's counters. */
	pcv_cb_enter();
	fn(opaque, level, msg);
	pcv_cb_exit();
}
