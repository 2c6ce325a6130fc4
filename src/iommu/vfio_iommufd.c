/* SPDX-License-Identifier: MIT */
/*
 * The iommufd back end: an IOAS of /dev/iommu with the device's VFIO cdev
 * (/dev/vfio/devices/vfio<n>) bound to the iommufd and attached to the
 * IOAS, and IOMMU_IOAS_MAP (at a fixed IOVA) / IOMMU_IOAS_UNMAP for every
 * extent of a linked table.
 *
 * The kernel's rules this relies on (docs/passthrough.md): a fixed-IOVA
 * map must not overlap a mapping and an unmap must cover whole mappings
 * (the type1v2 rules again); pinned pages are charged to RLIMIT_MEMLOCK;
 * the IOVA ranges narrow as devices attach, so they are read after the
 * attach; iommufd has no mapping limit. Closing the cdev detaches and
 * unbinds the device, which must happen before its IOAS can be destroyed.
 */
#define _GNU_SOURCE /* O_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "iommu/vfio.h"
#include "iommu/vfio_uapi.h"

static int fail(const struct pcv_vfio *v, int err, const char *step)
{
	pcv_set_error("vfio %s (iommufd, ioas %u): %s: %s", v->device,
		      v->ioas_id, step, strerror(err));
	return -err;
}

static int read_ranges(struct pcv_vfio *v)
{
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q),
		.ioas_id = v->ioas_id,
	};
	struct iommu_iova_range *r = NULL;
	uint64_t align;
	long page;

	/* Ask for the count, then for that many (it may grow in between:
	 * EMSGSIZE again). */
	for (int tries = 0;; tries++) {
		q.num_iovas = 0;
		q.allowed_iovas = 0;
		if (ioctl(v->iommufd, IOMMU_IOAS_IOVA_RANGES, &q) < 0 &&
		    errno != EMSGSIZE)
			return -errno;
		if (q.num_iovas == 0 || q.num_iovas > 4096 || tries > 3) {
			free(r);
			return q.num_iovas ? -E2BIG : 0;
		}
		free(r);
		r = calloc(q.num_iovas, sizeof(*r));
		if (!r)
			return -ENOMEM;
		q.allowed_iovas = (uintptr_t)r;
		if (ioctl(v->iommufd, IOMMU_IOAS_IOVA_RANGES, &q) == 0)
			break;
		if (errno != EMSGSIZE) {
			int err = errno;

			free(r);
			return -err;
		}
	}
	for (uint32_t i = 0; i < q.num_iovas; i++)
		pcv_vfio_add_range(v, r[i].start, r[i].last);
	free(r);
	/* Any multiple of the alignment maps; user memory comes in pages. */
	align = q.out_iova_alignment;
	page = sysconf(_SC_PAGESIZE);
	if (page > 0 && align < (uint64_t)page)
		align = (uint64_t)page;
	if (!align || (align & (align - 1)))
		return -EINVAL;
	v->pgsize_bitmap = ~(align - 1);
	v->max_mappings = 0; /* no per-IOAS limit */
	return 0;
}

