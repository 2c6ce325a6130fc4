/* SPDX-License-Identifier: MIT */
/*
 * The VFIO back ends on any machine: every path of ppcvirt_vfio_open()
 * that needs no VFIO device (a bad config, fds that are not VFIO objects,
 * a device that does not exist or is not bound to vfio-pci, an interface
 * the kernel lacks). Each failure must be -errno with a message from
 * ppcvirt_last_error(), and must leave no fd behind. The real device's
 * paths run in the VFIO rig (tests/rigs/vfio, `make vfio-check`).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ppcvirt/ppcvirt.h>
#include <ppcvirt/vfio.h>

#include "test.h"

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/* Open with @cfg: must fail with @want, set a message containing @needle
 * (when given), leave *out alone and close every fd it opened. */
static void expect_fail(const struct ppcvirt_vfio_config *cfg, int want,
			const char *needle)
{
	struct ppcvirt_iommu_group *g = (struct ppcvirt_iommu_group *)&g;
	int fds = count_fds();
	int ret = ppcvirt_vfio_open(cfg, &g);
	const char *msg = ppcvirt_last_error();

	CHECK_EQ(ret, want);
	CHECK(g == (struct ppcvirt_iommu_group *)&g);
	CHECK(msg && msg[0]);
	if (needle && !CHECK(msg && strstr(msg, needle)))
		fprintf(stderr, "  message: '%s', wanted '%s'\n", msg, needle);
	CHECK_EQ(count_fds(), fds);
}

static void config_init(void)
{
	struct ppcvirt_vfio_config cfg;

	memset(&cfg, 0x5a, sizeof(cfg));
	ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
	CHECK_EQ(cfg.size, sizeof(cfg));
	CHECK_EQ(cfg.iommu, PPCVIRT_VFIO_AUTO);
	CHECK(cfg.device && !strcmp(cfg.device, "0000:00:01.0"));
	CHECK_EQ(cfg.container_fd, -1);
	CHECK_EQ(cfg.group_fd, -1);
	CHECK_EQ(cfg.iommufd, -1);
	CHECK_EQ(cfg.ioas_id, 0);
	CHECK_EQ(cfg.device_fd, -1);
	CHECK_EQ(cfg.flags, 0);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(cfg.reserved[i], 0);
	ppcvirt_vfio_config_init(NULL, "x"); /* no-op, no crash */
}

static void bad_config(void)
{
	struct ppcvirt_vfio_config cfg;
	struct ppcvirt_iommu_group *g = NULL;

	CHECK_EQ(ppcvirt_vfio_open(NULL, &g), -EINVAL);
	ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
	CHECK_EQ(ppcvirt_vfio_open(&cfg, NULL), -EINVAL);

	cfg.size = sizeof(cfg) - 8;
	expect_fail(&cfg, -EINVAL, "size");
	cfg.size = 0;
	expect_fail(&cfg, -EINVAL, "size");

	ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
	cfg.flags = 1;
	expect_fail(&cfg, -EINVAL, "flags");

	ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
	cfg.reserved[3] = 1;
	expect_fail(&cfg, -EINVAL, "reserved");

	ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
	cfg.iommu = 3;
	expect_fail(&cfg, -EINVAL, "iommu");

	ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
	cfg.group_fd = -2;
	expect_fail(&cfg, -EINVAL, "-1");

	/* Neither a device nor the fds that would name one. */
	ppcvirt_vfio_config_init(&cfg, NULL);
	cfg.iommu = PPCVIRT_VFIO_TYPE1V2;
	expect_fail(&cfg, -EINVAL, "device");
	cfg.iommu = PPCVIRT_VFIO_IOMMUFD;
	expect_fail(&cfg, -EINVAL, "device");
}

/* Strings that must never become part of a sysfs or /dev path. */
static void bad_device_names(void)
{
	static const char *const bad[] = {
		"",
		"0000:00:01",
		"0000:00:01.8",
		"0000:00:01.0/../../../../etc",
		"../../../dev/null",
		"0000:00:1.0",
		"000:00:01.0",
		"0000:00:01.0 ",
		"0000:00:01.00",
		"123456789:00:01.0",
		"0000:0g:01.0",
		"0000:00:01.0\n",
	};
	struct ppcvirt_vfio_config cfg;
	char longname[300];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ppcvirt_vfio_config_init(&cfg, bad[i]);
		cfg.iommu = PPCVIRT_VFIO_TYPE1V2;
		expect_fail(&cfg, -EINVAL, "PCI address");
		cfg.iommu = PPCVIRT_VFIO_IOMMUFD;
		expect_fail(&cfg, -EINVAL, "PCI address");
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ppcvirt_vfio_config_init(&cfg, longname);
	expect_fail(&cfg, -EINVAL, "PCI address");
}

