/* SPDX-License-Identifier: MIT */
/*
 * ppcvirt: command-line front end of libppcvirt. A git-style subcommand
 * table (kvmtool's pattern); every subcommand uses the public API only.
 */
#include <stdio.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#include "cmds.h"

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("ppcvirt %s\n", ppcvirt_version());
	return 0;
}

static int cmd_caps(int argc, char **argv)
{
	static const struct {
		long cap;
		const char *name;
	} caps[] = {
		{PPCVIRT_CAP_SPAPR_TCE, "KVM_CAP_SPAPR_TCE"},
		{PPCVIRT_CAP_SW_TLB, "KVM_CAP_SW_TLB"},
		{PPCVIRT_CAP_SPAPR_MULTITCE, "KVM_CAP_SPAPR_MULTITCE"},
		{PPCVIRT_CAP_PPC_ENABLE_HCALL, "KVM_CAP_PPC_ENABLE_HCALL"},
		{PPCVIRT_CAP_SPAPR_TCE_64, "KVM_CAP_SPAPR_TCE_64"},
		{PPCVIRT_CAP_SPAPR_TCE_VFIO, "KVM_CAP_SPAPR_TCE_VFIO"},
	};
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		printf("%-26s %4ld  %d\n", caps[i].name, caps[i].cap,
		       ppcvirt_check_extension(NULL, caps[i].cap));
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{"version", cmd_version, "print the library version"},
	{"caps", cmd_caps, "list capabilities (KVM numbers) and their values"},
	{"bench", cmd_bench,
	 "benchmarks: 'bench hcall [--json]', 'bench --help' for the rest"},
	{"replay", cmd_replay,
	 "replay QEMU traces (.log, .log.xz) or hcall scripts (.hcs)"},
	{"tlb", cmd_tlb, "BookE TLB tools: 'tlb replay FILE.tlbs', 'tlb dump'"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ppcvirt <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'ppcvirt <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(0, NULL);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "ppcvirt: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
