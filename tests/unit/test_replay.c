/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the replay engine (tools/lib/replay.h): script
 * statements and their errors, chunked feeding, profile precedence, the
 * memory bounds, and the trace reconstruction rules of
 * docs/semantics.md §6.5 (INDIRECT lists, STUFF start, xlate offsets,
 * failed calls, DDW lines).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "replay.h"
#include "test.h"

struct seen {
	unsigned n;
	uint64_t line[8];
	char what[8][32];
};

static void on_mismatch(void *opaque, const struct ppcvirt_replay_mismatch *m)
{
	struct seen *s = opaque;

	if (s->n < 8) {
		s->line[s->n] = m->line;
		strncpy(s->what[s->n], m->what, sizeof(s->what[0]) - 1);
	}
	s->n++;
}

static int run(enum ppcvirt_replay_kind kind, int profile, const char *text,
	       struct ppcvirt_replay_result *res, struct seen *s)
{
	struct ppcvirt_replay_config cfg = {
		.kind = kind,
		.profile = profile,
		.on_mismatch = on_mismatch,
		.opaque = s,
	};

	memset(s, 0, sizeof(*s));
	return ppcvirt_replay_buffer(&cfg, text, strlen(text), res);
}

static const char script_ok[] = "profile qemu\n"
				"mem 0 0x100000\n"
				"window 0x71000002 0 12 16 # comment\n"
				"\n"
				"  # only a comment\n"
				"put 0x71000002 0x1abc 0x3 -> 0\n"
				"get 0x71000002 0x1000 -> 0 0x3\n"
				"get 0x71000002 0x1000 -> 0 3\n"
				"list 0x2000 0x1003 0x2003\n"
				"indirect 0x71000002 0x4000 0x2000 2 -> 0\n"
				"get 0x71000002 0x5000 -> 0x0 0x2003\n"
				"stuff 0x71000002 0x4000 0 2 -> 0\n"
				"get 0x71000002 0x10000 -> -4 -\n"
				"get 0x71000002 0x5000 -> - 0";

static void test_script_ok(void)
{
	struct ppcvirt_replay_result res;
	struct seen s;

	CHECK_EQ(run(PPCVIRT_REPLAY_SCRIPT, PPCVIRT_REPLAY_PROFILE_AUTO,
		     script_ok, &res, &s),
		 0);
	CHECK_EQ(res.mismatches, 0);
	CHECK_EQ(s.n, 0);
	CHECK_EQ(res.lines, 14);
	CHECK_EQ(res.hcalls, 8);
	CHECK_EQ(res.gets_checked, 4);
	CHECK_EQ(res.profile, PPCVIRT_PROFILE_QEMU);
	CHECK_EQ(res.error, 0);
}

/* The script says qemu; an explicit strict wins: misaligned put fails. */
static void test_profile_override(void)
{
	struct ppcvirt_replay_result res;
	struct seen s;

	CHECK_EQ(run(PPCVIRT_REPLAY_SCRIPT, PPCVIRT_PROFILE_STRICT, script_ok,
		     &res, &s),
		 0);
	CHECK_EQ(res.profile, PPCVIRT_PROFILE_STRICT);
	CHECK(res.mismatches > 0);
	CHECK_EQ(s.line[0], 6);
	CHECK(!strcmp(s.what[0], "ret"));
}

static void test_script_mismatch_lines(void)
{
	struct ppcvirt_replay_result res;
	struct seen s;

	CHECK_EQ(run(PPCVIRT_REPLAY_SCRIPT, PPCVIRT_REPLAY_PROFILE_AUTO,
		     "mem 0 0x100000\n"
		     "window 0x71000002 0 12 16\n"
		     "put 0x71000002 0x1000 0x3 -> -4\n"
		     "get 0x71000002 0x1000 -> 0 0x4\n"
		     "get 0x71000002 0x1000 -> 0 0x3\n",
		     &res, &s),
		 0);
	CHECK_EQ(res.mismatches, 2);
	CHECK_EQ(s.line[0], 3);
	CHECK_EQ(s.line[1], 4);
	CHECK(!strcmp(s.what[1], "value"));
	CHECK_EQ(res.profile, PPCVIRT_PROFILE_STRICT);
}

static void expect_error(const char *text, int err, uint64_t line)
{
	struct ppcvirt_replay_result res;
	struct seen s;

	CHECK_EQ(run(PPCVIRT_REPLAY_SCRIPT, PPCVIRT_REPLAY_PROFILE_AUTO, text,
		     &res, &s),
		 err);
	CHECK_EQ(res.error, err);
	CHECK_EQ(res.error_line, line);
	CHECK(res.error_text[0] != 0);
}

