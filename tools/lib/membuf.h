/* SPDX-License-Identifier: MIT */
/*
 * A growing in-memory buffer that is also a state sink
 * (struct ppcvirt_state_sink: pcv_membuf_write with the buffer as
 * opaque), for the tools that checkpoint in memory: the replay engine,
 * the .tlbs runner and `ppcvirt bench migrate`.
 */
#ifndef PPCVIRT_TOOLS_MEMBUF_H
#define PPCVIRT_TOOLS_MEMBUF_H

#include <stddef.h>
#include <stdint.h>

struct pcv_membuf {
	uint8_t *p;
	size_t len, cap;
};

/* Append @len bytes; 0 or -ENOMEM (the buffer is then unchanged). */
int pcv_membuf_write(void *opaque, const void *data, size_t len);

#endif
