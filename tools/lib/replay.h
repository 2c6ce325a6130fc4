/* SPDX-License-Identifier: MIT */
/*
 * Replay of QEMU TCE traces and hand-written hcall scripts against the
 * library (docs/replay.md has the formats).
 *
 * Part of the tools library (tools/lib/), linked by the CLI, the tests
 * and the fuzzers, not of libppcvirt: it uses the public API only, and
 * its formats may change without touching the library's ABI.
 *
 * A replay owns a VM, one vCPU and, when needed, DDW PHBs; it parses
 * lines, runs every hypercall through ppcvirt_vcpu_hcall() (completing
 * exits with ppcvirt_vmm_hcall()), and compares each result with the
 * expected one: QEMU's logged return code, H_GET_TCE value and DMA
 * translation (traces), or the values written after "->" (scripts).
 *
 * Input arrives in chunks of any size (ppcvirt_replay_feed()); lines are
 * split internally, with at most PPCVIRT_REPLAY_MAX_LINE bytes buffered.
 * A QEMU trace needs two passes, because the window geometry is only
 * logged at the end (pre_save): feed the whole trace, call
 * ppcvirt_replay_rewind(), feed it again. A script is run in one pass.
 * ppcvirt_replay_buffer() does all of it for an in-memory buffer.
 *
 * The engine never prints: mismatches go to a callback and are counted;
 * a malformed line stops the replay with an error naming the line.
 */
#ifndef PPCVIRT_TOOLS_REPLAY_H
#define PPCVIRT_TOOLS_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include <ppcvirt/ppcvirt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the input is. */
enum ppcvirt_replay_kind {
	PPCVIRT_REPLAY_TRACE = 0,  /* a QEMU -trace 'spapr_iommu_*' log */
	PPCVIRT_REPLAY_SCRIPT = 1, /* an .hcs hcall script */
};

/* ppcvirt_replay_config.profile: the script's "profile" line, else strict. */
#define PPCVIRT_REPLAY_PROFILE_AUTO (-1)

/* ppcvirt_replay_config.flags */
/* Fuzzing: cap guest memory and table sizes so no input can exhaust memory. */
#define PPCVIRT_REPLAY_BOUNDED 0x1u

/* Longest line accepted (bytes, without the newline). */
#define PPCVIRT_REPLAY_MAX_LINE 8192

/**
 * struct ppcvirt_replay_mismatch - one disagreement.
 * @line:   1-based line number in the input.
 * @event:  the event or statement ("pci_put", "xlate", "rtas create", ...).
 * @what:   which value differs ("ret", "tce", "pa", "perm", "mask", ...).
 * @want:   the expected value (QEMU's, or the script's).
 * @got:    what ppcvirt produced.
 * @text:   a one-line description with both values.
 */
struct ppcvirt_replay_mismatch {
	uint64_t line;
	const char *event;
	const char *what;
	uint64_t want;
	uint64_t got;
	char text[224];
};

typedef void (*ppcvirt_replay_mismatch_fn)(
	void *opaque, const struct ppcvirt_replay_mismatch *m);

struct ppcvirt_hcall;

/**
 * struct ppcvirt_replay_host - where a replay's VM lives and how its
 * hypercalls are issued, for replays on something other than ppcvirt's
 * own engine (a KVM VM whose hypercalls a real vCPU issues, as
 * `ppcvirt replay --backend kvm` does). A NULL member keeps the default
 * for that step.
 * @vm_create:  make the VM (default: ppcvirt_vm_create()). The replay
 *              then enables H_PUT_TCE_INDIRECT and H_STUFF_TCE on it and
 *              sets the profile. Return 0 or -errno.
 * @vm_destroy: free it (default: ppcvirt_vm_destroy()).
 * @hcall:      issue @hc as the guest would: fill hc->ret and, as r4,
 *              hc->args[0] (default: ppcvirt_vcpu_hcall() on the replay's
 *              vCPU, an exit completed with ppcvirt_vmm_hcall()). Return 0,
 *              or -errno, which stops the replay.
 * @opaque:     passed to each.
 */
struct ppcvirt_replay_host {
	int (*vm_create)(void *opaque, struct ppcvirt_vm **out);
	void (*vm_destroy)(void *opaque, struct ppcvirt_vm *vm);
	int (*hcall)(void *opaque, struct ppcvirt_vm *vm,
		     struct ppcvirt_hcall *hc);
	void *opaque;
};

/**
 * struct ppcvirt_replay_config - how to replay.
 * @kind:        PPCVIRT_REPLAY_TRACE or PPCVIRT_REPLAY_SCRIPT.
 * @profile:     PPCVIRT_PROFILE_QEMU/STRICT, or PPCVIRT_REPLAY_PROFILE_AUTO:
 *               a script's own "profile" statement, else strict. An
 *               explicit profile overrides the script's statement.
 * @flags:       PPCVIRT_REPLAY_BOUNDED or 0.
 * @mem_limit:   most bytes of guest RAM (and of one table's entries) the
 *               replay may ask for; 0 means 64 GiB (16 MiB when BOUNDED).
 *               Sparse memory costs only what is touched.
 * @on_mismatch: optional callback, called for each mismatch.
 * @opaque:      passed to @on_mismatch.
 * @host:        optional: where the VM lives and how hypercalls are
 *               issued (NULL: ppcvirt's engine).
 */
