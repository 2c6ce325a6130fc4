# SPDX-License-Identifier: MIT
# The VFIO rig's guest program (tests/rigs/vfio, `make vfio-check`): a
# static x86-64 binary linked with this tree's libppcvirt, run inside the
# rig's QEMU guest, not by CTest. Built with the ordinary build so that
# -Werror builds compile it too; skipped under sanitizers and fuzzing
# (they do not link statically) and without a static liburcu-bp.
find_library(PPCVIRT_URCU_BP_STATIC NAMES liburcu-bp.a)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64" AND NOT PPCVIRT_SANITIZE
   AND NOT PPCVIRT_FUZZ AND PPCVIRT_URCU_BP_STATIC)
  add_executable(vfio_check ${PROJECT_SOURCE_DIR}/tests/rigs/vfio/vfio_check.c)
  target_include_directories(vfio_check PRIVATE ${PROJECT_SOURCE_DIR}/include
                             ${PROJECT_SOURCE_DIR}/src)
  target_compile_definitions(vfio_check PRIVATE _GNU_SOURCE)
  add_dependencies(vfio_check ppcvirt_static)
  target_link_libraries(vfio_check PRIVATE $<TARGET_FILE:ppcvirt_static>
                        ${PPCVIRT_URCU_BP_STATIC} Threads::Threads)
  target_link_options(vfio_check PRIVATE -static)
  set_target_properties(vfio_check PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                        ${PROJECT_BINARY_DIR}/tests)
endif()
