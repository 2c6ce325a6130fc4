/* SPDX-License-Identifier: MIT */
/*
 * The replay engine refuses inputs that hold no trace or script at all
 * (issue 8, item 13): an empty file, /dev/null, a BookE .tlbs script or
 * plain text given as a QEMU trace, and a script without a statement.
 * Each must finish with -ENODATA, a message, and no line number; an input
 * with one spapr_iommu_* line (or one statement) must not.
 */
#include <errno.h>
#include <string.h>

#include "replay.h"

#include "test.h"

static int run(enum ppcvirt_replay_kind kind, const char *text,
	       struct ppcvirt_replay_result *res)
{
	struct ppcvirt_replay_config cfg = {
		.kind = kind,
		.profile = PPCVIRT_REPLAY_PROFILE_AUTO,
	};

	return ppcvirt_replay_buffer(&cfg, text, strlen(text), res);
}

static void expect_nodata(enum ppcvirt_replay_kind kind, const char *text,
			  const char *msg)
{
	struct ppcvirt_replay_result res;

	CHECK_EQ(run(kind, text, &res), -ENODATA);
	CHECK_EQ(res.error, -ENODATA);
	CHECK_EQ(res.error_line, 0);
	CHECK(strstr(res.error_text, msg) != NULL);
	CHECK_EQ(res.hcalls, 0);
	CHECK_EQ(res.mismatches, 0);
}

/* An empty file and /dev/null read the same: zero bytes. */
static void test_trace_empty(void)
{
	expect_nodata(PPCVIRT_REPLAY_TRACE, "", "no sPAPR IOMMU trace events");
	expect_nodata(PPCVIRT_REPLAY_TRACE, "\n\n\n",
		      "no sPAPR IOMMU trace events");
}

/* A .tlbs script given to the trace replay. */
static void test_trace_tlbs(void)
{
	expect_nodata(PPCVIRT_REPLAY_TRACE,
		      "geometry e500mc\n"
		      "tlbwe 0x10000000 0x80000100 0x50000000 0x0000003f 0\n"
		      "translate 0x50000abc 0 0 0 r -> 0x00000abc\n",
		      "no sPAPR IOMMU trace events");
}

/* What `xz -d` of an archive of "hello world" gives. */
static void test_trace_text(void)
{
	expect_nodata(PPCVIRT_REPLAY_TRACE, "hello world\n",
		      "no sPAPR IOMMU trace events");
	/* No newline at the end, and a name that only contains the
	 * prefix's letters elsewhere. */
	expect_nodata(PPCVIRT_REPLAY_TRACE, "qemu: spapr_iommu",
		      "no sPAPR IOMMU trace events");
}

static void test_script_empty(void)
{
	expect_nodata(PPCVIRT_REPLAY_SCRIPT, "", "no statements");
	expect_nodata(PPCVIRT_REPLAY_SCRIPT, "# only a comment\n\n  \n",
		      "no statements");
}

/* The streaming API reports it at rewind, before building a VM. */
static void test_rewind_reports(void)
{
	struct ppcvirt_replay_config cfg = {
		.kind = PPCVIRT_REPLAY_TRACE,
		.profile = PPCVIRT_REPLAY_PROFILE_AUTO,
	};
	struct ppcvirt_replay_result res;
	struct ppcvirt_replay *r = NULL;

	CHECK_EQ(ppcvirt_replay_create(&cfg, &r), 0);
	if (!r)
		return;
	CHECK_EQ(ppcvirt_replay_feed(r, "hello\nworld\n", 12), 0);
	CHECK_EQ(ppcvirt_replay_rewind(r), -ENODATA);
	CHECK_EQ(ppcvirt_replay_finish(r, &res), -ENODATA);
	CHECK_EQ(res.error_line, 0);
	ppcvirt_replay_destroy(r);
}

/* One event or statement is enough: these are not refused. */
static void test_minimal_inputs_pass(void)
{
	struct ppcvirt_replay_result res;

	CHECK_EQ(run(PPCVIRT_REPLAY_TRACE,
		     "1@1.0:spapr_iommu_put liobn=0x71000002 ioba=0x0 "
		     "tce=0x0 ret=-4\n",
		     &res),
		 0);
	CHECK_EQ(res.hcalls, 1);
	CHECK_EQ(res.mismatches, 0);
	CHECK_EQ(run(PPCVIRT_REPLAY_SCRIPT, "profile qemu\n", &res), 0);
	CHECK_EQ(res.error, 0);
}

static const struct test_case tests[] = {
	TEST(test_trace_empty),	   TEST(test_trace_tlbs),
	TEST(test_trace_text),	   TEST(test_script_empty),
	TEST(test_rewind_reports), TEST(test_minimal_inputs_pass),
};

TEST_MAIN(tests)
