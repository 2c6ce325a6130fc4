/* SPDX-License-Identifier: MIT */
/*
 * Live handles: which objects the library created and has not destroyed.
 *
 * A destroy function called twice on one handle is a common embedder bug
 * (an error path and a cleanup path both freeing the VM). The library
 * cannot tell a live object from freed memory by looking at it, so it
 * remembers the handles it gave out: a destroy of a handle that is not
 * live is ignored instead of freeing memory twice. This small set is the
 * library's only process-wide state; it is touched by create and destroy
 * calls only (never by a hypercall or a translation), under its own lock.
 * Any other call with a destroyed handle stays undefined, as with free():
 * checking on every call would put a lock on the hot path.
 */
#include <stdlib.h>

#include "core/common.h"

struct entry {
	const void *p;
	unsigned type;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *tab; /* open addressing; p == NULL: empty */
static size_t cap, used;

static size_t slot_of(const void *p, size_t n)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 20) & (n - 1);
}

static void put(struct entry *t, size_t n, struct entry e)
{
	size_t i = slot_of(e.p, n);

	while (t[i].p)
		i = (i + 1) & (n - 1);
	t[i] = e;
}

int pcv_handle_add(const void *p, unsigned type)
{
	int ret = 0;

	pthread_mutex_lock(&lock);
	if ((used + 1) * 2 > cap) {
		size_t n = cap ? cap * 2 : 64;
		struct entry *nt = calloc(n, sizeof(*nt));

		if (!nt) {
			ret = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < cap; i++)
			if (tab[i].p)
				put(nt, n, tab[i]);
		free(tab);
		tab = nt;
		cap = n;
	}
	put(tab, cap, (struct entry){p, type});
	used++;
out:
	pthread_mutex_unlock(&lock);
	return ret;
}

bool pcv_handle_drop(const void *p, unsigned type)
{
	bool found = false;
	size_t i;

	if (!p)
		return false;
	pthread_mutex_lock(&lock);
	if (!cap)
		goto out;
	for (i = slot_of(p, cap); tab[i].p; i = (i + 1) & (cap - 1))
		if (tab[i].p == p && tab[i].type == type)
			break;
	if (!tab[i].p)
		goto out;
	found = true;
	tab[i].p = NULL;
	used--;
	/* Re-insert the rest of the cluster (linear probing deletion). */
	for (i = (i + 1) & (cap - 1); tab[i].p; i = (i + 1) & (cap - 1)) {
		struct entry e = tab[i];

		tab[i].p = NULL;
		put(tab, cap, e);
	}
out:
	pthread_mutex_unlock(&lock);
	return found;
}
