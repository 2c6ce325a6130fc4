# SPDX-License-Identifier: MIT
# The ppcvirt CLI's conventions (label "cli"): options, exit statuses,
# message formats, standard input, JSON output, bounded reading of hostile
# files (tests/cli/cases.sh), and the replay engine's refusal of inputs
# that hold no trace or script (tests/cli/test_replay_nodata.c).
add_executable(test_replay_nodata ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_replay_nodata.c)
target_link_libraries(test_replay_nodata PRIVATE ppcvirt_harness ppcvirt_static)
add_test(NAME test_replay_nodata COMMAND test_replay_nodata)
set_tests_properties(test_replay_nodata PROPERTIES LABELS "unit;cli")