static void test_script_errors(void)
{
	expect_error("mem 0 0x1000\nbogus\n", -EINVAL, 2);
	expect_error("put 1 2 3\n", -EINVAL, 1);
	expect_error("put 1 2 3 -> \n", -EINVAL, 1);
	expect_error("put 1 2 3 -> 0 0\n", -EINVAL, 1);
	expect_error("get 1 2 -> 0\n", -EINVAL, 1);
	expect_error("put 1 2 0x1g -> 0\n", -EINVAL, 1);
	expect_error("put 1 2 99999999999999999999 -> 0\n", -EINVAL, 1);
	expect_error("put 1 2 0x10000000000000000 -> 0\n", -EINVAL, 1);
	expect_error("mem 0 0x1001\n", -EINVAL, 1);
	expect_error("\n\nmem 0 0x100000\nmem 0 0x100000\n", -EEXIST, 4);
	expect_error("window 0x171000002 0 12 16\n", -EINVAL, 1);
	expect_error("window 1 0 11 16\n", -EINVAL, 1);
	expect_error("window 1 0x800 12 16\n", -EINVAL, 1);
	expect_error("window 1 0 12 0\n", -EINVAL, 1);
	expect_error("window 1 0 12 0x10000000000000\n", -E2BIG, 1);
	expect_error("unwindow 5\n", -ENOENT, 1);
	expect_error("list 0x1000 1 2\n", -EFAULT, 1);
	expect_error("profile kvm\n", -EINVAL, 1);
	expect_error("rtas frob 1 -> 0\n", -EINVAL, 1);
	expect_error("rtas remove 1 ->\n", -EINVAL, 1);
	expect_error("rtas remove 0x100000000 -> 0\n", -EINVAL, 1);
	expect_error("phb 0x800000020000000\nphb 0x800000020000000\n", -EEXIST,
		     2);
	expect_error("phb 1 256\n", -EINVAL, 1);
	expect_error("mem 0 0xfffffffffffff000\n", -E2BIG, 1);
}

static void test_chunked_feed(void)
{
	struct ppcvirt_replay_config cfg = {
		.kind = PPCVIRT_REPLAY_SCRIPT,
		.profile = PPCVIRT_REPLAY_PROFILE_AUTO,
	};
	struct ppcvirt_replay_result res;
	struct ppcvirt_replay *r = NULL;

	CHECK_EQ(ppcvirt_replay_create(&cfg, &r), 0);
	for (size_t i = 0; i < sizeof(script_ok) - 1; i++)
		CHECK_EQ(ppcvirt_replay_feed(r, &script_ok[i], 1), 0);
	CHECK_EQ(ppcvirt_replay_finish(r, &res), 0);
	CHECK_EQ(ppcvirt_replay_finish(r, &res), 0);
	CHECK_EQ(res.lines, 14);
	CHECK_EQ(res.hcalls, 8);
	CHECK_EQ(res.mismatches, 0);
	CHECK_EQ(ppcvirt_replay_feed(r, "x", 1), -EINVAL);
	CHECK_EQ(ppcvirt_replay_rewind(r), -EINVAL);
	ppcvirt_replay_destroy(r);
	ppcvirt_replay_destroy(NULL);
}

