/* SPDX-License-Identifier: MIT */
/*
 * Guest memory of the fuzz_state_load destination, and of the sources
 * test_state.c saves the target's seeds from: a stream names the source's
 * memory slots (its MEMORY section), and a destination must have them.
 */
#ifndef PPCVIRT_TESTS_FUZZ_STATE_LAYOUT_H
#define PPCVIRT_TESTS_FUZZ_STATE_LAYOUT_H

#define FZ_STATE_SLOT0_GPA  0x0ull
#define FZ_STATE_SLOT0_SIZE (8ull << 20)
#define FZ_STATE_SLOT1_GPA  (1ull << 32)
#define FZ_STATE_SLOT1_SIZE (1ull << 20)

/* An embedder section whose payload starts with this byte is refused by
 * the target's blob callback (a load refused after everything else was
 * prepared). */
#define FZ_STATE_REFUSE 0xee

#endif