struct ppcvirt_replay_config {
	enum ppcvirt_replay_kind kind;
	int profile;
	uint32_t flags;
	uint32_t reserved;
	uint64_t mem_limit;
	ppcvirt_replay_mismatch_fn on_mismatch;
	void *opaque;
	const struct ppcvirt_replay_host *host;
};

/**
 * struct ppcvirt_replay_result - counts of a replay.
 * @lines:          lines of the replayed pass.
 * @hcalls:         hypercalls issued.
 * @mismatches:     results that differ from the expected ones.
 * @gets_checked:   H_GET_TCE values compared.
 * @xlates_checked: translations compared (trace xlate lines).
 * @rtas_checked:   DDW RTAS calls / ddw_* trace lines compared.
 * @ignored:        lines that are not replayable events (other QEMU
 *                  output, new/unknown trace events).
 * @profile:        the profile the VM used.
 * @error:          0, or the -errno that stopped the replay.
 * @error_line:     the line of that error (0 when not tied to a line).
 * @error_text:     a description of the error ("" when none); printable
 *                  ASCII only: input bytes quoted in it are escaped
 *                  (\xNN for bytes outside 0x20..0x7e, \\ for a
 *                  backslash).
 */
struct ppcvirt_replay_result {
	uint64_t lines;
	uint64_t hcalls;
	uint64_t mismatches;
	uint64_t gets_checked;
	uint64_t xlates_checked;
	uint64_t rtas_checked;
	uint64_t ignored;
	int profile;
	int error;
	uint64_t error_line;
	char error_text[224];
};

struct ppcvirt_replay;

/**
 * ppcvirt_replay_create() - start a replay.
 *
 * Context: control plane; a replay is used by one thread at a time.
 * Return: 0; -EINVAL (NULL, unknown kind, profile or flags); -ENOMEM and
 * the errors of ppcvirt_vm_create() / ppcvirt_vcpu_create().
 */
PPCVIRT_API int ppcvirt_replay_create(const struct ppcvirt_replay_config *cfg,
				      struct ppcvirt_replay **out);

/**
 * ppcvirt_replay_feed() - process the next @len bytes of input.
 *
 * Complete lines are handled at once; a trailing partial line is kept
 * until the next feed (or rewind/finish).
 *
 * Context: the replay's thread.
 * Return: 0; after an error, that error again for every later call:
 * -EINVAL (malformed line or statement, line too long), -E2BIG (guest
 * memory or a window above the limit), -ENOMEM, and errors from the
 * library's VM calls (the result's error_text says which line and why).
 */
PPCVIRT_API int ppcvirt_replay_feed(struct ppcvirt_replay *r, const void *buf,
				    size_t len);

/**
 * ppcvirt_replay_rewind() - end the first (scan) pass of a trace: build
 * the VM, its memory and windows from what was seen, and expect the same
 * trace again from its first line.
 *
 * Context: the replay's thread.
 * Return: 0; -EINVAL (not a trace, or already rewound); -ENODATA (the
 * first pass saw no spapr_iommu_* line: not a trace); the errors of
 * ppcvirt_replay_feed().
 */
PPCVIRT_API int ppcvirt_replay_rewind(struct ppcvirt_replay *r);

/**
 * ppcvirt_replay_finish() - end the input (a last line without newline is
 * processed) and fill @res. Idempotent.
 *
 * Context: the replay's thread.
 * Return: 0 when the replay ran to the end (mismatches are in @res, not
 * an error); otherwise the error that stopped it (also in @res->error):
 * among them -ENODATA for an input without a single spapr_iommu_* line
 * (trace) or statement (script), which is not a trace or script at all.
 * -EINVAL for NULL arguments.
 */
PPCVIRT_API int ppcvirt_replay_finish(struct ppcvirt_replay *r,
				      struct ppcvirt_replay_result *res);

/**
 * ppcvirt_replay_destroy() - free a replay with its VM. NULL is a no-op.
 *
 * Context: the replay's thread.
 */
PPCVIRT_API void ppcvirt_replay_destroy(struct ppcvirt_replay *r);

/**
 * ppcvirt_replay_buffer() - replay a whole in-memory input (both passes
 * for a trace).
 *
 * Context: any thread.
 * Return: as ppcvirt_replay_finish(), plus the errors of
 * ppcvirt_replay_create().
 */
PPCVIRT_API int ppcvirt_replay_buffer(const struct ppcvirt_replay_config *cfg,
				      const void *buf, size_t len,
				      struct ppcvirt_replay_result *res);

#ifdef __cplusplus
}
#endif

#endif
