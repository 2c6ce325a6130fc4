# SPDX-License-Identifier: MIT
# The ppcvirt CLI's conventions (label "cli"): options, exit statuses,
# message formats, standard input, JSON output, bounded reading of hostile
# files (tests/cli/cases.sh), and what the replay engine owes the CLI
# (tests/cli/test_*.c: inputs without a trace or script are refused,
# error texts are printable).
file(GLOB CLI_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_*.c)
foreach(src ${CLI_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE ppcvirt_harness ppcvirt_static)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "unit;cli")
endforeach()
