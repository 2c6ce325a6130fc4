/* SPDX-License-Identifier: MIT */
/*
 * Table storage in a sparse memfd of ppcvirt's own (the engine back end,
 * and the user-space tables of the others).
 *
 * The memfd is ceil(size * 8 / page) host pages, mapped shared and never
 * populated up front: a page costs memory only once an entry in it is
 * written non-zero (by us, or by another process through its own mapping).
 * That is KVM's lazily allocated table pages (v5.2+), with the memfd as
 * the page array so that other processes can mmap it.
 *
 * Whether a page is backed is asked of the kernel with lseek(SEEK_DATA),
 * which also counts swapped-out shmem pages as data: a hole reads as zero
 * without being faulted in, so reading or clearing it allocates nothing.
 */
#define _GNU_SOURCE /* SEEK_DATA */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tce/table.h"

static bool memfd_probe(struct pcv_table *t, uint64_t page)
{
	off_t at = (off_t)(page << (t->tpage_shift + 3));
	off_t data = lseek(t->fd, at, SEEK_DATA);

	/* ENXIO: no data at or after @at. Other errors: assume backed. */
	return data == at || (data < 0 && errno != ENXIO);
}

static uint64_t memfd_next_data(struct pcv_table *t, uint64_t page)
{
	off_t at = (off_t)(page << (t->tpage_shift + 3));
	off_t data;

	if (at >= (off_t)t->map_bytes)
		return UINT64_MAX;
	data = lseek(t->fd, at, SEEK_DATA);
	if (data < 0)
		return errno == ENXIO ? UINT64_MAX : page;
	return (uint64_t)data >> (t->tpage_shift + 3);
}

static uint64_t memfd_resident(struct pcv_table *t)
{
	struct stat st;

	/* st_blocks counts the memfd's allocated pages (512 B units). */
	if (fstat(t->fd, &st) != 0)
		return 0;
	return (uint64_t)st.st_blocks * 512;
}

static void memfd_release(struct pcv_table *t)
{
	if (t->entries)
		munmap((void *)(uintptr_t)t->entries, t->map_bytes);
	if (t->fd >= 0)
		close(t->fd);
	t->entries = NULL;
	t->fd = -1;
}

static const struct pcv_store_ops memfd_ops = {
	.probe = memfd_probe,
	.next_data = memfd_next_data,
	.resident = memfd_resident,
	.release = memfd_release,
};

int pcv_store_memfd_init(struct pcv_table *t)
{
	void *p;
	int fd, ret;

	fd = pcv_memfd_create("ppcvirt-tce", t->map_bytes);
	if (fd < 0)
		return fd;
	p = mmap(NULL, t->map_bytes, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		close(fd);
		return ret;
	}
	t->entries = p;
	t->fd = fd;
	t->store = &memfd_ops;
	return 0;
}
