# SPDX-License-Identifier: MIT
# The ppcvirt CLI's conventions (label "cli"): options, exit statuses,
# message formats, standard input, JSON output, bounded reading of hostile
# files, `state info` on saved state streams (tests/cli/cases.sh), and
# what the replay engine owes the CLI (tests/cli/test_*.c: inputs without
# a trace or script are refused, error texts are printable).
file(GLOB CLI_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_*.c)
foreach(src ${CLI_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE ppcvirt_tools ppcvirt_harness ppcvirt_static)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "unit;cli")
endforeach()

# tests/cli/json_check: strict json-c parse (UTF-8 validated) of what the
# CLI prints, exactly one document (or one per line), values at paths.
add_executable(cli_json_check ${CMAKE_CURRENT_SOURCE_DIR}/cli/json_check.c)
target_link_libraries(cli_json_check PRIVATE PkgConfig::JSONC)
target_compile_definitions(cli_json_check PRIVATE _GNU_SOURCE)

# tests/cli/state_gen: state streams from fixed recipes (public API), for
# the `state info` cases.
add_executable(cli_state_gen ${CMAKE_CURRENT_SOURCE_DIR}/cli/state_gen.c)
target_link_libraries(cli_state_gen PRIVATE ppcvirt_static)

# Sanitizers reserve terabytes of address space: no `ulimit -v` there.
if(PPCVIRT_SANITIZE)
  set(CLI_TEST_ENV "PPCVIRT_TEST_NO_VMLIMIT=1")
else()
  set(CLI_TEST_ENV "")
endif()
foreach(case help unknown_option missing_file no_trace exit_status
        one_mismatch option_forms stdin json_names json_one_document
        escape_script_error bounded_reads progress bench_table plot man
        checkpoint_options state_info state_corrupt state_inputs state_bounded
        state_migration bench_migrate)
  add_test(NAME cli_${case}
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/cases.sh
                   $<TARGET_FILE:ppcvirt_cli> $<TARGET_FILE:cli_json_check>
                   ${PROJECT_SOURCE_DIR} ${case} $<TARGET_FILE:cli_state_gen>)
  set_tests_properties(cli_${case} PROPERTIES LABELS "cli"
                       SKIP_RETURN_CODE 77 TIMEOUT 300
                       ENVIRONMENT "${CLI_TEST_ENV}")
endforeach()