static void test_long_line(void)
{
	static char buf[PPCVIRT_REPLAY_MAX_LINE + 16];
	struct ppcvirt_replay_result res;
	struct seen s;

	memset(buf, ' ', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = 0;
	CHECK_EQ(run(PPCVIRT_REPLAY_SCRIPT, PPCVIRT_REPLAY_PROFILE_AUTO, buf,
		     &res, &s),
		 -EINVAL);
	CHECK_EQ(run(PPCVIRT_REPLAY_TRACE, PPCVIRT_REPLAY_PROFILE_AUTO, buf,
		     &res, &s),
		 -EINVAL);
}

static void test_bounded(void)
{
	struct ppcvirt_replay_config cfg = {
		.kind = PPCVIRT_REPLAY_SCRIPT,
		.profile = PPCVIRT_REPLAY_PROFILE_AUTO,
		.flags = PPCVIRT_REPLAY_BOUNDED,
	};
	struct ppcvirt_replay_result res;
	const char *big = "mem 0 0x2000000\n";
	const char *win = "window 1 0 12 0x1000000\n";
	const char *ok = "mem 0 0x800000\nwindow 1 0 12 0x1000\n";

	CHECK_EQ(ppcvirt_replay_buffer(&cfg, big, strlen(big), &res), -E2BIG);
	CHECK_EQ(ppcvirt_replay_buffer(&cfg, win, strlen(win), &res), -E2BIG);
	CHECK_EQ(ppcvirt_replay_buffer(&cfg, ok, strlen(ok), &res), 0);
	cfg.flags = 0x80;
	CHECK_EQ(ppcvirt_replay_buffer(&cfg, ok, strlen(ok), &res), -EINVAL);
	cfg.flags = 0;
	cfg.profile = 7;
	CHECK_EQ(ppcvirt_replay_buffer(&cfg, ok, strlen(ok), &res), -EINVAL);
	CHECK_EQ(ppcvirt_replay_buffer(NULL, ok, strlen(ok), &res), -EINVAL);
}

static void test_script_ddw(void)
{
	struct ppcvirt_replay_result res;
	struct seen s;

	CHECK_EQ(run(PPCVIRT_REPLAY_SCRIPT, PPCVIRT_REPLAY_PROFILE_AUTO,
		     "mem 0 0x10000000\n"
		     "phb 0x800000020000000\n"
		     "rtas query 0 0x8000000 0x20000000 -> 0 1 0x20 0 0x107 0\n"
		     "rtas create 0 0x8000000 0x20000000 24 28 -> 0 "
		     "0x80000001 0x8000000 0\n"
		     "put 0x80000001 0x800000001000000 0x1000003 -> 0\n"
		     "rtas remove 0x80000001 -> 0\n"
		     "rtas remove 0x80000001 -> 0\n",
		     &res, &s),
		 0);
	CHECK_EQ(res.rtas_checked, 4);
	CHECK_EQ(res.mismatches, 1);
	CHECK_EQ(s.line[0], 7);
}

/* A small trace in QEMU's format, exercising the reconstruction rules. */
static const char trace[] =
	"1@1.0:spapr_iommu_new_table liobn=0x71000002 table=0x1 fd=-1\n"
	"qemu-system-ppc64: some unrelated message\n"
	"1@1.1:spapr_iommu_put liobn=0x71000002 ioba=0x1000 tce=0x4dd0003 "
	"ret=0\n"
	"1@1.2:spapr_iommu_xlate liobn=0x71000002 0x1010 -> 0x4dd0000 perm=3 "
	"mask=0xfff\n"
	/* 4 entries from 0xc000: tce[i] = tceN - (3 - i) * 4K */
	"1@1.3:spapr_iommu_indirect liobn=0x71000002 ioba=0xc000 "
	"tcelist=0x4c20000 iobaN=0x3 tceN=0x4d7f001 ret=0\n"
	"1@1.4:spapr_iommu_xlate liobn=0x71000002 0xc008 -> 0x4d7c000 perm=1 "
	"mask=0xfff\n"
	"1@1.4:spapr_iommu_xlate liobn=0x71000002 0xf000 -> 0x4d7f000 perm=1 "
	"mask=0xfff\n"
	/* Fails at entry 2 (window has 16 entries, starts at 14): logs 1 */
	"1@1.5:spapr_iommu_indirect liobn=0x71000002 ioba=0xe000 "
	"tcelist=0x4c20000 iobaN=0x1 tceN=0x7003 ret=-4\n"
	"1@1.6:spapr_iommu_get liobn=0x71000002 ioba=0xf000 ret=0 "
	"tce=0x6003\n"
	/* npages = 0: logs index 0 and fails */
	"1@1.6:spapr_iommu_indirect liobn=0x71000002 ioba=0x2000 "
	"tcelist=0x4c20000 iobaN=0x0 tceN=0x0 ret=-4\n"
	/* STUFF logs the end of the range: start 0xc000 */
	"1@1.7:spapr_iommu_stuff liobn=0x71000002 ioba=0xe000 tcevalue=0x0 "
	"npages=2 ret=0\n"
	"1@1.8:spapr_iommu_xlate liobn=0x71000002 0xd000 -> 0x0 perm=0 "
	"mask=0xfff\n"
	"1@1.8:spapr_iommu_xlate liobn=0x71000002 0xe000 -> 0x5000 perm=3 "
	"mask=0xfff\n"
	"1@1.8:spapr_iommu_xlate liobn=0x71000002 0x10000 -> 0x0 perm=0 "
	"mask=0xffffffff\n"
	/* Failures QEMU traced */
	"1@1.9:spapr_iommu_put liobn=0x71000003 ioba=0x0 tce=0x3 ret=-4\n"
	"1@1.9:spapr_iommu_get liobn=0x71000003 ioba=0x0 ret=-4 tce=0x0\n"
	"1@2.0:spapr_iommu_stuff liobn=0x71000002 ioba=0x10000 tcevalue=0x0 "
	"npages=0 ret=-4\n"
	/* Unknown events are ignored */
	"1@2.0:spapr_iommu_something_new a=1\n"
	"2@3.0:spapr_iommu_pre_save liobn=71000002 10 bus_offset=0x0 ps=12\n"
	"2@3.0:spapr_iommu_pre_save liobn=80000001 0 bus_offset=0x0 ps=0\n";

static void test_trace_rules(void)
{
	struct ppcvirt_replay_result res;
	struct seen s;

	for (int p = 0; p < 2; p++) {
		CHECK_EQ(run(PPCVIRT_REPLAY_TRACE, PPCVIRT_PROFILE_QEMU, trace,
			     &res, &s),
			 0);
		if (p == 1)
			break;
		CHECK_EQ(res.lines, 20);
		CHECK_EQ(res.mismatches, 0);
		CHECK_EQ(s.n, 0);
		CHECK_EQ(res.hcalls, 9);
		CHECK_EQ(res.gets_checked, 1);
		CHECK_EQ(res.xlates_checked, 6);
		CHECK_EQ(res.ignored, 2);
	}
}

static void test_trace_corrupt(void)
{
	struct ppcvirt_replay_result res;
	struct seen s;

	CHECK_EQ(run(PPCVIRT_REPLAY_TRACE, PPCVIRT_PROFILE_QEMU,
		     "1@1.0:spapr_iommu_new_table liobn=0x71000002 table=0x1 "
		     "fd=-1\n"
		     "1@1.1:spapr_iommu_put liobn=0x71000002 ioba=0x1000 "
		     "tce=0x4dd0003 ret=0\n"
		     "1@1.1:spapr_iommu_put liobn=0x71000002 ioba=0x1000 "
		     "tce=0x4dd0003 ret=\n"
		     "1@1.2:spapr_iommu_xlate liobn=0x71000002 0x1010 -> "
		     "0x4dd1000 perm=3 mask=0xfff\n"
		     "\x01\x02garbage\n"
		     "1@1.1:spapr_iommu_put liobn=0x71000002 ioba=0x1000 "
		     "tce=0x4dd0003 ret=0 extra\n"
		     "2@3.0:spapr_iommu_pre_save liobn=71000002 10 "
		     "bus_offset=0x0 ps=12\n"
		     "1@1.1:spapr_iommu_put liobn=0x71000",
		     &res, &s),
		 0);
	CHECK_EQ(res.mismatches, 5);
	CHECK_EQ(s.line[0], 3);
	CHECK_EQ(s.line[1], 4);
	CHECK(!strcmp(s.what[1], "pa"));
	CHECK_EQ(s.line[2], 5);
	CHECK_EQ(s.line[3], 6);
	CHECK_EQ(s.line[4], 8);
}

static const char trace_ddw[] =
	"1@1.0:spapr_iommu_new_table liobn=0x80000000 table=0x1 fd=-1\n"
	"1@1.1:spapr_iommu_pci_put liobn=0x80000000 ioba=0x1000 tce=0x3003 "
	"ret=0\n"
	"1@1.2:spapr_iommu_ddw_query buid=0x800000020000000 addr=0x800, 1 "
	"windows available, max window size=0x80000000, mask=0x3\n"
	"1@1.3:spapr_iommu_new_table liobn=0x80000001 table=0x2 fd=-1\n"
	"1@1.4:spapr_iommu_ddw_create buid=0x800000020000000 addr=0x800, page "
	"size=0x10000, requested=0x80000000, start addr=0x800000000000000, "
	"liobn=0x80000001\n"
	"1@1.5:spapr_iommu_pci_indirect liobn=0x80000001 "
	"ioba=0x800000000000000 tcelist=0x4c20000 iobaN=0x1ff "
	"tceN=0x1ff0003 ret=0\n"
	"1@1.6:spapr_iommu_xlate liobn=0x80000001 0x10020 -> 0x10000 perm=3 "
	"mask=0xffff\n"
	"1@1.6:spapr_iommu_pci_get liobn=0x80000001 ioba=0x800000000020000 "
	"ret=0 tce=0x20003\n"
	"1@1.6:spapr_iommu_xlate liobn=0x80000000 0x1000 -> 0x3000 perm=3 "
	"mask=0xfff\n"
	"1@1.7:spapr_iommu_ddw_remove liobn=0x80000001\n"
	"1@1.8:spapr_iommu_pci_get liobn=0x80000001 ioba=0x800000000020000 "
	"ret=-4 tce=0x0\n"
	"1@1.8:spapr_iommu_ddw_query buid=0x800000020000000 addr=0x800, 1 "
	"windows available, max window size=0x80000000, mask=0x3\n"
	"2@3.0:spapr_iommu_pre_save liobn=80000000 40000 bus_offset=0x0 "
	"ps=12\n"
	"2@3.0:spapr_iommu_pre_save liobn=80000001 0 bus_offset=0x0 ps=0\n";

static void test_trace_ddw(void)
{
	struct ppcvirt_replay_result res;
	struct seen s;

	for (int p = 0; p < 2; p++) {
		CHECK_EQ(run(PPCVIRT_REPLAY_TRACE, p, trace_ddw, &res, &s), 0);
		CHECK_EQ(res.mismatches, 0);
		CHECK_EQ(res.rtas_checked, 4);
		CHECK_EQ(res.gets_checked, 1);
		CHECK_EQ(res.xlates_checked, 2);
	}
}

/* QEMU's remove-with-reset may be logged in either order. */
static void test_trace_remove_reset_order(void)
{
	static const char head[] =
		"1@1.0:spapr_iommu_new_table liobn=0x80000000 table=0x1 "
		"fd=-1\n"
		"1@1.1:spapr_iommu_pci_put liobn=0x80000000 ioba=0x1000 "
		"tce=0x3003 ret=0\n"
		"1@1.3:spapr_iommu_new_table liobn=0x80000001 table=0x2 "
		"fd=-1\n"
		"1@1.4:spapr_iommu_ddw_create buid=0x800000020000000 "
		"addr=0x800, page size=0x1000000, requested=0x80000000, start "
		"addr=0x800000000000000, liobn=0x80000001\n"
		"1@2.0:spapr_iommu_ddw_remove liobn=0x80000000\n";
	static const char *const tails[] = {
		"1@2.1:spapr_iommu_ddw_remove liobn=0x80000001\n"
		"1@2.1:spapr_iommu_new_table liobn=0x80000000 table=0x9 "
		"fd=-1\n"
		"1@2.1:spapr_iommu_ddw_reset buid=0x800000020000000 "
		"addr=0x0\n",
		"1@2.1:spapr_iommu_new_table liobn=0x80000000 table=0x9 "
		"fd=-1\n"
		"1@2.1:spapr_iommu_ddw_reset buid=0x800000020000000 "
		"addr=0x0\n"
		"1@2.1:spapr_iommu_ddw_remove liobn=0x80000001\n",
	};
	static const char end[] =
		"1@2.2:spapr_iommu_pci_get liobn=0x80000000 ioba=0x1000 ret=0 "
		"tce=0x0\n"
		"1@2.2:spapr_iommu_pci_get liobn=0x80000001 "
		"ioba=0x800000000000000 ret=-4 tce=0x0\n"
		"1@2.2:spapr_iommu_ddw_query buid=0x800000020000000 "
		"addr=0x800, 1 windows available, max window size=0x80000000, "
		"mask=0x107\n";
	static char buf[4096];
	struct ppcvirt_replay_result res;
	struct seen s;

	for (size_t i = 0; i < 2; i++) {
		snprintf(buf, sizeof(buf), "%s%s%s", head, tails[i], end);
		CHECK_EQ(run(PPCVIRT_REPLAY_TRACE, PPCVIRT_PROFILE_QEMU, buf,
			     &res, &s),
			 0);
		CHECK_EQ(res.mismatches, 0);
		CHECK_EQ(res.rtas_checked, 5);
		CHECK_EQ(res.gets_checked, 1);
	}
}

static const struct test_case tests[] = {
	TEST(test_script_ok),
	TEST(test_profile_override),
	TEST(test_script_mismatch_lines),
	TEST(test_script_errors),
	TEST(test_chunked_feed),
	TEST(test_long_line),
	TEST(test_bounded),
	TEST(test_script_ddw),
	TEST(test_trace_rules),
	TEST(test_trace_corrupt),
	TEST(test_trace_ddw),
	TEST(test_trace_remove_reset_order),
};

TEST_MAIN(tests)
