/* SPDX-License-Identifier: MIT */
/* Subcommands of the ppcvirt CLI; each lives in its own file. */
#ifndef PPCVIRT_TOOL_CMDS_H
#define PPCVIRT_TOOL_CMDS_H

/* Each gets argv[0] = its own name and returns the exit status (cli.h). */
int cmd_version(int argc, char **argv); /* tools/ppcvirt/main.c */
int cmd_caps(int argc, char **argv);	/* tools/ppcvirt/main.c */
int cmd_replay(int argc, char **argv);	/* tools/ppcvirt/cmd_replay.c */
int cmd_tlb(int argc, char **argv);	/* tools/ppcvirt/cmd_tlb.c */
int cmd_state(int argc, char **argv);	/* tools/ppcvirt/cmd_state.c */
int cmd_bench(int argc, char **argv);	/* bench/bench_main.c */

#endif
