# SPDX-License-Identifier: MIT
# The CLI's KVM back end where there is none (label "replay"): on a host
# that is not POWER, `ppcvirt replay --backend kvm` must exit 2 and say
# why; an unknown back end is a usage error (2). The real kvm-hv runs are
# `make kvm-check` (tests/rigs/kvm).
set(PCV_EXPECT_EXIT sh ${CMAKE_CURRENT_SOURCE_DIR}/expect_exit.sh)
set(PCV_KVM_HCS ${CMAKE_CURRENT_SOURCE_DIR}/hcs/kvm/kvm_basic.hcs)
if(NOT CMAKE_SYSTEM_PROCESSOR MATCHES "^(ppc64|powerpc64)")
  add_test(NAME replay_backend_kvm_unavailable
           COMMAND ${PCV_EXPECT_EXIT} 2 "needs a POWER (ppc64) Linux host"
                   $<TARGET_FILE:ppcvirt_cli> replay --backend kvm
                   ${PCV_KVM_HCS})
  set_tests_properties(replay_backend_kvm_unavailable PROPERTIES
                       LABELS "replay")
endif()
add_test(NAME replay_backend_unknown
         COMMAND ${PCV_EXPECT_EXIT} 2 "unknown back end 'xen'"
                 $<TARGET_FILE:ppcvirt_cli> replay --backend xen
                 ${PCV_KVM_HCS})
set_tests_properties(replay_backend_unknown PROPERTIES LABELS "replay")
