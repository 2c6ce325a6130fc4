/* SPDX-License-Identifier: MIT */
/* BookE e500 software-managed TLB (KVM_CAP_SW_TLB): being written. */
#ifndef PPCVIRT_BOOKE_H
#define PPCVIRT_BOOKE_H
#endif
