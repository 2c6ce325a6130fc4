/* SPDX-License-Identifier: MIT */
/*
 * VFIO host IOMMU back ends, the common part: the configuration, what an
 * fd is, what sysfs says about the device, and the group handle. The two
 * kernel interfaces are in vfio_type1.c and vfio_iommufd.c.
 *
 * Hostile input: a VMM may hand any fd and any string. An fd is
 * identified from its character device's sysfs class before any ioctl
 * goes to it (VFIO and iommufd share the ioctl type ';', and another
 * driver could give the same number a meaning of its own); a device name
 * must have the shape of a PCI address before it becomes part of a path.
 */
#define _GNU_SOURCE /* F_DUPFD_CLOEXEC, O_CLOEXEC */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "iommu/link.h"
#include "iommu/vfio.h"

#define SYS_PCI "/sys/bus/pci/devices/"

/* ---- what an fd is --------------------------------------------------- */

static const char *last_part(const char *path, size_t *len)
{
	const char *end = path + strlen(path), *p;

	while (end > path && end[-1] == '/')
		end--;
	p = end;
	while (p > path && p[-1] != '/')
		p--;
	*len = (size_t)(end - p);
	return p;
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* The kind of a VFIO character device from its sysfs path, whose last
 * two parts are class and name: misc/vfio, misc/iommu, vfio/<n> and
 * <pci device>/vfio-dev/vfio<n>. */
static int kind_of_sysfs_path(char *path)
{
	size_t nlen, clen;
	const char *name = last_part(path, &nlen);
	const char *cls;

	if (name == path)
		return PCV_VFIO_KIND_OTHER;
	path[name - path - 1] = '\0';
	cls = last_part(path, &clen);
	if (clen == 4 && !memcmp(cls, "misc", 4)) {
		if (nlen == 4 && !memcmp(name, "vfio", 4))
			return PCV_VFIO_KIND_CONTAINER;
		if (nlen == 5 && !memcmp(name, "iommu", 5))
			return PCV_VFIO_KIND_IOMMUFD;
	} else if (clen == 4 && !memcmp(cls, "vfio", 4)) {
		if (all_digits(name, nlen)) /* not noiommu-<n> */
			return PCV_VFIO_KIND_GROUP;
	} else if (clen == 8 && !memcmp(cls, "vfio-dev", 8)) {
		if (nlen > 4 && !memcmp(name, "vfio", 4) &&
		    all_digits(name + 4, nlen - 4))
			return PCV_VFIO_KIND_CDEV;
	}
	return PCV_VFIO_KIND_OTHER;
}

/* Without /sys: the device node's usual path. */
static int kind_of_dev_path(const char *p)
{
	const char *rest;

	if (!strcmp(p, "/dev/vfio/vfio"))
		return PCV_VFIO_KIND_CONTAINER;
	if (!strcmp(p, "/dev/iommu"))
		return PCV_VFIO_KIND_IOMMUFD;
	if (!strncmp(p, "/dev/vfio/devices/vfio", 22)) {
		rest = p + 22;
		return all_digits(rest, strlen(rest)) ? PCV_VFIO_KIND_CDEV
						      : PCV_VFIO_KIND_OTHER;
	}
	if (!strncmp(p, "/dev/vfio/", 10)) {
		rest = p + 10;
		return all_digits(rest, strlen(rest)) ? PCV_VFIO_KIND_GROUP
						      : PCV_VFIO_KIND_OTHER;
	}
	return PCV_VFIO_KIND_OTHER;
}

PCV_INTERNAL int pcv_vfio_fd_kind(int fd, char *what, size_t n)
{
	char proc[64], sys[64], path[PATH_MAX];
	struct stat st;
	ssize_t len;
	int kind;

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(what, n, "fd %d (not open)", fd);
		return -EBADF;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	len = readlink(proc, path, sizeof(path) - 1);
	if (len > 0) {
		path[len] = '\0';
		snprintf(what, n, "fd %d (%s)", fd, path);
	} else {
		snprintf(what, n, "fd %d", fd);
		path[0] = '\0';
	}
	if (!S_ISCHR(st.st_mode)) {
		snprintf(what, n, "fd %d (%s)", fd,
			 S_ISFIFO(st.st_mode)	? "a pipe"
			 : S_ISSOCK(st.st_mode) ? "a socket"
			 : S_ISREG(st.st_mode)	? "a regular file"
			 : S_ISDIR(st.st_mode)	? "a directory"
						: "not a character device");
		return PCV_VFIO_KIND_OTHER;
	}
	snprintf(sys, sizeof(sys), "/sys/dev/char/%u:%u", major(st.st_rdev),
		 minor(st.st_rdev));
	kind = PCV_VFIO_KIND_OTHER;
	{
		char link[PATH_MAX];

		len = readlink(sys, link, sizeof(link) - 1);
		if (len > 0) {
			link[len] = '\0';
			kind = kind_of_sysfs_path(link);
		} else if (path[0]) {
			kind = kind_of_dev_path(path);
		}
	}
	return kind;
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case PCV_VFIO_KIND_CONTAINER:
		return "a VFIO container";
	case PCV_VFIO_KIND_GROUP:
		return "a VFIO group";
	case PCV_VFIO_KIND_IOMMUFD:
		return "an iommufd";
	case PCV_VFIO_KIND_CDEV:
		return "a VFIO device cdev";
	default:
		return "not a VFIO object";
	}
}

