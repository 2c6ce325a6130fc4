/* SPDX-License-Identifier: MIT */
/*
 * BookE e500 TLB scripts (.tlbs, docs/booke.md): the runner behind
 * `ppcvirt tlb replay`, its unit tests and the BookE fuzzer.
 *
 * Part of the tools library (tools/lib/), not of libppcvirt: it drives
 * the TLB through the public instruction API only, exactly as a guest
 * would, and its format may change without touching the library's ABI.
 */
#ifndef PPCVIRT_TOOLS_TLB_SCRIPT_H
#define PPCVIRT_TOOLS_TLB_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include <ppcvirt/booke.h>

/* Called for every mismatch or note, with the 1-based line number. */
typedef void (*ppcvirt_tlb_report_fn)(void *opaque, unsigned line,
				      const char *msg);

struct ppcvirt_tlb_script_result {
	uint32_t statements; /* statements executed */
	uint32_t checks;     /* statements with an expected result */
	uint32_t mismatches;
	uint32_t error_line;	   /* line of the syntax error, 0 if none */
	char error[256];	   /* message of the syntax error */
	uint64_t checkpoints;	   /* with @checkpoint_every */
	uint64_t checkpoint_bytes; /* their streams' bytes */
};

/**
 * struct ppcvirt_tlb_script_opts - how to run a script.
 * @report, @opaque:   as ppcvirt_tlb_script_run().
 * @checkpoint_every:  0, or every this many statements checkpoint the
 *                     TLB: save it to a state stream (ppcvirt_state_save:
 *                     geometry, entries, MAS registers, PIDs, victim
 *                     state), destroy it, load the stream into a new TLB
 *                     of the same core and go on with that one.
 */
struct ppcvirt_tlb_script_opts {
	ppcvirt_tlb_report_fn report;
	void *opaque;
	uint32_t checkpoint_every;
};

/**
 * ppcvirt_tlb_script_run() - run a TLB script and check its expectations.
 * @text, @len: the script (need not be NUL-terminated; NUL bytes are an
 *              error).
 * @report:     optional; receives one message per mismatch.
 * @opaque:     passed to @report.
 * @res:        receives the counts and any syntax error.
 * @tlb_out:    optional; receives the final TLB (caller destroys it), only
 *              when the run completes.
 *
 * Context: any thread; the run uses only its own state.
 * Return: 0 when the script ran to its end (mismatches are counted in
 * @res, not an error); -EINVAL for a malformed or unknown statement
 * (@res->error_line and @res->error say which); -ENOMEM.
 */
int ppcvirt_tlb_script_run(const char *text, size_t len,
			   ppcvirt_tlb_report_fn report, void *opaque,
			   struct ppcvirt_tlb_script_result *res,
			   struct ppcvirt_tlb **tlb_out);

/**
 * ppcvirt_tlb_script_exec() - ppcvirt_tlb_script_run() with options.
 * @opts: may be NULL (no report, no checkpoints).
 *
 * Return: as ppcvirt_tlb_script_run(); a checkpoint that cannot be saved
 * or loaded is an error naming the line (its -errno).
 */
int ppcvirt_tlb_script_exec(const struct ppcvirt_tlb_script_opts *opts,
			    const char *text, size_t len,
			    struct ppcvirt_tlb_script_result *res,
			    struct ppcvirt_tlb **tlb_out);

#endif
