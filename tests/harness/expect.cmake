# SPDX-License-Identifier: MIT
# Expected-failure tests for scripts that must be refused (tests/hcs/bad,
# tests/tlbs/bad). Each such script states what it expects in its first
# line(s), one directive per expected diagnostic:
#
#   # expect: error line 4: unknown statement 'frobnicate'
#   # expect: mismatch line 6: put: ret expected -4 \(H_PARAMETER\), got 0
#
# "error" is a malformed or refused statement (the run stops there),
# "mismatch" a result that differs from the script's expectation. The text
# after "line N: " is a CMake regular expression (escape ( ) [ ] . * + ?)
# matched against the diagnostic's message. A bad script without a
# directive on its first line fails the configuration.
#
# The test (driver: expect_run.cmake) passes only when the command exits
# with a failure status (1..125: not 0, not a signal), prints no sanitizer
# report, prints every expected diagnostic, and prints no other one. So a
# typo elsewhere in a bad script, which would make it fail for another
# reason, fails the test.
#
# The regular expression built for a directive accepts both spellings of
# the file/line prefix the CLI has used, so the line number and the message
# are what is checked, not the layout:
#   errors:      FILE:N: error: MESSAGE       FILE: line N: MESSAGE
#   mismatches:  FILE:N: mismatch: MESSAGE    FILE: mismatch: line N: MESSAGE
include_guard(GLOBAL)

set(PCV_EXPECT_DRIVER ${CMAKE_CURRENT_LIST_DIR}/expect_run.cmake)

# Escape @text for use as a literal inside a regular expression.
function(pcv_regex_escape text out)
  string(REGEX REPLACE "([][.*+?^$()|\\\\])" "\\\\\\1" esc "${text}")
  set(${out} "${esc}" PARENT_SCOPE)
endfunction()

# Regular expression matching any diagnostic line about @script (used to
# make sure no unexpected diagnostic was printed).
function(pcv_expect_any_diagnostic script out)
  get_filename_component(base "${script}" NAME)
  pcv_regex_escape("${base}" base_re)
  set(${out} "${base_re}(:[0-9]+)?: (error|mismatch|line [0-9]+):"
      PARENT_SCOPE)
endfunction()

# Parse the "# expect:" directives at the top of @script into a list of
# regular expressions, one per expected diagnostic; a missing or malformed
# directive is a fatal error.
function(pcv_expect_parse script out)
  if(NOT EXISTS "${script}")
    message(FATAL_ERROR "${script}: no such file")
  endif()
  file(READ "${script}" text)
  string(REGEX MATCH "^(# expect:[^\n]*\n)+" head "${text}")
  if(head STREQUAL "")
    message(FATAL_ERROR
            "${script}: the first line must state the expected failure: "
            "'# expect: error|mismatch line N: REGEX' (see "
            "tests/harness/expect.cmake)")
  endif()
  get_filename_component(base "${script}" NAME)
  pcv_regex_escape("${base}" base_re)
  string(REGEX MATCHALL "# expect:[^\n]*" directives "${head}")
  set(regexes "")
  foreach(d IN LISTS directives)
    if(NOT d MATCHES "^# expect: (error|mismatch) line ([1-9][0-9]*): (.+)$")
      message(FATAL_ERROR "${script}: malformed directive '${d}': expected "
                          "'# expect: error|mismatch line N: REGEX'")
    endif()
    set(kind ${CMAKE_MATCH_1})
    set(line ${CMAKE_MATCH_2})
    set(msg "${CMAKE_MATCH_3}")
    # An invalid regular expression stops here, not at test time.
    string(REGEX MATCH "${msg}" unused "")
    if(kind STREQUAL "error")
      list(APPEND regexes "${base_re}(:|: line )${line}(: error)?: ${msg}")
    else()
      list(APPEND regexes
           "${base_re}(: mismatch: line ${line}|:${line}: mismatch): ${msg}")
    endif()
  endforeach()
  set(${out} "${regexes}" PARENT_SCOPE)
endfunction()

# pcv_add_bad_script_test(<name> <script> <label> <command>...): the test
# runs <command> (which should process <script>) and checks the script's
# directives.
function(pcv_add_bad_script_test name script label)
  pcv_expect_parse("${script}" unused)
  # Re-configure when the script changes, so a lost directive is caught.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${script}")
  add_test(NAME ${name}
           COMMAND ${CMAKE_COMMAND} -DEXPECT_SCRIPT=${script}
                   -P ${PCV_EXPECT_DRIVER} -- ${ARGN})
  set_tests_properties(${name} PROPERTIES LABELS "${label}")
endfunction()
