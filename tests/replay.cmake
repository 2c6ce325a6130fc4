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