/* Check that config field @field holds an fd of @want. */
static int check_fd(const char *field, int fd, int want)
{
	char what[PATH_MAX + 32];
	int kind = pcv_vfio_fd_kind(fd, what, sizeof(what));

	if (kind == want)
		return 0;
	if (kind < 0) {
		pcv_set_error("vfio: %s: %s", field, what);
		return kind;
	}
	pcv_set_error("vfio: %s is %s: %s, not %s", field, what,
		      kind_name(kind), kind_name(want));
	return -EINVAL;
}

/* ---- the device in sysfs --------------------------------------------- */

static bool hex_run(const char *s, size_t min, size_t max, size_t *len)
{
	size_t i = 0;

	while (i < max &&
	       ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		(s[i] >= 'A' && s[i] <= 'F')))
		i++;
	*len = i;
	return i >= min;
}

/* "dddd:bb:dd.f": nothing else can reach a path. */
static bool pci_address(const char *dev)
{
	size_t n, at = 0;

	if (!hex_run(dev, 4, 8, &n))
		return false;
	at += n;
	if (dev[at++] != ':' || !hex_run(dev + at, 2, 2, &n))
		return false;
	at += n;
	if (dev[at++] != ':' || !hex_run(dev + at, 2, 2, &n))
		return false;
	at += n;
	if (dev[at++] != '.' || dev[at] < '0' || dev[at] > '7')
		return false;
	return dev[at + 1] == '\0';
}

/* The last part of the symlink /sys/bus/pci/devices/<dev>/<leaf>. */
static int device_link(const char *dev, const char *leaf, char *out, size_t n)
{
	char path[128], link[PATH_MAX];
	const char *name;
	size_t len;
	ssize_t r;

	snprintf(path, sizeof(path), SYS_PCI "%s/%s", dev, leaf);
	r = readlink(path, link, sizeof(link) - 1);
	if (r < 0)
		return -errno;
	link[r] = '\0';
	name = last_part(link, &len);
	if (len >= n)
		return -ENAMETOOLONG;
	memcpy(out, name, len);
	out[len] = '\0';
	return 0;
}

static int device_exists(const char *dev)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), SYS_PCI "%s", dev);
	if (stat(path, &st) == 0)
		return 0;
	pcv_set_error("vfio: no PCI device %s (%s: %s)", dev, path,
		      strerror(errno));
	return -ENOENT;
}

PCV_INTERNAL int pcv_vfio_device_bound(const char *dev)
{
	char drv[NAME_MAX + 1];
	int ret = device_exists(dev);

	if (ret)
		return ret;
	ret = device_link(dev, "driver", drv, sizeof(drv));
	if (ret) {
		pcv_set_error("vfio: PCI device %s has no driver: bind it to "
			      "vfio-pci",
			      dev);
		return -ENOENT;
	}
	/* vfio-pci, or a vendor variant of it (mlx5_vfio_pci, ...). */
	if (!strstr(drv, "vfio")) {
		pcv_set_error("vfio: PCI device %s is bound to %s, not to "
			      "vfio-pci",
			      dev, drv);
		return -ENOENT;
	}
	return 0;
}

