# SPDX-License-Identifier: MIT
# Programs the KVM rig runs inside its L1 guest (tests/rigs/kvm/README.md):
# real-KVM checks and the exit-path measurements. They share the replay
# runner's KVM plumbing (tools/ppcvirt/kvm_runner.c) and use the public
# API only.
foreach(prog kvm_checks kvm_fpguard kvm_perf)
  add_executable(${prog} ${CMAKE_CURRENT_LIST_DIR}/${prog}.c
                 ${PROJECT_SOURCE_DIR}/tools/ppcvirt/kvm_runner.c)
  set_target_properties(${prog} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                        ${PROJECT_BINARY_DIR}/tests/rigs/kvm)
  target_include_directories(${prog} PRIVATE ${PROJECT_SOURCE_DIR}/tools/ppcvirt)
  target_compile_definitions(${prog} PRIVATE _GNU_SOURCE)
  target_link_libraries(${prog} PRIVATE ppcvirt_tools ppcvirt_static)
  if(PPCVIRT_STATIC_PROGRAMS)
    target_link_options(${prog} PRIVATE -static)
  endif()
endforeach()
