/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the replay engine's parsers (trace and .hcs
 * script) and everything they drive (hypercalls, windows, PHB/RTAS).
 *
 * The first byte chooses the input kind (bit 0: script or trace), the
 * profile (bit 1) and the chunking (bits 2-7: the input is fed in pieces
 * of that many bytes, 0 = all at once, to exercise line joining); the
 * rest is the input. Replays run with PPCVIRT_REPLAY_BOUNDED, which caps
 * guest memory and table sizes, so no input can exhaust memory. Errors
 * and mismatches are fine; crashes, leaks and sanitizer reports are not.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed(struct ppcvirt_replay *r, const uint8_t *p, size_t n,
		 size_t chunk)
{
	if (!chunk) {
		ppcvirt_replay_feed(r, p, n);
		return;
	}
	for (size_t off = 0; off < n; off += chunk)
		ppcvirt_replay_feed(r, p + off,
				    n - off < chunk ? n - off : chunk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ppcvirt_replay_config cfg = {
		.flags = PPCVIRT_REPLAY_BOUNDED,
	};
	struct ppcvirt_replay_result res;
	struct ppcvirt_replay *r;
	size_t chunk;

	if (size == 0)
		return 0;
	cfg.kind = (data[0] & 1) ? PPCVIRT_REPLAY_SCRIPT : PPCVIRT_REPLAY_TRACE;
	cfg.profile = (data[0] & 2) ? PPCVIRT_PROFILE_QEMU
				    : PPCVIRT_REPLAY_PROFILE_AUTO;
	chunk = data[0] >> 2;
	data++;
	size--;
	if (ppcvirt_replay_create(&cfg, &r) != 0)
		return 0;
	feed(r, data, size, chunk);
	if (cfg.kind == PPCVIRT_REPLAY_TRACE && ppcvirt_replay_rewind(r) == 0)
		feed(r, data, size, chunk);
	ppcvirt_replay_finish(r, &res);
	ppcvirt_replay_destroy(r);
	return 0;
}