PCV_INTERNAL int pcv_vfio_device_group(const char *dev)
{
	char grp[NAME_MAX + 1];
	char *end;
	long id;

	if (device_link(dev, "iommu_group", grp, sizeof(grp))) {
		pcv_set_error("vfio: PCI device %s has no IOMMU group (no "
			      "IOMMU, or it is off: intel_iommu=on?)",
			      dev);
		return -ENOENT;
	}
	errno = 0;
	id = strtol(grp, &end, 10);
	if (errno || *end || end == grp || id < 0 || id > INT_MAX) {
		pcv_set_error("vfio: PCI device %s: unexpected IOMMU group "
			      "name '%s'",
			      dev, grp);
		return -ENOENT;
	}
	return (int)id;
}

PCV_INTERNAL int pcv_vfio_open_cdev(const char *dev)
{
	char path[128], node[64];
	struct dirent *e;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), SYS_PCI "%s/vfio-dev", dev);
	d = opendir(path);
	if (!d) {
		pcv_set_error("vfio: PCI device %s has no VFIO cdev (%s: %s; "
			      "kernel without CONFIG_VFIO_DEVICE_CDEV?)",
			      dev, path, strerror(errno));
		return -EOPNOTSUPP;
	}
	node[0] = '\0';
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > 4 && n < 24 && !strncmp(e->d_name, "vfio", 4) &&
		    all_digits(e->d_name + 4, n - 4)) {
			snprintf(node, sizeof(node), "/dev/vfio/devices/%s",
				 e->d_name);
			break;
		}
	}
	closedir(d);
	if (!node[0]) {
		pcv_set_error("vfio: PCI device %s: no vfio<n> in %s", dev,
			      path);
		return -ENOENT;
	}
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		pcv_set_error("vfio: open %s (device %s): %s", node, dev,
			      strerror(err));
		return -err;
	}
	return fd;
}

/* ---- helpers of the interfaces ----------------------------------------- */

PCV_INTERNAL void pcv_vfio_add_range(struct pcv_vfio *v, uint64_t start,
				     uint64_t last)
{
	/* Dropping ranges past the limit only narrows what may be mapped. */
	if (last < start || v->nranges >= PPCVIRT_IOMMU_MAX_RANGES)
		return;
	v->ranges[v->nranges].start = start;
	v->ranges[v->nranges].last = last;
	v->nranges++;
}

PCV_INTERNAL int pcv_vfio_io_error(const struct pcv_vfio *v, const char *op,
				   uint64_t iova, uint64_t len, int err)
{
	const char *hint = "";

	switch (err) {
	case ENOTTY:
	case ENODEV:
	case ENXIO:
	case EBADF:
		/* The container lost its IOMMU (its last group left: the
		 * device was unbound or removed), or the fd no longer reaches
		 * the driver. */
		hint = " (the host IOMMU context is gone: was the device "
		       "unbound?)";
		err = ENODEV;
		break;
	case ENOMEM:
		hint = " (the locked-memory limit, RLIMIT_MEMLOCK, counts "
		       "every pinned page)";
		break;
	case ENOSPC:
		hint = " (no mapping left: dma_entry_limit)";
		break;
	default:
		break;
	}
	pcv_set_error("vfio%s%s: %s iova 0x%llx len 0x%llx: %s%s",
		      v->device[0] ? " " : "", v->device, op,
		      (unsigned long long)iova, (unsigned long long)len,
		      strerror(err), hint);
	return -err;
}

/* ---- configuration ------------------------------------------------------ */

PPCVIRT_API void ppcvirt_vfio_config_init(struct ppcvirt_vfio_config *cfg,
					  const char *device)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->iommu = PPCVIRT_VFIO_AUTO;
	cfg->device = device;
	cfg->container_fd = -1;
	cfg->group_fd = -1;
	cfg->iommufd = -1;
	cfg->ioas_id = 0;
	cfg->device_fd = -1;
}

