/* SPDX-License-Identifier: MIT */
/*
 * Small text helpers shared by the script and trace parsers of the tools
 * library (replay*.c, tlb_script.c). Header-only, no allocation.
 */
#ifndef PPCVIRT_TOOLS_TEXT_H
#define PPCVIRT_TOOLS_TEXT_H

/* Value of hex digit @c, or -1. */
static inline int pcv_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
