/* SPDX-License-Identifier: MIT */
/* Placeholder until the replay subcommand lands. */
#include <stdio.h>

#include "cmds.h"

int cmd_replay(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ppcvirt replay: not available in this build\n");
	return 2;
}
