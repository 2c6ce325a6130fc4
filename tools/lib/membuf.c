/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "membuf.h"

int pcv_membuf_write(void *opaque, const void *data, size_t len)
{
	struct pcv_membuf *b = opaque;

	if (len > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 65536;
		uint8_t *np;

		while (cap - b->len < len) {
			if (cap > SIZE_MAX / 2)
				return -ENOMEM;
			cap *= 2;
		}
		np = realloc(b->p, cap);
		if (!np)
			return -ENOMEM;
		b->p = np;
		b->cap = cap;
	}
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}
