/* SPDX-License-Identifier: MIT */
/* Helpers shared by the CLI's subcommands. */
#ifndef PPCVIRT_TOOL_CLI_H
#define PPCVIRT_TOOL_CLI_H

/* Print @s as a JSON string literal (quotes and escapes) on stdout. */
void cli_json_str(const char *s);

/* Monotonic time in seconds. */
double cli_now(void);

#endif
