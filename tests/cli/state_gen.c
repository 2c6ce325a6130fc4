/* SPDX-License-Identifier: MIT */
/*
 * state_gen: state streams for the `ppcvirt state info` cases
 * (tests/cli/cases.sh), made with the public API from fixed recipes, so
 * the cases derive what the CLI must print from the recipes below.
 *
 *   state_gen migration PASS1 PASS2
 *       a live migration of a VM (1 MiB of RAM at 0):
 *         before it: table 0x42 (4 KiB pages, bus offset 0, 16 entries),
 *           entries 0, 1, 2 = page 1, 2, 3 | read+write; table 0x43
 *           (VMM-only, 64 KiB pages, offset 2 pages, 8 entries), entry 7
 *           = 0x10000 | read;
 *         pass 1 (full) to PASS1;
 *         then: 0x42 entry 1 cleared, entry 5 = page 6 | read; 0x43
 *           removed; table 0x44 created (4 KiB pages, bus offset
 *           0x100000, 4 entries), entry 3 = page 9 | write;
 *         the last pass (2) to PASS2.
 *   state_gen blobs N FILE
 *       a stream of N empty embedder sections (id 0x8000), nothing else.
 *
 * Exit 0, or 1 with a message.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#define RW (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)

static int fail(const char *what, int err)
{
	fprintf(stderr, "state_gen: %s: %d (%s)\n", what, err,
		ppcvirt_last_error());
	return 1;
}

static int file_write(void *opaque, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, opaque) == len ? 0 : -5; /* -EIO */
}

static int table(struct ppcvirt_vm *vm, uint64_t liobn, uint32_t shift,
		 uint32_t flags, uint64_t offset, uint64_t size)
{
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = liobn,
		.page_shift = shift,
		.flags = flags,
		.offset = offset,
		.size = size,
	};

	return ppcvirt_vm_create_spapr_tce_64(vm, &a, NULL);
}

/* One migration pass (or the last) into the file @path. */
static int pass_to(struct ppcvirt_migration *m, const char *path, bool last)
{
	FILE *f = fopen(path, "wb");
	struct ppcvirt_state_sink sink = {file_write, f};
	int r;

	if (!f) {
		perror(path);
		return -1;
	}
	r = last ? ppcvirt_migration_finish(m, &sink, NULL)
		 : ppcvirt_migration_pass(m, &sink, NULL);
	if (fclose(f) != 0 && r == 0)
		r = -5;
	return r;
}

static int migration(const char *pass1, const char *pass2)
{
	struct ppcvirt_state_objects o = {.size = sizeof(o)};
	struct ppcvirt_migration *m = NULL;
	struct ppcvirt_vm *vm = NULL;
	int r;

	if ((r = ppcvirt_vm_create(&vm)) ||
	    (r = ppcvirt_vm_alloc_memory(vm, 0, 0, 1 << 20, NULL, NULL)))
		return fail("vm", r);
	if ((r = table(vm, 0x42, 12, 0, 0, 16)) ||
	    (r = table(vm, 0x43, 16, PPCVIRT_TCE_VMM_ONLY, 2, 8)))
		return fail("tables", r);
	for (uint64_t i = 0; i < 3; i++)
		if ((r = ppcvirt_tce_put(vm, 0x42, i, ((i + 1) << 12) | RW)))
			return fail("put", r);
	if ((r = ppcvirt_tce_put(vm, 0x43, 7, 0x10000 | PPCVIRT_TCE_READ)))
		return fail("put", r);
	o.vm = vm;
	if ((r = ppcvirt_migration_start(&o, &m)))
		return fail("migration start", r);
	if ((r = pass_to(m, pass1, false)))
		return fail("pass 1", r);
	if ((r = ppcvirt_tce_put(vm, 0x42, 1, 0)) ||
	    (r = ppcvirt_tce_put(vm, 0x42, 5, (6 << 12) | PPCVIRT_TCE_READ)))
		return fail("put", r);
	if ((r = ppcvirt_vm_remove_tce(vm, 0x43)))
		return fail("remove", r);
	if ((r = table(vm, 0x44, 12, 0, 0x100000 >> 12, 4)) ||
	    (r = ppcvirt_tce_put(vm, 0x44, 3, (9 << 12) | PPCVIRT_TCE_WRITE)))
		return fail("table 0x44", r);
	if ((r = pass_to(m, pass2, true)))
		return fail("pass 2", r);
	ppcvirt_vm_destroy(vm);
	return 0;
}

static int blobs(const char *count, const char *path)
{
	unsigned long n = strtoul(count, NULL, 10);
	struct ppcvirt_state_blob *b = calloc(n ? n : 1, sizeof(*b));
	struct ppcvirt_state_objects o = {.size = sizeof(o)};
	FILE *f = fopen(path, "wb");
	struct ppcvirt_state_sink sink = {file_write, f};
	int r;

	if (!b || !f || n > UINT32_MAX) {
		perror(path);
		return 1;
	}
	for (unsigned long i = 0; i < n; i++)
		b[i].id = PPCVIRT_STATE_USER_FIRST;
	o.blobs = b;
	o.nblobs = (uint32_t)n;
	r = ppcvirt_state_save(&o, &sink);
	if (fclose(f) != 0 && r == 0)
		r = -5;
	free(b);
	return r ? fail("save", r) : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "migration"))
		return migration(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "blobs"))
		return blobs(argv[2], argv[3]);
	fprintf(stderr, "usage: state_gen migration PASS1 PASS2\n"
			"       state_gen blobs N FILE\n");
	return 1;
}
