# SPDX-License-Identifier: MIT
# BookE e500 TLB script suites (label "tlb-scripts"): every
# tests/tlbs/*.tlbs (expected values from docs/booke-architecture.md and the EREF) and,
# when present beside the project, the QEMU 7.2 observations in
# ../shared/booke-examples, run through `ppcvirt tlb replay` (without that
# directory, one test that CTest reports as skipped). The scripts in
# tests/tlbs/bad/ must fail with the diagnostics their first line states
# (tests/harness/expect.cmake).
include(${CMAKE_CURRENT_LIST_DIR}/harness/expect.cmake)

file(GLOB BOOKE_TLB_SCRIPTS CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/tlbs/*.tlbs)
cmake_path(SET BOOKE_SHARED_EXAMPLES NORMALIZE
           ${PROJECT_SOURCE_DIR}/../shared/booke-examples)
set(BOOKE_SHARED_SCRIPTS "")
if(IS_DIRECTORY ${BOOKE_SHARED_EXAMPLES})
  file(GLOB BOOKE_SHARED_SCRIPTS CONFIGURE_DEPENDS
       ${BOOKE_SHARED_EXAMPLES}/*.tlbs)
endif()
if(BOOKE_SHARED_SCRIPTS STREQUAL "")
  add_test(NAME tlb_shared_examples
           COMMAND ${CMAKE_COMMAND} -E echo
                   "SKIPPED: no BookE examples (*.tlbs) in ${BOOKE_SHARED_EXAMPLES} (re-run cmake once they are there)")
  set_tests_properties(tlb_shared_examples PROPERTIES LABELS "tlb-scripts"
                       SKIP_REGULAR_EXPRESSION "SKIPPED: no BookE examples")
endif()

foreach(script ${BOOKE_TLB_SCRIPTS} ${BOOKE_SHARED_SCRIPTS})
  get_filename_component(name ${script} NAME_WE)
  if(script MATCHES "/shared/booke-examples/")
    set(tname tlb_shared_${name})
  else()
    set(tname tlb_script_${name})
  endif()
  add_test(NAME ${tname}
           COMMAND $<TARGET_FILE:ppcvirt_cli> tlb replay ${script})
  set_tests_properties(${tname} PROPERTIES LABELS "tlb-scripts")
endforeach()

# Malformed or failing scripts: each states its expected diagnostics (and
# the driver checks for a failure exit status).
file(GLOB BOOKE_BAD_SCRIPTS CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/tlbs/bad/*.tlbs)
foreach(script ${BOOKE_BAD_SCRIPTS})
  get_filename_component(name ${script} NAME_WE)
  pcv_add_bad_script_test(tlb_bad_${name} ${script} tlb-scripts
                          $<TARGET_FILE:ppcvirt_cli> tlb replay ${script})
endforeach()
# A mismatch makes the exit status non-zero with --quiet too.
add_test(NAME tlb_bad_mismatch_status
         COMMAND $<TARGET_FILE:ppcvirt_cli> tlb replay --quiet
                 ${CMAKE_CURRENT_SOURCE_DIR}/tlbs/bad/mismatch.tlbs)
set_tests_properties(tlb_bad_mismatch_status PROPERTIES LABELS "tlb-scripts"
                     WILL_FAIL TRUE)

# Save / dump round trip.
add_test(NAME tlb_save_dump
         COMMAND sh -c "$<TARGET_FILE:ppcvirt_cli> tlb replay --quiet --save tlb_save_dump.bin ${CMAKE_CURRENT_SOURCE_DIR}/tlbs/tlbivax.tlbs && $<TARGET_FILE:ppcvirt_cli> tlb dump tlb_save_dump.bin")
set_tests_properties(tlb_save_dump PROPERTIES LABELS "tlb-scripts"
                     PASS_REGULAR_EXPRESSION "TLB1\\[3\\] +V EA 0x40200000 PA 0x003000000 +1M TID 0 +TS 0 SRWX URWX ----- IPROT")

# tests/tlbs/review/*.tlbs: scripts written independently from
# docs/booke-architecture.md by a reviewer who did not read the implementation.
file(GLOB BOOKE_REVIEW_SCRIPTS CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/tlbs/review/*.tlbs)
foreach(script ${BOOKE_REVIEW_SCRIPTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME tlb_review_${name} COMMAND ppcvirt_cli tlb replay ${script})
  set_tests_properties(tlb_review_${name} PROPERTIES LABELS "tlb-scripts")
endforeach()

# Checkpoints (docs/migration.md): every script again with `tlb replay
# --checkpoint-every 2`: every second statement the TLB is saved to a
# state stream, destroyed, and a new TLB loaded from it carries on, so
# every expectation after a checkpoint checks what the stream carried
# (entries, MAS registers, PIDs, the TLB0 victim counters).
foreach(script ${BOOKE_TLB_SCRIPTS} ${BOOKE_SHARED_SCRIPTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME tlb_ckpt_${name}
           COMMAND $<TARGET_FILE:ppcvirt_cli> tlb replay --checkpoint-every 2
                   ${script})
  set_tests_properties(tlb_ckpt_${name} PROPERTIES LABELS "tlb-scripts;state")
endforeach()
