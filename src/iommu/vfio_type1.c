/* SPDX-License-Identifier: MIT */
/*
 * The VFIO type1v2 back end: a container (/dev/vfio/vfio) holding the
 * device's group (/dev/vfio/<n>), VFIO_TYPE1v2_IOMMU set on it, and
 * VFIO_IOMMU_MAP_DMA/UNMAP_DMA for every extent of a linked table.
 *
 * The kernel's rules this relies on (docs/passthrough.md): a group is
 * opened by one process at a time and must be viable (every device in it
 * bound to a VFIO driver or to none); an IOMMU can be set only once a
 * group is in the container; MAP_DMA refuses a range that overlaps a
 * mapping, and v2's UNMAP_DMA refuses to split one; each mapping pins its
 * pages (charged to RLIMIT_MEMLOCK) and counts against dma_entry_limit,
 * which VFIO_IOMMU_GET_INFO reports as the DMA_AVAIL capability, with the
 * valid IOVA ranges as the IOVA_RANGE capability.
 */
#define _GNU_SOURCE /* O_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "iommu/vfio.h"
#include "iommu/vfio_uapi.h"

static int fail(const struct pcv_vfio *v, int err, const char *step)
{
	pcv_set_error("vfio %s (group %d): %s: %s", v->device, v->group_id,
		      step, strerror(err));
	return -err;
}

/* Walk the capability chain of VFIO_IOMMU_GET_INFO's answer in @buf. */
static void parse_caps(struct pcv_vfio *v, const unsigned char *buf,
		       size_t size, bool *have_ranges)
{
	const struct vfio_iommu_type1_info *info = (const void *)buf;
	uint32_t off = info->cap_offset;
	unsigned hops = 0;

	/* Offsets only go forward and stay inside the buffer: a chain the
	 * kernel got wrong ends the walk, it cannot loop or overrun. */
	while (off >= sizeof(*info) &&
	       off <= size - sizeof(struct vfio_info_cap_header) &&
	       hops++ < 64) {
		struct vfio_info_cap_header h;

		memcpy(&h, buf + off, sizeof(h));
		if (h.id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE &&
		    off + sizeof(struct vfio_iommu_type1_info_cap_iova_range) <=
			    size) {
			struct vfio_iommu_type1_info_cap_iova_range r;
			size_t at = off + sizeof(r);

			memcpy(&r, buf + off, sizeof(r));
			*have_ranges = true;
			for (uint32_t i = 0; i < r.nr_iovas; i++) {
				struct vfio_iova_range one;

				if (at + sizeof(one) > size)
					break;
				memcpy(&one, buf + at, sizeof(one));
				pcv_vfio_add_range(v, one.start, one.end);
				at += sizeof(one);
			}
		} else if (
			h.id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL &&
			off + sizeof(struct vfio_iommu_type1_info_dma_avail) <=
				size) {
			struct vfio_iommu_type1_info_dma_avail a;

			memcpy(&a, buf + off, sizeof(a));
			v->max_mappings = a.avail;
		}
		if (h.next <= off)
			break;
		off = h.next;
	}
}

/* VFIO_IOMMU_GET_INFO with its capabilities; fails when the container
 * has no IOMMU set. */
static int read_info(struct pcv_vfio *v)
{
	struct vfio_iommu_type1_info probe = {.argsz = sizeof(probe)};
	unsigned char *buf;
	bool have_ranges = false;
	size_t size;

	if (ioctl(v->container, VFIO_IOMMU_GET_INFO, &probe) < 0)
		return -errno;
	size = probe.argsz > sizeof(probe) ? probe.argsz : sizeof(probe);
	if (size > (1u << 20))
		return -E2BIG;
	buf = calloc(1, size);
	if (!buf)
		return -ENOMEM;
	((struct vfio_iommu_type1_info *)(void *)buf)->argsz = (uint32_t)size;
	if (ioctl(v->container, VFIO_IOMMU_GET_INFO, buf) < 0) {
		int err = errno;

		free(buf);
		return -err;
	}
	{
		const struct vfio_iommu_type1_info *info = (const void *)buf;

		v->pgsize_bitmap = (info->flags & VFIO_IOMMU_INFO_PGSIZES)
					   ? info->iova_pgsizes
					   : 0;
		if (info->flags & VFIO_IOMMU_INFO_CAPS)
			parse_caps(v, buf, size, &have_ranges);
	}
	free(buf);
	/* Kernels before the IOVA_RANGE capability (4.20) check nothing. */
	if (!have_ranges)
		pcv_vfio_add_range(v, 0, UINT64_MAX);
	if (!v->pgsize_bitmap) {
		pcv_set_error(
			"vfio %s: VFIO_IOMMU_GET_INFO reports no page size",
			v->device);
		return -EINVAL;
	}
	return 0;
}

