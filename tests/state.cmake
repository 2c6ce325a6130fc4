# SPDX-License-Identifier: MIT
# The fuzz_state_load seeds named ok-* (made by test_state's fuzz_seeds)
# must load, every stream of them, under the target's full oracle: the
# corpus keeps reaching the loader's success path after a format change.
# (The target's corpus test replays every seed too, but accepts refusals.)
if(NOT PPCVIRT_FUZZ)
  file(GLOB STATE_SEEDS CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/fuzz_state_load/ok-*)
  if(NOT STATE_SEEDS)
    message(FATAL_ERROR "tests/fuzz/corpus/fuzz_state_load has no ok-* seeds")
  endif()
  add_test(NAME fuzz_state_load_seeds COMMAND fuzz_state_load ${STATE_SEEDS})
  set_tests_properties(fuzz_state_load_seeds PROPERTIES
                       LABELS "fuzz-replay"
                       ENVIRONMENT PPCVIRT_FUZZ_STATE_ACCEPT=1)
endif()
