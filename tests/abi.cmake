# SPDX-License-Identifier: MIT
# The library as users get it (label "abi", tests/abi/, docs/abi.md):
#  - abi_headers: every public header alone, as C11 -pedantic and C++11;
#  - abi_man3: ppcvirt(3) has a paragraph for each public header;
#  - abi_linkage: the .so exports exactly the functions the headers
#    declare, all versioned, and libppcvirt.a has no global pcv_* symbol;
#  - abi_install: install to a fresh prefix, then build and run a consumer
#    through pkg-config (shared, static) and find_package (both targets);
#  - abi_diff: abidiff against the committed baseline; fails on removed or
#    changed interfaces unless the version, soname and symbol versions
#    were bumped (skipped without abigail-tools or debug info).
# The last three need the plain library: not under sanitizers or fuzzing,
# where the objects carry instrumentation a consumer would have to match.
set(PCV_ABI ${CMAKE_CURRENT_SOURCE_DIR}/abi)

if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
  find_program(PPCVIRT_CXX NAMES clang++ c++ g++)
else()
  find_program(PPCVIRT_CXX NAMES g++ c++ clang++)
endif()
if(NOT PPCVIRT_CXX)
  set(PPCVIRT_CXX "")
endif()
add_test(NAME abi_headers
         COMMAND sh ${PCV_ABI}/headers.sh ${PROJECT_SOURCE_DIR}/include
                 ${CMAKE_C_COMPILER} ${PPCVIRT_CXX})
set_tests_properties(abi_headers PROPERTIES LABELS "abi")

add_test(NAME abi_man3
         COMMAND sh ${PCV_ABI}/man3_headers.sh ${PROJECT_SOURCE_DIR}/include
                 ${PROJECT_SOURCE_DIR}/man/ppcvirt.3.scd)
set_tests_properties(abi_man3 PROPERTIES LABELS "abi")

if(NOT PPCVIRT_SANITIZE AND NOT PPCVIRT_FUZZ)
  # gcc -aux-info lists the declarations the compiler sees.
  find_program(PPCVIRT_GCC NAMES gcc)
  add_test(NAME abi_linkage
           COMMAND sh ${PCV_ABI}/linkage.sh $<TARGET_FILE:ppcvirt>
                   $<TARGET_FILE:ppcvirt_static> ${PROJECT_SOURCE_DIR}/include
                   ${PPCVIRT_GCC} $<TARGET_SONAME_FILE_NAME:ppcvirt>)
  set_tests_properties(abi_linkage PROPERTIES LABELS "abi")

  set(man_pages "")
  foreach(p ${PPCVIRT_MAN_PAGES})
    get_filename_component(n ${p} NAME)
    list(APPEND man_pages ${n})
  endforeach()
  add_test(NAME abi_install
           COMMAND sh ${PCV_ABI}/install_consumer.sh ${PROJECT_SOURCE_DIR}
                   ${PROJECT_VERSION} ${PPCVIRT_SOVERSION}
                   ${CMAKE_INSTALL_LIBDIR} ${CMAKE_C_COMPILER}
                   ${CMAKE_COMMAND} ${CMAKE_CURRENT_BINARY_DIR}/abi-install
                   ${PROJECT_BINARY_DIR} ${man_pages})
  set_tests_properties(abi_install PROPERTIES LABELS "abi" TIMEOUT 300)

  add_test(NAME abi_diff
           COMMAND sh ${PCV_ABI}/abi_check.sh $<TARGET_FILE:ppcvirt>
                   ${PROJECT_SOURCE_DIR}/include/ppcvirt ${PCV_ABI}
                   ${PROJECT_VERSION})
  set_tests_properties(abi_diff PROPERTIES LABELS "abi" SKIP_RETURN_CODE 77)
endif()
