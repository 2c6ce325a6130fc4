# SPDX-License-Identifier: MIT
# Replay suites (label "replay"):
#  - every tests/hcs/*.hcs through 'ppcvirt replay' (the script's own
#    "profile" line chooses the semantics);
#  - every tests/hcs/bad/*.hcs must fail with the diagnostics its first
#    line states (tests/harness/expect.cmake), proving the checks bite and
#    bad input is refused cleanly, for the stated reason;
#  - the shared QEMU traces (../shared/traces/*.log.xz), in both profiles,
#    when that directory exists beside the project; otherwise one test per
#    profile that CTest reports as skipped.
include(${CMAKE_CURRENT_LIST_DIR}/harness/expect.cmake)

file(GLOB HCS_SCRIPTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/hcs/*.hcs)
foreach(f ${HCS_SCRIPTS})
  get_filename_component(name ${f} NAME_WE)
  add_test(NAME hcs_${name} COMMAND ppcvirt_cli replay ${f})
  set_tests_properties(hcs_${name} PROPERTIES LABELS "replay")
endforeach()

# tests/hcs/review/*.hcs: scripts written independently from the spec by a
# reviewer who did not read the implementation.
file(GLOB HCS_REVIEW CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/hcs/review/*.hcs)
foreach(f ${HCS_REVIEW})
  get_filename_component(name ${f} NAME_WE)
  add_test(NAME hcs_review_${name} COMMAND ppcvirt_cli replay ${f})
  set_tests_properties(hcs_review_${name} PROPERTIES LABELS "replay")
endforeach()

file(GLOB HCS_BAD CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/hcs/bad/*.hcs)
foreach(f ${HCS_BAD})
  get_filename_component(name ${f} NAME_WE)
  pcv_add_bad_script_test(hcs_bad_${name} ${f} replay
                          $<TARGET_FILE:ppcvirt_cli> replay ${f})
endforeach()

cmake_path(SET PPCVIRT_TRACE_DIR NORMALIZE
           ${PROJECT_SOURCE_DIR}/../shared/traces)
set(PPCVIRT_TRACES "")
if(IS_DIRECTORY ${PPCVIRT_TRACE_DIR})
  file(GLOB PPCVIRT_TRACES ${PPCVIRT_TRACE_DIR}/*.log.xz)
endif()
if(PPCVIRT_TRACES STREQUAL "")
  foreach(profile qemu strict)
    add_test(NAME trace_suite_${profile}
             COMMAND ${CMAKE_COMMAND} -E echo
                     "SKIPPED: no QEMU traces (*.log.xz) in ${PPCVIRT_TRACE_DIR} (re-run cmake once they are there)")
    set_tests_properties(trace_suite_${profile} PROPERTIES LABELS "replay"
                         SKIP_REGULAR_EXPRESSION "SKIPPED: no QEMU traces")
  endforeach()
else()
  foreach(f ${PPCVIRT_TRACES})
    get_filename_component(name ${f} NAME)
    string(REPLACE ".log.xz" "" name ${name})
    foreach(profile qemu strict)
      add_test(NAME trace_${name}_${profile}
               COMMAND ppcvirt_cli replay --profile ${profile} ${f})
      set_tests_properties(trace_${name}_${profile} PROPERTIES
                           LABELS "replay")
    endforeach()
  endforeach()
endif()

# Checkpoints (docs/migration.md): every script and, when present, every
# shared trace in both profiles again with `replay --checkpoint-every` at
# a small prime: each checkpoint saves the whole state, destroys the VM
# and loads the stream into a fresh one, and the run must still end with
# 0 mismatches. Then a save at a line and a resume in a new process must
# end with the counts of an uninterrupted run (tests/state/resume.sh).
foreach(f ${HCS_SCRIPTS} ${HCS_REVIEW})
  get_filename_component(name ${f} NAME_WE)
  add_test(NAME ckpt_hcs_${name}
           COMMAND ppcvirt_cli replay --checkpoint-every 3 ${f})
  set_tests_properties(ckpt_hcs_${name} PROPERTIES LABELS "replay;state")
endforeach()
add_test(NAME ckpt_hcs_list_every_hcall
         COMMAND ppcvirt_cli replay --checkpoint-every 1
                 ${CMAKE_CURRENT_SOURCE_DIR}/hcs/strict_list_across_checkpoint.hcs)
set_tests_properties(ckpt_hcs_list_every_hcall PROPERTIES
                     LABELS "replay;state")
add_test(NAME resume_hcs_strict_indirect
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/state/resume.sh
                 $<TARGET_FILE:ppcvirt_cli>
                 ${CMAKE_CURRENT_SOURCE_DIR}/hcs/strict_indirect.hcs strict 20
                 ${CMAKE_CURRENT_SOURCE_DIR}/hcs/strict_basic.hcs)
set_tests_properties(resume_hcs_strict_indirect PROPERTIES
                     LABELS "replay;state")
if(PPCVIRT_TRACES STREQUAL "")
  add_test(NAME ckpt_trace_suite
           COMMAND ${CMAKE_COMMAND} -E echo
                   "SKIPPED: no QEMU traces (*.log.xz) in ${PPCVIRT_TRACE_DIR}")
  set_tests_properties(ckpt_trace_suite PROPERTIES LABELS "replay;state"
                       SKIP_REGULAR_EXPRESSION "SKIPPED: no QEMU traces")
else()
  list(GET PPCVIRT_TRACES 0 first_trace)
  foreach(f ${PPCVIRT_TRACES})
    get_filename_component(name ${f} NAME)
    string(REPLACE ".log.xz" "" name ${name})
    foreach(profile qemu strict)
      add_test(NAME ckpt_trace_${name}_${profile}
               COMMAND ppcvirt_cli replay --profile ${profile}
                       --checkpoint-every 7 ${f})
      set_tests_properties(ckpt_trace_${name}_${profile} PROPERTIES
                           LABELS "replay;state")
    endforeach()
    # Save at a line about a third of the way in (a prime, so not at a
    # round boundary); resuming against another trace must be refused.
    set(other ${first_trace})
    if(f STREQUAL first_trace)
      list(GET PPCVIRT_TRACES -1 other)
    endif()
    add_test(NAME resume_trace_${name}
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/state/resume.sh
                     $<TARGET_FILE:ppcvirt_cli> ${f} qemu 4999 ${other})
    set_tests_properties(resume_trace_${name} PROPERTIES
                         LABELS "replay;state")
  endforeach()
endif()

# Trace events (include/ppcvirt/trace.h): a trace ppcvirt writes with
# `replay --trace-out` replays like a QEMU one (tests/cli/trace_roundtrip.sh),
# for every shared trace, and for the scripts whose calls QEMU's trace
# format can describe (no removed tables, no refused call QEMU leaves out).
foreach(f ${PPCVIRT_TRACES} ${CMAKE_CURRENT_SOURCE_DIR}/hcs/qemu_basic.hcs
        ${CMAKE_CURRENT_SOURCE_DIR}/hcs/qemu_ddw.hcs
        ${CMAKE_CURRENT_SOURCE_DIR}/hcs/review/r07_ddw_defwin.hcs
        ${CMAKE_CURRENT_SOURCE_DIR}/hcs/review/r08_multi_phb.hcs)
  get_filename_component(name ${f} NAME)
  string(REGEX REPLACE "\\.(log\\.xz|hcs)$" "" name ${name})
  add_test(NAME trace_out_${name}
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/trace_roundtrip.sh
                   $<TARGET_FILE:ppcvirt_cli> ${f} qemu)
  set_tests_properties(trace_out_${name} PROPERTIES LABELS "replay;cli")
endforeach()