/* The <n> of /dev/vfio/<n> an adopted group fd was opened as, or -1. */
static int group_number(int fd)
{
	char proc[64], path[64];
	ssize_t n;
	long id;
	char *end;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, path, sizeof(path) - 1);
	if (n <= 10)
		return -1;
	path[n] = '\0';
	if (strncmp(path, "/dev/vfio/", 10))
		return -1;
	id = strtol(path + 10, &end, 10);
	return *end || end == path + 10 || id < 0 || id > INT_MAX ? -1
								  : (int)id;
}

static int open_group(struct pcv_vfio *v)
{
	char path[64];
	int id = pcv_vfio_device_group(v->device);

	if (id < 0)
		return id;
	v->group_id = id;
	snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0) {
		int err = errno;

		if (err == EBUSY)
			pcv_set_error("vfio %s: %s is in use (another process "
				      "or container holds the group)",
				      v->device, path);
		else
			pcv_set_error("vfio %s: open %s: %s", v->device, path,
				      strerror(err));
		return err == ENOENT ? -ENOENT : -err;
	}
	v->owns |= PCV_VFIO_OWN_GROUP;
	return 0;
}

static int open_container(struct pcv_vfio *v)
{
	int ret;

	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0) {
		int err = errno;

		pcv_set_error("vfio: open /dev/vfio/vfio: %s%s", strerror(err),
			      err == ENOENT ? " (no VFIO in this kernel)" : "");
		return err == ENOENT ? -EOPNOTSUPP : -err;
	}
	v->owns |= PCV_VFIO_OWN_CONTAINER;
	ret = ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU);
	if (ret <= 0) {
		pcv_set_error("vfio: the kernel has no VFIO_TYPE1v2_IOMMU");
		return -EOPNOTSUPP;
	}
	return 0;
}

PCV_INTERNAL int pcv_vfio_type1_setup(struct pcv_vfio *v,
				      const struct ppcvirt_vfio_config *cfg)
{
	struct vfio_group_status st = {.argsz = sizeof(st)};
	int ret;

	if (cfg->container_fd >= 0) {
		v->container = cfg->container_fd;
		if (ioctl(v->container, VFIO_GET_API_VERSION) !=
		    VFIO_API_VERSION) {
			pcv_set_error("vfio: container_fd %d: VFIO API version "
				      "is not %d",
				      v->container, VFIO_API_VERSION);
			return -EINVAL;
		}
		/* An IOMMU must be set already: GET_INFO answers then only.
		 * With one set, CHECK_EXTENSION asks that IOMMU, which
		 * denies TYPE1v2 unless it is type1; without, any driver of
		 * the kernel may say yes. */
		ret = read_info(v);
		if (ret && ioctl(v->container, VFIO_CHECK_EXTENSION,
				 VFIO_TYPE1v2_IOMMU) <= 0) {
			pcv_set_error("vfio: container_fd %d has an IOMMU set "
				      "that is not type1v2",
				      v->container);
			return -EBUSY;
		}
		if (ret) {
			pcv_set_error("vfio: container_fd %d has no IOMMU set "
				      "(VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU) "
				      "first): %s",
				      v->container, strerror(-ret));
			return -EINVAL;
		}
		/* Read again below, once our group is in. */
		v->nranges = 0;
		v->max_mappings = 0;
	}
	if (cfg->group_fd >= 0) {
		v->group = cfg->group_fd;
		v->group_id = group_number(v->group);
	} else {
		ret = pcv_vfio_device_bound(v->device);
		if (ret)
			return ret;
		ret = open_group(v);
		if (ret)
			return ret;
	}
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &st) < 0)
		return fail(v, errno, "VFIO_GROUP_GET_STATUS");
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		pcv_set_error("vfio %s: group %d is not viable: every device "
			      "in it must be bound to vfio-pci or to no driver",
			      v->device, v->group_id);
		return -EBUSY;
	}
	if (st.flags & VFIO_GROUP_FLAGS_CONTAINER_SET) {
		/* Only the VMM's group may already be in the VMM's container.
		 */
		if (!(v->owns & PCV_VFIO_OWN_GROUP) && cfg->container_fd >= 0) {
			ret = read_info(v);
			return ret ? fail(v, -ret, "VFIO_IOMMU_GET_INFO") : 0;
		}
		pcv_set_error("vfio %s: the group is in a container already: "
			      "pass that container as container_fd",
			      v->device);
		return -EBUSY;
	}
	if (cfg->group_fd >= 0 && cfg->container_fd >= 0) {
		pcv_set_error("vfio: group_fd %d is not in container_fd %d "
			      "(VFIO_GROUP_SET_CONTAINER first)",
			      cfg->group_fd, cfg->container_fd);
		return -EINVAL;
	}
	if (v->container < 0) {
		ret = open_container(v);
		if (ret)
			return ret;
	}
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) < 0) {
		int err = errno;

		fail(v, err, "VFIO_GROUP_SET_CONTAINER");
		return err == EINVAL ? -EBUSY : -err;
	}
	if ((v->owns & PCV_VFIO_OWN_CONTAINER) &&
	    ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0)
		return fail(v, errno, "VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU)");
	ret = read_info(v);
	if (ret)
		return fail(v, -ret, "VFIO_IOMMU_GET_INFO");
	return 0;
}

