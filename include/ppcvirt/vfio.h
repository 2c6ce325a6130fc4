/* SPDX-License-Identifier: MIT */
/*
 * VFIO host IOMMU back ends: a guest TCE table linked to a device assigned
 * with VFIO, on x86-64 Linux hosts (include/ppcvirt/iommu.h explains
 * linking).
 *
 * Two kernel interfaces, one group handle:
 *   - type1v2: the legacy container (/dev/vfio/vfio + /dev/vfio/<group>,
 *     VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU), VFIO_IOMMU_MAP_DMA/UNMAP_DMA);
 *   - iommufd: an IOAS of /dev/iommu with the device's VFIO cdev
 *     (/dev/vfio/devices/vfioN: VFIO_DEVICE_BIND_IOMMUFD,
 *     VFIO_DEVICE_ATTACH_IOMMUFD_PT, IOMMU_IOAS_MAP/UNMAP), for kernels
 *     built with CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV.
 * ppcvirt opens what the VMM does not hand it, and closes only what it
 * opened. The group's geometry (IOVA ranges, page sizes, mapping limit)
 * comes from the kernel (VFIO_IOMMU_GET_INFO's IOVA_RANGE and DMA_AVAIL
 * capabilities, IOMMU_IOAS_IOVA_RANGES).
 *
 * The kernel's rules every VMM meets (docs/passthrough.md): each mapped
 * page is pinned and charged to the locked-memory limit (RLIMIT_MEMLOCK,
 * unless CAP_IPC_LOCK); type1 holds at most dma_entry_limit mappings per
 * container; IOVAs outside the reported ranges are refused. Every map and
 * unmap is a system call, so tables linked to a VFIO group are updated by
 * the slow and VMM tiers, never the fast one.
 */
#ifndef PPCVIRT_VFIO_H
#define PPCVIRT_VFIO_H

#include <stddef.h>
#include <stdint.h>

#include <ppcvirt/api.h>
#include <ppcvirt/iommu.h>

#ifdef __cplusplus
extern "C" {
#endif

/* struct ppcvirt_vfio_config.iommu */
enum ppcvirt_vfio_iommu {
	/* iommufd when the kernel has it (/dev/iommu and the device's cdev
	 * exist), else type1v2. */
	PPCVIRT_VFIO_AUTO = 0,
	PPCVIRT_VFIO_TYPE1V2 = 1,
	PPCVIRT_VFIO_IOMMUFD = 2,
};

/**
 * struct ppcvirt_vfio_config - which device, which interface, which fds.
 * @size:         sizeof(struct ppcvirt_vfio_config).
 * @iommu:        enum ppcvirt_vfio_iommu.
 * @device:       the device's PCI address ("0000:00:01.0"), bound to
 *                vfio-pci. Needed unless every fd below is given.
 * @container_fd: type1v2: a container the VMM owns, already with
 *                VFIO_TYPE1v2_IOMMU set; -1: ppcvirt opens /dev/vfio/vfio
 *                and sets it.
 * @group_fd:     type1v2: the VMM's group fd, already in @container_fd;
 *                -1: ppcvirt opens /dev/vfio/<group of @device>.
 * @iommufd:      iommufd: the VMM's /dev/iommu fd; -1: ppcvirt opens it.
 * @ioas_id:      iommufd with the VMM's @iommufd: its IOAS, to which the
 *                device is attached already; 0: ppcvirt allocates one.
 * @device_fd:    iommufd: the VMM's device cdev fd, bound to @iommufd and
 *                attached to @ioas_id; -1: ppcvirt opens
 *                /dev/vfio/devices/vfioN, binds and attaches it.
 * @flags:        must be 0.
 * @reserved:     must be 0.
 */
struct ppcvirt_vfio_config {
	uint32_t size;
	uint32_t iommu;
	const char *device;
	int32_t container_fd;
	int32_t group_fd;
	int32_t iommufd;
	uint32_t ioas_id;
	int32_t device_fd;
	uint32_t flags;
	uint64_t reserved[4];
};

/**
 * ppcvirt_vfio_config_init() - a config for @device with every fd -1,
 * PPCVIRT_VFIO_AUTO and the size set.
 *
 * Context: any thread.
 */
PPCVIRT_API void ppcvirt_vfio_config_init(struct ppcvirt_vfio_config *cfg,
					  const char *device);

/**
 * ppcvirt_vfio_open() - set up (or adopt) a VFIO IOMMU context and wrap
 * it into a group handle (one reference, the caller's; the fds ppcvirt
 * opened are closed when the last reference goes).
 *
 * Context: control plane.
 * Return: 0; -EINVAL (bad config; an fd that is not what it should be: a
 * group fd that is not a VFIO group, a container without TYPE1v2, ...);
 * -ENOENT (no such device, or it is not bound to vfio-pci);
 * -EOPNOTSUPP (the interface asked for is not in this kernel); -EBUSY
 * (the group is already in another container, or the container already
 * has an IOMMU set that is not TYPE1v2); -EPERM/-EACCES; -ENOMEM; other
 * -errno from the kernel. ppcvirt_last_error() says which step failed.
 */
PPCVIRT_API int ppcvirt_vfio_open(const struct ppcvirt_vfio_config *cfg,
				  struct ppcvirt_iommu_group **out);

/**
 * ppcvirt_vfio_iommu() - the interface a VFIO group uses.
 *
 * Context: any thread.
 * Return: PPCVIRT_VFIO_TYPE1V2 or PPCVIRT_VFIO_IOMMUFD; -EINVAL when @g
 * is NULL or not a VFIO group.
 */
PPCVIRT_API int ppcvirt_vfio_iommu(const struct ppcvirt_iommu_group *g);

/**
 * ppcvirt_vfio_device_fd() - a new fd for the device itself (for its
 * regions, BARs and interrupts): VFIO_GROUP_GET_DEVICE_FD with type1v2, a
 * duplicate of the bound cdev with iommufd. The caller closes it.
 *
 * Context: control plane.
 * Return: the fd; -EINVAL (not a VFIO group, or opened without a
 * device); other -errno from the kernel.
 */
PPCVIRT_API int ppcvirt_vfio_device_fd(struct ppcvirt_iommu_group *g);

#ifdef __cplusplus
}
#endif

#endif
