# SPDX-License-Identifier: MIT
# Runs a command that is expected to fail in a precise way and checks how.
#
#   cmake [-DEXPECT_SCRIPT=<script>] [-DEXPECT_RE=<regex>]
#         [-DEXPECT_STATUS=<n>] -P expect_run.cmake -- <command> [<arg>...]
#
# EXPECT_SCRIPT: the "# expect:" directives of <script> (expect.cmake) must
#   each match a line of the output, and no other diagnostic about <script>
#   may be printed.
# EXPECT_RE: the output (stdout and stderr, trailing newlines removed) must
#   match; "." also matches a newline, "$" is the end of the output.
# EXPECT_STATUS: the exact exit status; by default any failure status
#   1..125 (not 0, not killed by a signal).
# In every case the output must hold no sanitizer report. Prints the
# command's output, then "N passed, N failed" over these checks.
include(${CMAKE_CURRENT_LIST_DIR}/expect.cmake)

set(cmd "")
set(after_dashes FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(after_dashes)
    list(APPEND cmd "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(after_dashes TRUE)
  endif()
endforeach()
if(cmd STREQUAL "")
  message(FATAL_ERROR "usage: cmake [-DEXPECT_...] -P expect_run.cmake -- COMMAND...")
endif()

if(DEFINED EXPECT_SCRIPT)
  pcv_expect_parse("${EXPECT_SCRIPT}" expect)
endif()

execute_process(COMMAND ${cmd} RESULT_VARIABLE status
                OUTPUT_VARIABLE out ERROR_VARIABLE out)
string(REGEX REPLACE "\n+$" "" out "${out}")
message("${out}")

set(passed 0)
set(failed 0)
function(verdict okvar what)
  if(${okvar})
    math(EXPR n "${passed} + 1")
    set(passed ${n} PARENT_SCOPE)
  else()
    math(EXPR n "${failed} + 1")
    set(failed ${n} PARENT_SCOPE)
    message("# FAILED: ${what}")
  endif()
endfunction()

if(DEFINED EXPECT_STATUS)
  set(ok FALSE)
  if(status STREQUAL "${EXPECT_STATUS}")
    set(ok TRUE)
  endif()
  verdict(ok "exit status ${status}, expected ${EXPECT_STATUS}")
else()
  set(ok FALSE)
  if(status MATCHES "^[0-9]+$" AND status GREATER 0 AND status LESS 126)
    set(ok TRUE)
  endif()
  verdict(ok "exit status '${status}', expected a failure (1..125)")
endif()

set(ok TRUE)
if(out MATCHES "(Address|Leak|Thread|Memory|UndefinedBehavior)Sanitizer|runtime error:")
  set(ok FALSE)
endif()
verdict(ok "sanitizer report in the output")

# Directives are matched line by line ("." must not span lines); a
# semicolon would split a line in a CMake list, so it is spelled out.
string(REPLACE ";" "<semicolon>" flat "${out}")
string(REPLACE "\n" ";" lines "${flat}")
if(DEFINED EXPECT_SCRIPT)
  foreach(re IN LISTS expect)
    set(ok FALSE)
    foreach(l IN LISTS lines)
      if(l MATCHES "${re}")
        set(ok TRUE)
      endif()
    endforeach()
    verdict(ok "no line matches '${re}'")
  endforeach()
  pcv_expect_any_diagnostic("${EXPECT_SCRIPT}" any)
  set(nseen 0)
  foreach(l IN LISTS lines)
    if(l MATCHES "${any}")
      math(EXPR nseen "${nseen} + 1")
    endif()
  endforeach()
  list(LENGTH expect nexpect)
  set(ok FALSE)
  if(nseen EQUAL nexpect)
    set(ok TRUE)
  endif()
  verdict(ok "${nseen} diagnostics printed, ${nexpect} expected")
endif()

if(DEFINED EXPECT_RE)
  set(ok FALSE)
  if(out MATCHES "${EXPECT_RE}")
    set(ok TRUE)
  endif()
  verdict(ok "the output does not match '${EXPECT_RE}'")
endif()

if(failed)
  message(FATAL_ERROR "${passed} passed, ${failed} failed")
endif()
message("${passed} passed, ${failed} failed")