PCV_INTERNAL int pcv_vfio_iommufd_setup(struct pcv_vfio *v,
					const struct ppcvirt_vfio_config *cfg)
{
	int ret;

	if (cfg->iommufd >= 0) {
		v->iommufd = cfg->iommufd;
	} else {
		v->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
		if (v->iommufd < 0) {
			int err = errno;

			pcv_set_error("vfio: open /dev/iommu: %s%s",
				      strerror(err),
				      err == ENOENT ? " (kernel without "
						      "CONFIG_IOMMUFD)"
						    : "");
			return err == ENOENT ? -EOPNOTSUPP : -err;
		}
		v->owns |= PCV_VFIO_OWN_IOMMUFD;
	}
	if (cfg->ioas_id) {
		v->ioas_id = cfg->ioas_id;
		/* Also proves the IOAS exists in this iommufd. */
		ret = read_ranges(v);
		if (ret) {
			pcv_set_error("vfio: ioas_id %u of iommufd %d: "
				      "IOMMU_IOAS_IOVA_RANGES: %s",
				      v->ioas_id, v->iommufd, strerror(-ret));
			return -EINVAL;
		}
		v->nranges = 0; /* read again after the attach */
	} else {
		struct iommu_ioas_alloc a = {.size = sizeof(a)};

		if (ioctl(v->iommufd, IOMMU_IOAS_ALLOC, &a) < 0)
			return fail(v, errno, "IOMMU_IOAS_ALLOC");
		v->ioas_id = a.out_ioas_id;
		v->owns |= PCV_VFIO_OWN_IOAS;
	}
	if (cfg->device_fd >= 0) {
		v->device_fd = cfg->device_fd;
	} else {
		struct vfio_device_bind_iommufd b = {
			.argsz = sizeof(b),
			.iommufd = v->iommufd,
		};
		struct vfio_device_attach_iommufd_pt at = {
			.argsz = sizeof(at),
			.pt_id = v->ioas_id,
		};

		ret = pcv_vfio_device_bound(v->device);
		if (ret)
			return ret;
		ret = pcv_vfio_open_cdev(v->device);
		if (ret < 0)
			return ret;
		v->device_fd = ret;
		v->owns |= PCV_VFIO_OWN_DEVICE;
		if (ioctl(v->device_fd, VFIO_DEVICE_BIND_IOMMUFD, &b) < 0) {
			int err = errno;

			/* EINVAL: the device is open elsewhere (through its
			 * group, or bound); EPERM: another device of its IOMMU
			 * group is used by a host driver (DMA ownership). */
			if (err == EINVAL)
				pcv_set_error(
					"vfio %s: VFIO_DEVICE_BIND_IOMMUFD: "
					"the device is in use (bound to "
					"another iommufd, or open through "
					"its group)",
					v->device);
			else if (err == EPERM)
				pcv_set_error(
					"vfio %s: VFIO_DEVICE_BIND_IOMMUFD: "
					"the IOMMU group is not viable: "
					"every device in it must be bound "
					"to vfio-pci or to no driver",
					v->device);
			else
				return fail(v, err, "VFIO_DEVICE_BIND_IOMMUFD");
			return -EBUSY;
		}
		if (ioctl(v->device_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) < 0)
			return fail(v, errno, "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	}
	ret = read_ranges(v);
	if (ret)
		return fail(v, -ret, "IOMMU_IOAS_IOVA_RANGES");
	return 0;
}

PCV_INTERNAL void pcv_vfio_iommufd_teardown(struct pcv_vfio *v)
{
	/* The device first: an IOAS with an attached device cannot be
	 * destroyed. Closing an iommufd we opened frees its IOAS with it. */
	if ((v->owns & PCV_VFIO_OWN_DEVICE) && v->device_fd >= 0)
		close(v->device_fd);
	if ((v->owns & PCV_VFIO_OWN_IOAS) &&
	    !(v->owns & PCV_VFIO_OWN_IOMMUFD) && v->iommufd >= 0) {
		struct iommu_destroy d = {.size = sizeof(d), .id = v->ioas_id};

		(void)ioctl(v->iommufd, IOMMU_DESTROY, &d);
	}
	if ((v->owns & PCV_VFIO_OWN_IOMMUFD) && v->iommufd >= 0)
		close(v->iommufd);
	v->device_fd = v->iommufd = -1;
	v->owns = 0;
}

static int iommufd_map(void *be, uint64_t iova, uint64_t len, void *hva,
		       uint32_t perm, unsigned flags)
{
	const struct pcv_vfio *v = be;
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = v->ioas_id,
		.user_va = (uintptr_t)hva,
		.length = len,
		.iova = iova,
	};

	if (!(flags & PPCVIRT_IOMMU_MAY_BLOCK))
		return -EAGAIN; /* a system call: never in the fast tier */
	if (perm & PPCVIRT_TCE_READ)
		m.flags |= IOMMU_IOAS_MAP_READABLE;
	if (perm & PPCVIRT_TCE_WRITE)
		m.flags |= IOMMU_IOAS_MAP_WRITEABLE;
	if (!(perm & (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)) ||
	    (perm & ~(uint32_t)(PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)))
		return -EINVAL;
	while (ioctl(v->iommufd, IOMMU_IOAS_MAP, &m) < 0) {
		if (errno != EINTR)
			return pcv_vfio_io_error(v, "IOMMU_IOAS_MAP", iova, len,
						 errno);
	}
	return 0;
}

static int iommufd_unmap(void *be, uint64_t iova, uint64_t len, unsigned flags)
{
	const struct pcv_vfio *v = be;
	struct iommu_ioas_unmap u = {
		.size = sizeof(u),
		.ioas_id = v->ioas_id,
		.iova = iova,
		.length = len,
	};

	if (!(flags & PPCVIRT_IOMMU_MAY_BLOCK))
		return -EAGAIN; /* still mapped; the next tier unmaps */
	while (ioctl(v->iommufd, IOMMU_IOAS_UNMAP, &u) < 0) {
		if (errno != EINTR)
			return pcv_vfio_io_error(v, "IOMMU_IOAS_UNMAP", iova,
						 len, errno);
	}
	if (u.length != len) {
		pcv_set_error(
			"vfio %s: IOMMU_IOAS_UNMAP iova 0x%llx len 0x%llx "
			"unmapped 0x%llx",
			v->device, (unsigned long long)iova,
			(unsigned long long)len, (unsigned long long)u.length);
		return -EIO;
	}
	return 0;
}

PCV_INTERNAL const struct ppcvirt_iommu_ops pcv_vfio_iommufd_ops = {
	.version = PPCVIRT_IOMMU_OPS_VERSION,
	.flags = PPCVIRT_IOMMU_SLEEPS,
	.map = iommufd_map,
	.unmap = iommufd_unmap,
	.release = pcv_vfio_release,
};
