/* SPDX-License-Identifier: MIT */
/* Placeholder until the tlb subcommand lands. */
#include <stdio.h>

#include "cmds.h"

int cmd_tlb(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ppcvirt tlb: not available in this build\n");
	return 2;
}