static int check_config(const struct ppcvirt_vfio_config *cfg, int *iommu)
{
	bool type1, ifd;

	if (cfg->size < sizeof(*cfg)) {
		pcv_set_error("vfio: config size %u, want at least %zu "
			      "(ppcvirt_vfio_config_init())",
			      cfg->size, sizeof(*cfg));
		return -EINVAL;
	}
	if (cfg->flags) {
		pcv_set_error("vfio: config flags 0x%x: none are defined",
			      cfg->flags);
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(cfg->reserved) / sizeof(cfg->reserved[0]);
	     i++) {
		if (cfg->reserved[i]) {
			pcv_set_error("vfio: config reserved[%zu] is not 0", i);
			return -EINVAL;
		}
	}
	if (cfg->container_fd < -1 || cfg->group_fd < -1 || cfg->iommufd < -1 ||
	    cfg->device_fd < -1) {
		pcv_set_error("vfio: config fds must be -1 or an fd");
		return -EINVAL;
	}
	if (cfg->device && !pci_address(cfg->device)) {
		pcv_set_error("vfio: device '%.40s' is not a PCI address "
			      "(dddd:bb:dd.f)",
			      cfg->device);
		return -EINVAL;
	}
	type1 = cfg->container_fd >= 0 || cfg->group_fd >= 0;
	ifd = cfg->iommufd >= 0 || cfg->ioas_id || cfg->device_fd >= 0;
	switch (cfg->iommu) {
	case PPCVIRT_VFIO_TYPE1V2:
		if (ifd) {
			pcv_set_error("vfio: type1v2 config with iommufd "
				      "fields (iommufd, ioas_id, device_fd)");
			return -EINVAL;
		}
		*iommu = PPCVIRT_VFIO_TYPE1V2;
		break;
	case PPCVIRT_VFIO_IOMMUFD:
		if (type1) {
			pcv_set_error("vfio: iommufd config with type1 fields "
				      "(container_fd, group_fd)");
			return -EINVAL;
		}
		*iommu = PPCVIRT_VFIO_IOMMUFD;
		break;
	case PPCVIRT_VFIO_AUTO:
		if (type1 && ifd) {
			pcv_set_error("vfio: config has both type1 and "
				      "iommufd fields");
			return -EINVAL;
		}
		if (type1)
			*iommu = PPCVIRT_VFIO_TYPE1V2;
		else if (ifd)
			*iommu = PPCVIRT_VFIO_IOMMUFD;
		else if (access("/dev/iommu", F_OK) == 0 && cfg->device) {
			char path[128];

			/* iommufd needs the device's cdev too. */
			snprintf(path, sizeof(path), SYS_PCI "%s/vfio-dev",
				 cfg->device);
			*iommu = access(path, F_OK) == 0 ? PPCVIRT_VFIO_IOMMUFD
							 : PPCVIRT_VFIO_TYPE1V2;
		} else {
			*iommu = PPCVIRT_VFIO_TYPE1V2;
		}
		break;
	default:
		pcv_set_error("vfio: config iommu %u is not an interface",
			      cfg->iommu);
		return -EINVAL;
	}
	if (*iommu == PPCVIRT_VFIO_IOMMUFD) {
		if (cfg->device_fd >= 0 && !cfg->ioas_id) {
			pcv_set_error("vfio: device_fd needs the ioas_id it is "
				      "attached to");
			return -EINVAL;
		}
		if (cfg->iommufd < 0 && (cfg->ioas_id || cfg->device_fd >= 0)) {
			pcv_set_error("vfio: ioas_id and device_fd need the "
				      "iommufd they belong to");
			return -EINVAL;
		}
		if (cfg->device_fd < 0 && !cfg->device) {
			pcv_set_error("vfio: iommufd needs a device or a "
				      "device_fd");
			return -EINVAL;
		}
		if (cfg->iommufd >= 0) {
			int ret = check_fd("iommufd", cfg->iommufd,
					   PCV_VFIO_KIND_IOMMUFD);

			if (ret)
				return ret;
		}
		if (cfg->device_fd >= 0)
			return check_fd("device_fd", cfg->device_fd,
					PCV_VFIO_KIND_CDEV);
		return 0;
	}
	if (cfg->group_fd < 0 && !cfg->device) {
		pcv_set_error("vfio: type1v2 needs a device or a group_fd");
		return -EINVAL;
	}
	if (cfg->container_fd >= 0) {
		int ret = check_fd("container_fd", cfg->container_fd,
				   PCV_VFIO_KIND_CONTAINER);

		if (ret)
			return ret;
	}
	if (cfg->group_fd >= 0)
		return check_fd("group_fd", cfg->group_fd, PCV_VFIO_KIND_GROUP);
	return 0;
}

