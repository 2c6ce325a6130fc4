# SPDX-License-Identifier: MIT
# Self-test of the in-house harness (tests/harness/selftest.c, label
# "harness"): each case's verdict is checked from outside, so a harness
# that let a case without CHECKs pass, lost concurrent CHECKs, or missed a
# failure in a thread fails here. Runs under TSan too (label
# "concurrency"), where a non-atomic counter would be reported.
include(${CMAKE_CURRENT_LIST_DIR}/harness/expect.cmake)

add_executable(harness_selftest harness/selftest.c)
target_link_libraries(harness_selftest PRIVATE ppcvirt_harness Threads::Threads)

# pcv_harness_selftest(<case> <status> <regex>)
function(pcv_harness_selftest case status regex)
  add_test(NAME harness_selftest_${case}
           COMMAND ${CMAKE_COMMAND} -DEXPECT_STATUS=${status}
                   "-DEXPECT_RE=${regex}" -P ${PCV_EXPECT_DRIVER}
                   -- $<TARGET_FILE:harness_selftest> ${case})
  set_tests_properties(harness_selftest_${case} PROPERTIES
                       LABELS "harness;concurrency")
endfunction()

# "." in these regexes also matches the newline between two lines.
pcv_harness_selftest(no_check 1
  "^#   no check was made.not ok 1 - no_check.0 passed, 1 failed$")
pcv_harness_selftest(skip_without_check 0
  "^#   skipped: selftest: skipped on purpose.ok 2 - skip_without_check # SKIP.0 passed, 0 failed, 1 skipped$")
pcv_harness_selftest(checks_from_threads 0
  "^ok 3 - checks_from_threads.1 passed, 0 failed$")
pcv_harness_selftest(failure_in_thread 1
  "^#   FAILED [^ ]*selftest\\.c:[0-9]+: !\"deliberate failure in a thread\".not ok 4 - failure_in_thread.0 passed, 1 failed$")
pcv_harness_selftest(no_such_case 1
  "^#   no test case named 'no_such_case'.0 passed, 1 failed$")
