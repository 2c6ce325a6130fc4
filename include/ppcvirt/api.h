/* SPDX-License-Identifier: MIT */
/* Export macro shared by every public header (each stays self-contained). */
#ifndef PPCVIRT_API_H
#define PPCVIRT_API_H

#if defined(PPCVIRT_BUILDING)
#define PPCVIRT_API __attribute__((visibility("default")))
#else
#define PPCVIRT_API
#endif

#endif