/* A well-formed address with no device behind it (bus 0xff, device 0x1f,
 * function 7 of a domain that does not exist). */
static void missing_device(void)
{
	struct ppcvirt_vfio_config cfg;

	ppcvirt_vfio_config_init(&cfg, "fffe:ff:1f.7");
	cfg.iommu = PPCVIRT_VFIO_TYPE1V2;
	expect_fail(&cfg, -ENOENT, "fffe:ff:1f.7");
	cfg.iommu = PPCVIRT_VFIO_AUTO;
	expect_fail(&cfg, -ENOENT, "fffe:ff:1f.7");
	/* iommufd: /dev/iommu first when this kernel lacks it, else the
	 * device. */
	cfg.iommu = PPCVIRT_VFIO_IOMMUFD;
	if (access("/dev/iommu", F_OK) == 0)
		expect_fail(&cfg, -ENOENT, "fffe:ff:1f.7");
	else
		expect_fail(&cfg, -EOPNOTSUPP, "/dev/iommu");
}

/* A PCI device of this machine that is not bound to a VFIO driver. */
static void device_not_vfio(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	char dev[64] = "", link[512], path[512], drv[256];
	struct ppcvirt_vfio_config cfg;

	while (d && (e = readdir(d))) {
		ssize_t n;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(dev))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver",
			 e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		snprintf(drv, sizeof(drv), "%s",
			 n > 0 ? strrchr(link, '/') + 1 : "");
		if (!strstr(drv, "vfio")) {
			snprintf(dev, sizeof(dev), "%s", e->d_name);
			break;
		}
	}
	if (d)
		closedir(d);
	if (!dev[0]) {
		test_skip("no PCI device outside VFIO on this machine");
		return;
	}
	ppcvirt_vfio_config_init(&cfg, dev);
	cfg.iommu = PPCVIRT_VFIO_TYPE1V2;
	expect_fail(&cfg, -ENOENT, drv[0] ? drv : "no driver");
	cfg.iommu = PPCVIRT_VFIO_IOMMUFD;
	if (access("/dev/iommu", F_OK) == 0)
		expect_fail(&cfg, -ENOENT, dev);
	else
		expect_fail(&cfg, -EOPNOTSUPP, "/dev/iommu");
}

/* Fds that are not the VFIO objects their field wants: refused before
 * any ioctl reaches them. */