/* ---- the group handle ---------------------------------------------------- */

static void vfio_free(struct pcv_vfio *v)
{
	if (v->iommu == PPCVIRT_VFIO_IOMMUFD)
		pcv_vfio_iommufd_teardown(v);
	else
		pcv_vfio_type1_teardown(v);
	free(v);
}

PCV_INTERNAL void pcv_vfio_release(void *be)
{
	vfio_free(be);
}

PPCVIRT_API int ppcvirt_vfio_open(const struct ppcvirt_vfio_config *cfg,
				  struct ppcvirt_iommu_group **out)
{
	struct ppcvirt_iommu_geometry geo;
	const struct ppcvirt_iommu_ops *ops;
	struct pcv_vfio *v;
	int iommu, ret;

	if (!cfg || !out) {
		pcv_set_error("vfio: NULL %s", cfg ? "out" : "config");
		return -EINVAL;
	}
	ret = check_config(cfg, &iommu);
	if (ret)
		return ret;
	v = calloc(1, sizeof(*v));
	if (!v) {
		pcv_set_error("vfio: out of memory");
		return -ENOMEM;
	}
	v->iommu = iommu;
	v->container = v->group = v->iommufd = v->device_fd = -1;
	v->group_id = -1;
	if (cfg->device)
		snprintf(v->device, sizeof(v->device), "%s", cfg->device);
	if (iommu == PPCVIRT_VFIO_IOMMUFD) {
		ops = &pcv_vfio_iommufd_ops;
		ret = pcv_vfio_iommufd_setup(v, cfg);
	} else {
		ops = &pcv_vfio_type1_ops;
		ret = pcv_vfio_type1_setup(v, cfg);
	}
	if (!ret && v->nranges == 0) {
		pcv_set_error(
			"vfio %s: the kernel reports no usable IOVA range",
			v->device);
		ret = -ERANGE;
	}
	if (ret) {
		vfio_free(v);
		return ret;
	}
	memset(&geo, 0, sizeof(geo));
	geo.size = sizeof(geo);
	geo.nranges = v->nranges;
	geo.pgsize_bitmap = v->pgsize_bitmap;
	geo.max_mappings = v->max_mappings;
	geo.ranges = v->ranges;
	ret = ppcvirt_iommu_group_create(ops, v, &geo, out);
	if (ret) {
		pcv_set_error("vfio %s: group handle: %s", v->device,
			      strerror(-ret));
		vfio_free(v);
	}
	return ret;
}

static struct pcv_vfio *vfio_of(const struct ppcvirt_iommu_group *g)
{
	void *be;

	if (!g)
		return NULL;
	be = pcv_group_backend(g, &pcv_vfio_type1_ops);
	return be ? be : pcv_group_backend(g, &pcv_vfio_iommufd_ops);
}

PPCVIRT_API int ppcvirt_vfio_iommu(const struct ppcvirt_iommu_group *g)
{
	const struct pcv_vfio *v = vfio_of(g);

	if (!v) {
		pcv_set_error("vfio: %s",
			      g ? "not a VFIO group" : "NULL group");
		return -EINVAL;
	}
	return v->iommu;
}

PPCVIRT_API int ppcvirt_vfio_device_fd(struct ppcvirt_iommu_group *g)
{
	struct pcv_vfio *v = vfio_of(g);
	int fd;

	if (!v) {
		pcv_set_error("vfio: %s",
			      g ? "not a VFIO group" : "NULL group");
		return -EINVAL;
	}
	if (v->iommu == PPCVIRT_VFIO_TYPE1V2)
		return pcv_vfio_type1_device_fd(v);
	fd = fcntl(v->device_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		int err = errno;

		pcv_set_error("vfio %s: dup of the device cdev: %s", v->device,
			      strerror(err));
		return -err;
	}
	return fd;
}