PCV_INTERNAL void pcv_vfio_type1_teardown(struct pcv_vfio *v)
{
	/* Closing our group takes it out of the container; closing our
	 * container drops whatever is still mapped in it. */
	if ((v->owns & PCV_VFIO_OWN_GROUP) && v->group >= 0)
		close(v->group);
	if ((v->owns & PCV_VFIO_OWN_CONTAINER) && v->container >= 0)
		close(v->container);
	v->group = v->container = -1;
	v->owns = 0;
}

PCV_INTERNAL int pcv_vfio_type1_device_fd(struct pcv_vfio *v)
{
	int fd;

	if (!v->device[0]) {
		pcv_set_error("vfio: the group was opened without a device");
		return -EINVAL;
	}
	fd = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, v->device);
	if (fd < 0) {
		int err = errno;

		pcv_set_error("vfio %s (group %d): VFIO_GROUP_GET_DEVICE_FD: "
			      "%s%s",
			      v->device, v->group_id, strerror(err),
			      err == ENODEV || err == EINVAL
				      ? " (the device left the group?)"
				      : "");
		return -err;
	}
	return fd;
}

/*
 * Has the container lost its IOMMU? It does when its last group leaves
 * (the device was unbound or removed: the kernel then detaches the group
 * and drops every mapping); map and unmap then fail with EINVAL, as for
 * bad arguments, while VFIO_IOMMU_GET_INFO fails too.
 */
static bool iommu_gone(const struct pcv_vfio *v)
{
	struct vfio_iommu_type1_info info = {.argsz = sizeof(info)};

	return ioctl(v->container, VFIO_IOMMU_GET_INFO, &info) < 0;
}

static int type1_map(void *be, uint64_t iova, uint64_t len, void *hva,
		     uint32_t perm, unsigned flags)
{
	const struct pcv_vfio *v = be;
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.vaddr = (uintptr_t)hva,
		.iova = iova,
		.size = len,
	};

	if (!(flags & PPCVIRT_IOMMU_MAY_BLOCK))
		return -EAGAIN; /* a system call: never in the fast tier */
	if (perm & PPCVIRT_TCE_READ)
		m.flags |= VFIO_DMA_MAP_FLAG_READ;
	if (perm & PPCVIRT_TCE_WRITE)
		m.flags |= VFIO_DMA_MAP_FLAG_WRITE;
	if (!m.flags ||
	    (perm & ~(uint32_t)(PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)))
		return -EINVAL;
	while (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &m) < 0) {
		int err = errno;

		if (err == EINTR)
			continue;
		if (err == EINVAL && iommu_gone(v))
			err = ENODEV;
		return pcv_vfio_io_error(v, "VFIO_IOMMU_MAP_DMA", iova, len,
					 err);
	}
	return 0;
}

static int type1_unmap(void *be, uint64_t iova, uint64_t len, unsigned flags)
{
	const struct pcv_vfio *v = be;
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.iova = iova,
		.size = len,
	};

	if (!(flags & PPCVIRT_IOMMU_MAY_BLOCK))
		return -EAGAIN; /* still mapped; the next tier unmaps */
	while (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &u) < 0) {
		int err = errno;

		if (err == EINTR)
			continue;
		/* Without its IOMMU the container maps nothing: the range
		 * is unmapped, which is all the caller asks. */
		if (err == EINVAL && iommu_gone(v))
			return 0;
		return pcv_vfio_io_error(v, "VFIO_IOMMU_UNMAP_DMA", iova, len,
					 err);
	}
	/* type1 answers 0 for a range with nothing mapped: ppcvirt only
	 * unmaps what it mapped, so anything else means the two disagree. */
	if (u.size != len) {
		pcv_set_error("vfio %s: VFIO_IOMMU_UNMAP_DMA iova 0x%llx len "
			      "0x%llx unmapped 0x%llx",
			      v->device, (unsigned long long)iova,
			      (unsigned long long)len,
			      (unsigned long long)u.size);
		return -EIO;
	}
	return 0;
}

PCV_INTERNAL const struct ppcvirt_iommu_ops pcv_vfio_type1_ops = {
	.version = PPCVIRT_IOMMU_OPS_VERSION,
	.flags = PPCVIRT_IOMMU_SLEEPS,
	.map = type1_map,
	.unmap = type1_unmap,
	.release = pcv_vfio_release,
};