static void wrong_fds(void)
{
	struct ppcvirt_vfio_config cfg;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	int dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int file = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	int pfd[2] = {-1, -1}, sv[2] = {-1, -1};
	char tmpl[] = "/tmp/ppcvirt-vfio-XXXXXX";
	int tmp = mkstemp(tmpl);
	struct {
		int fd;
		const char *what;
	} cases[8];
	int n = 0;

	CHECK(pipe(pfd) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	if (tmp >= 0)
		unlink(tmpl);
	cases[n].fd = null, cases[n++].what = "/dev/null";
	cases[n].fd = zero, cases[n++].what = "/dev/zero";
	cases[n].fd = dir, cases[n++].what = "directory";
	cases[n].fd = file, cases[n++].what = "regular file";
	cases[n].fd = pfd[0], cases[n++].what = "pipe";
	cases[n].fd = sv[0], cases[n++].what = "socket";
	cases[n].fd = tmp, cases[n++].what = "regular file";

	for (int i = 0; i < n; i++) {
		if (!CHECK(cases[i].fd >= 0))
			continue;
		ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
		cfg.container_fd = cases[i].fd;
		expect_fail(&cfg, -EINVAL, cases[i].what);
		expect_fail(&cfg, -EINVAL, "not a VFIO container");

		ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
		cfg.iommu = PPCVIRT_VFIO_TYPE1V2;
		cfg.group_fd = cases[i].fd;
		expect_fail(&cfg, -EINVAL, "not a VFIO group");

		ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
		cfg.iommufd = cases[i].fd;
		expect_fail(&cfg, -EINVAL, "not an iommufd");

		ppcvirt_vfio_config_init(&cfg, NULL);
		cfg.iommu = PPCVIRT_VFIO_IOMMUFD;
		cfg.iommufd = cases[i].fd;
		cfg.ioas_id = 1;
		cfg.device_fd = cases[i].fd;
		expect_fail(&cfg, -EINVAL, "iommufd");
	}
	/* An fd number nothing is open on. */
	ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
	cfg.container_fd = 1000000;
	expect_fail(&cfg, -EBADF, "not open");
	ppcvirt_vfio_config_init(&cfg, NULL);
	cfg.group_fd = 999999;
	expect_fail(&cfg, -EBADF, "not open");

	for (int i = 0; i < n; i++)
		if (cases[i].fd >= 0)
			close(cases[i].fd);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (sv[1] >= 0)
		close(sv[1]);
}

/* Fields of the two interfaces mixed, or iommufd fields without the fd
 * they belong to. */
static void mixed_fields(void)
{
	struct ppcvirt_vfio_config cfg;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
	cfg.iommu = PPCVIRT_VFIO_TYPE1V2;
	cfg.ioas_id = 3;
	expect_fail(&cfg, -EINVAL, "iommufd fields");

	ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
	cfg.iommu = PPCVIRT_VFIO_IOMMUFD;
	cfg.container_fd = null;
	expect_fail(&cfg, -EINVAL, "type1 fields");

	ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
	cfg.group_fd = null;
	cfg.iommufd = null;
	expect_fail(&cfg, -EINVAL, "both");

	ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
	cfg.iommu = PPCVIRT_VFIO_IOMMUFD;
	cfg.ioas_id = 1;
	expect_fail(&cfg, -EINVAL, "need the iommufd");

	ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
	cfg.iommu = PPCVIRT_VFIO_IOMMUFD;
	cfg.iommufd = null;
	cfg.device_fd = null;
	expect_fail(&cfg, -EINVAL, "ioas_id");
	close(null);
}

/* Kernels without VFIO or iommufd: the interface is missing, not the
 * config wrong. Only meaningful where the node is absent. */
static void interface_missing(void)
{
	struct ppcvirt_vfio_config cfg;
	bool ran = false;

	if (access("/dev/iommu", F_OK) != 0) {
		/* The device is well-formed; /dev/iommu is opened first. */
		ppcvirt_vfio_config_init(&cfg, "0000:00:01.0");
		cfg.iommu = PPCVIRT_VFIO_IOMMUFD;
		expect_fail(&cfg, -EOPNOTSUPP, "CONFIG_IOMMUFD");
		ran = true;
	}
	if (!ran)
		test_skip("this kernel has /dev/iommu");
}

/* Groups that are not VFIO groups. */
static int nop_map(void *be, uint64_t iova, uint64_t len, void *hva,
		   uint32_t perm, unsigned flags)
{
	(void)be, (void)iova, (void)len, (void)hva, (void)perm, (void)flags;
	return 0;
}

static int nop_unmap(void *be, uint64_t iova, uint64_t len, unsigned flags)
{
	(void)be, (void)iova, (void)len, (void)flags;
	return 0;
}

static void not_a_vfio_group(void)
{
	static const struct ppcvirt_iommu_ops ops = {
		.version = PPCVIRT_IOMMU_OPS_VERSION,
		.map = nop_map,
		.unmap = nop_unmap,
	};
	static const struct ppcvirt_iova_range range = {0, (1ull << 40) - 1};
	struct ppcvirt_iommu_geometry geo = {
		.size = sizeof(geo),
		.nranges = 1,
		.pgsize_bitmap = 1ull << 12,
		.ranges = &range,
	};
	struct ppcvirt_iommu_group *g = NULL;

	CHECK_EQ(ppcvirt_vfio_iommu(NULL), -EINVAL);
	CHECK_EQ(ppcvirt_vfio_device_fd(NULL), -EINVAL);
	if (!CHECK_EQ(ppcvirt_iommu_group_create(&ops, NULL, &geo, &g), 0))
		return;
	CHECK_EQ(ppcvirt_vfio_iommu(g), -EINVAL);
	CHECK_EQ(ppcvirt_vfio_device_fd(g), -EINVAL);
	CHECK(strstr(ppcvirt_last_error(), "not a VFIO group"));
	ppcvirt_iommu_group_put(g);
}

static const struct test_case cases[] = {
	TEST(config_init),    TEST(bad_config),	       TEST(bad_device_names),
	TEST(missing_device), TEST(device_not_vfio),   TEST(wrong_fds),
	TEST(mixed_fields),   TEST(interface_missing), TEST(not_a_vfio_group),
};

TEST_MAIN(cases)
