/* SPDX-License-Identifier: MIT */
/*
 * The VFIO host IOMMU back ends (include/ppcvirt/vfio.h): what
 * src/iommu/vfio.c (configuration, sysfs, fd checks, the group handle)
 * shares with the two kernel interfaces, src/iommu/vfio_type1.c and
 * src/iommu/vfio_iommufd.c.
 */
#ifndef PPCVIRT_SRC_IOMMU_VFIO_H
#define PPCVIRT_SRC_IOMMU_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ppcvirt/hcall.h> /* PPCVIRT_TCE_READ/WRITE */
#include <ppcvirt/iommu.h>
#include <ppcvirt/vfio.h>

#include "core/common.h"

/* "dddd:bb:dd.f" with a domain of up to 8 hex digits, and the NUL. */
#define PCV_VFIO_DEV_MAX 17

/* What ppcvirt opened or allocated, and so closes or frees. */
#define PCV_VFIO_OWN_CONTAINER 0x1u
#define PCV_VFIO_OWN_GROUP     0x2u
#define PCV_VFIO_OWN_IOMMUFD   0x4u
#define PCV_VFIO_OWN_IOAS      0x8u
#define PCV_VFIO_OWN_DEVICE    0x10u

/*
 * One VFIO IOMMU context behind a group handle. Immutable once the group
 * exists (map and unmap run concurrently on any thread), except that the
 * kernel objects behind the fds may go away: every call then fails with
 * an error, never touches freed memory.
 */
struct pcv_vfio {
	int iommu;     /* PPCVIRT_VFIO_TYPE1V2 or PPCVIRT_VFIO_IOMMUFD */
	unsigned owns; /* PCV_VFIO_OWN_* */
	int container; /* type1: the container, -1 otherwise */
	int group;     /* type1: the group, -1 otherwise */
	int group_id;  /* type1: /dev/vfio/<group_id>, -1 when unknown */
	int iommufd;   /* iommufd: /dev/iommu, -1 otherwise */
	uint32_t ioas_id;
	int device_fd; /* iommufd: the bound cdev, -1 otherwise */
	char device[PCV_VFIO_DEV_MAX]; /* "" when not known */
	uint32_t nranges;
	uint64_t pgsize_bitmap;
	uint64_t max_mappings;
	struct ppcvirt_iova_range ranges[PPCVIRT_IOMMU_MAX_RANGES];
};

/* What an fd is, from its character device (pcv_vfio_fd_kind()). */
enum pcv_vfio_kind {
	PCV_VFIO_KIND_OTHER = 0,
	PCV_VFIO_KIND_CONTAINER, /* /dev/vfio/vfio */
	PCV_VFIO_KIND_GROUP,	 /* /dev/vfio/<n> */
	PCV_VFIO_KIND_IOMMUFD,	 /* /dev/iommu */
	PCV_VFIO_KIND_CDEV,	 /* /dev/vfio/devices/vfio<n> */
};

/*
 * Which kind of VFIO object @fd is, without issuing an ioctl to it (an
 * ioctl number means something else to another driver). @what receives a
 * description for messages ("/dev/null", "a pipe"). Return the kind, or
 * -EBADF.
 */
PCV_INTERNAL int pcv_vfio_fd_kind(int fd, char *what, size_t n);

/*
 * Check that @dev is a PCI device bound to a VFIO driver, through sysfs.
 * Return 0 or -ENOENT, with the error text set.
 */
PCV_INTERNAL int pcv_vfio_device_bound(const char *dev);

/* The IOMMU group number of @dev (sysfs), or -ENOENT with the text set. */
PCV_INTERNAL int pcv_vfio_device_group(const char *dev);

/* Open the VFIO cdev of @dev (/dev/vfio/devices/vfio<n>). Return the fd,
 * or -errno with the text set. */
PCV_INTERNAL int pcv_vfio_open_cdev(const char *dev);

/* Keep the first PPCVIRT_IOMMU_MAX_RANGES of a kernel's range list. */
PCV_INTERNAL void pcv_vfio_add_range(struct pcv_vfio *v, uint64_t start,
				     uint64_t last);

/* -errno for a failed map/unmap ioctl (errno @err), with the text set:
 * the errors struct ppcvirt_iommu_ops allows, -ENODEV when the kernel
 * object behind the fd is gone. */
PCV_INTERNAL int pcv_vfio_io_error(const struct pcv_vfio *v, const char *op,
				   uint64_t iova, uint64_t len, int err);

/* The interfaces: set up or adopt (filling the fds, @owns and the
 * geometry), and their callbacks. On error the caller tears down. */
PCV_INTERNAL int pcv_vfio_type1_setup(struct pcv_vfio *v,
				      const struct ppcvirt_vfio_config *cfg);
PCV_INTERNAL void pcv_vfio_type1_teardown(struct pcv_vfio *v);
PCV_INTERNAL int pcv_vfio_type1_device_fd(struct pcv_vfio *v);
PCV_INTERNAL int pcv_vfio_iommufd_setup(struct pcv_vfio *v,
					const struct ppcvirt_vfio_config *cfg);
PCV_INTERNAL void pcv_vfio_iommufd_teardown(struct pcv_vfio *v);

/* ops->release of both interfaces: tear down and free. */
PCV_INTERNAL void pcv_vfio_release(void *be);

PCV_INTERNAL extern const struct ppcvirt_iommu_ops pcv_vfio_type1_ops;
PCV_INTERNAL extern const struct ppcvirt_iommu_ops pcv_vfio_iommufd_ops;

#endif
