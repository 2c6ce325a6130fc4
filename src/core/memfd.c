/* SPDX-License-Identifier: MIT */
/*
 * Shared memory ppcvirt allocates (table storage, guest RAM): a memfd of a
 * fixed size, sealed.
 *
 * The fd is handed out (for mmap by device back ends, other processes), so
 * whoever holds it could otherwise ftruncate() it: shrinking would turn
 * the next access by a vCPU or device thread into SIGBUS, growing would
 * charge memory to the VMM. F_SEAL_SHRINK and F_SEAL_GROW forbid both
 * (QEMU's memfd RAM backend seals against shrinking too), and F_SEAL_SEAL
 * stops a holder from adding further seals (F_SEAL_FUTURE_WRITE would
 * break mappings made later).
 *
 * RLIMIT_FSIZE applies to memfds: an ftruncate() past it raises SIGXFSZ,
 * which kills a process that does not handle it. A library must answer
 * -EFBIG instead, so the limit is checked first.
 */
#define _GNU_SOURCE /* memfd_create, F_ADD_SEALS */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/common.h"

int pcv_memfd_create(const char *name, uint64_t size)
{
	struct rlimit rl;
	int fd, ret;

	if (size > (uint64_t)INT64_MAX)
		return -EFBIG;
	if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    size > (uint64_t)rl.rlim_cur) {
		pcv_set_error("%s of %llu bytes is above RLIMIT_FSIZE (%llu)",
			      name, (unsigned long long)size,
			      (unsigned long long)rl.rlim_cur);
		return -EFBIG;
	}
	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) != 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) !=
		    0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}
