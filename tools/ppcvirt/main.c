/* SPDX-License-Identifier: MIT */
/*
 * ppcvirt: command-line front end of libppcvirt. A git-style subcommand
 * table (kvmtool's pattern); every subcommand uses the public API only
 * and follows the conventions of cli.h (options, exit statuses, message
 * formats, JSON). man/ppcvirt.1.scd documents them.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#include "cli.h"
#include "cmds.h"

/* Options of commands that only print: --json, --help. */
static int parse_simple(const char *cmd, int argc, char **argv,
			const char *help, enum cli_json_mode *json)
{
	static const struct option lopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 0;
	while ((c = cli_getopt(cmd, argc, argv, ":jh", lopts)) != -1) {
		switch (c) {
		case 'j':
			*json = CLI_JSON_DOC;
			break;
		case 'h':
			fputs(help, stdout);
			return CLI_OK;
		default:
			return CLI_ERROR;
		}
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'",
				       cli_esc(argv[optind]));
	return -1;
}

int cmd_version(int argc, char **argv)
{
	enum cli_json_mode json = CLI_JSON_NONE;
	int ret = parse_simple("version", argc, argv,
			       "usage: ppcvirt version [--json]\n"
			       "\n"
			       "Print the library version.\n"
			       "  --json   {\"version\": \"X.Y.Z\"}\n",
			       &json);

	if (ret >= 0)
		return ret;
	if (json) {
		json_object *o = json_object_new_object();

		cli_json_add(o, "version",
			     json_object_new_string(ppcvirt_version()));
		cli_json_print(o, json);
	} else {
		printf("ppcvirt %s\n", ppcvirt_version());
	}
	return CLI_OK;
}

int cmd_caps(int argc, char **argv)
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
	enum cli_json_mode json = CLI_JSON_NONE;
	int ret = parse_simple(
		"caps", argc, argv,
		"usage: ppcvirt caps [--json]\n"
		"\n"
		"List the capabilities with KVM's numbers and the values\n"
		"KVM_CHECK_EXTENSION would return for them.\n"
		"  --json   {\"capabilities\": [{\"name\", \"number\", "
		"\"value\"}, ...]}\n",
		&json);
	json_object *o = NULL, *list = NULL;

	if (ret >= 0)
		return ret;
	if (json) {
		o = json_object_new_object();
		list = json_object_new_array();
		cli_json_add(o, "capabilities", list);
	}
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		int v = ppcvirt_check_extension(NULL, caps[i].cap);

		if (json) {
			json_object *c = json_object_new_object();

			cli_json_add(c, "name",
				     json_object_new_string(caps[i].name));
			cli_json_add(c, "number",
				     json_object_new_int64(caps[i].cap));
			cli_json_add(c, "value", json_object_new_int(v));
			json_object_array_add(list, c);
		} else {
			printf("%-26s %4ld  %d\n", caps[i].name, caps[i].cap,
			       v);
		}
	}
	if (json)
		cli_json_print(o, json);
	return CLI_OK;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{"version", cmd_version, "print the library version"},
	{"caps", cmd_caps, "list capabilities (KVM numbers) and their values"},
	{"bench", cmd_bench, "benchmarks: hcall, dma, tlb"},
	{"replay", cmd_replay,
	 "replay QEMU traces (.log, .log.xz) or hcall scripts (.hcs)"},
	{"tlb", cmd_tlb, "BookE TLB scripts and saved arrays: replay, dump"},
	{"state", cmd_state, "saved state streams: info (verify, summarise)"},
};

static void usage(void)
{
	printf("usage: ppcvirt <command> [options] [FILE...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].help);
	printf("\n'ppcvirt <command> --help' describes a command; FILE '-' "
	       "is standard input.\n"
	       "Exit status: 0 success, 1 mismatch or failed check, 2 usage, "
	       "I/O or format error.\n");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		fprintf(stderr, "ppcvirt: error: no command given\n"
				"Try 'ppcvirt --help'.\n");
		return CLI_ERROR;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") ||
	    !strcmp(cmd, "help")) {
		usage();
		return CLI_OK;
	}
	if (!strcmp(cmd, "--version"))
		cmd = "version";
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	if (cmd[0] == '-')
		fprintf(stderr, "ppcvirt: error: unknown option '%.*s'\n",
			(int)strcspn(cmd, "="), cli_esc(cmd));
	else
		fprintf(stderr, "ppcvirt: error: unknown command '%s'\n",
			cli_esc(cmd));
	fprintf(stderr, "Try 'ppcvirt --help'.\n");
	return CLI_ERROR;
}
