/* SPDX-License-Identifier: MIT */
/*
 * The replay engine's error_text is printable ASCII: input bytes it
 * quotes (an unknown statement or RTAS call) are escaped as \xNN, a
 * backslash as \\, and at most 32 input bytes are quoted.
 */
#include <errno.h>
#include <string.h>

#include "replay.h"

#include "test.h"

static void run_script(const char *text, size_t len,
		       struct ppcvirt_replay_result *res)
{
	struct ppcvirt_replay_config cfg = {
		.kind = PPCVIRT_REPLAY_SCRIPT,
		.profile = PPCVIRT_REPLAY_PROFILE_AUTO,
	};

	CHECK_EQ(ppcvirt_replay_buffer(&cfg, text, len, res), -EINVAL);
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static void test_statement_escaped(void)
{
	static const char text[] = "\x1b[31mput\\x\xff 1 2 3 -> 0\n";
	struct ppcvirt_replay_result res;

	run_script(text, sizeof(text) - 1, &res);
	CHECK_EQ(res.error_line, 1);
	CHECK(printable(res.error_text));
	CHECK(strstr(res.error_text,
		     "unknown statement '\\x1b[31mput\\\\x\\xff'") != NULL);
}

static void test_rtas_call_escaped(void)
{
	static const char text[] = "rtas qu\x7f\x01"
				   "ery 1 -> 0\n";
	struct ppcvirt_replay_result res;

	run_script(text, sizeof(text) - 1, &res);
	CHECK(printable(res.error_text));
	CHECK(strstr(res.error_text, "unknown rtas call 'qu\\x7f\\x01ery'") !=
	      NULL);
}

/* 40 bytes of 0x80: 32 quoted (4 characters each), then "...". */
static void test_long_word_cut(void)
{
	char text[64], want[32 * 4 + 8];
	struct ppcvirt_replay_result res;

	memset(text, 0x80, 40);
	text[40] = '\n';
	run_script(text, 41, &res);
	for (int i = 0; i < 32; i++)
		memcpy(want + 4 * i, "\\x80", 4);
	memcpy(want + 128, "...'", 5);
	CHECK(printable(res.error_text));
	CHECK(strstr(res.error_text, want) != NULL);
}

static const struct test_case tests[] = {
	TEST(test_statement_escaped),
	TEST(test_rtas_call_escaped),
	TEST(test_long_word_cut),
};

TEST_MAIN(tests)
