# SPDX-License-Identifier: MIT
# BookE e500 TLB script suites (label "tlb-scripts"): every
# tests/tlbs/*.tlbs (expected values from booke-tlb.md and the EREF) and,
# when present beside the project, the QEMU 7.2 observations in
# ../shared/booke-examples, run through `ppcvirt tlb replay`. The scripts
# in tests/tlbs/bad/ must fail with the error named here.
file(GLOB BOOKE_TLB_SCRIPTS CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/tlbs/*.tlbs)
set(BOOKE_SHARED_EXAMPLES ${PROJECT_SOURCE_DIR}/../shared/booke-examples)
if(IS_DIRECTORY ${BOOKE_SHARED_EXAMPLES})
  file(GLOB BOOKE_SHARED_SCRIPTS CONFIGURE_DEPENDS
       ${BOOKE_SHARED_EXAMPLES}/*.tlbs)
endif()

foreach(script ${BOOKE_TLB_SCRIPTS} ${BOOKE_SHARED_SCRIPTS})
  get_filename_component(name ${script} NAME_WE)
  if(script MATCHES "/shared/booke-examples/")
    set(tname tlb_shared_${name})
  else()
    set(tname tlb_script_${name})
  endif()
  add_test(NAME ${tname}
           COMMAND $<TARGET_FILE:ppcvirt_cli> tlb replay ${script})
  set_tests_properties(${tname} PROPERTIES LABELS "tlb-scripts")
endforeach()

# Malformed or failing scripts: the error message (and a non-zero exit,
# checked by the ones that print a summary) is the expected result.
set(BOOKE_BAD_unknown_statement "unknown_statement.tlbs:3: error: unknown statement 'tlbfoo'")
set(BOOKE_BAD_bad_number "bad_number.tlbs:2: error: '0x5000zz00' is not a hexadecimal number")
set(BOOKE_BAD_operands "operands.tlbs:2: error: translate takes 5 operands")
set(BOOKE_BAD_geometry "geometry.tlbs:1: error: invalid geometry: .*not a multiple")
set(BOOKE_BAD_mismatch "mismatch.tlbs:3: mismatch: .*expected 0x2000, got 0x1000")
foreach(name unknown_statement bad_number operands geometry mismatch)
  add_test(NAME tlb_bad_${name}
           COMMAND $<TARGET_FILE:ppcvirt_cli> tlb replay
                   ${CMAKE_CURRENT_SOURCE_DIR}/tlbs/bad/${name}.tlbs)
  set_tests_properties(tlb_bad_${name} PROPERTIES LABELS "tlb-scripts"
                       PASS_REGULAR_EXPRESSION "${BOOKE_BAD_${name}}")
endforeach()
# A mismatch must also make the exit status non-zero.
add_test(NAME tlb_bad_mismatch_status
         COMMAND $<TARGET_FILE:ppcvirt_cli> tlb replay --quiet
                 ${CMAKE_CURRENT_SOURCE_DIR}/tlbs/bad/mismatch.tlbs)
set_tests_properties(tlb_bad_mismatch_status PROPERTIES LABELS "tlb-scripts"
                     WILL_FAIL TRUE)

# Save / dump round trip.
add_test(NAME tlb_save_dump
         COMMAND sh -c "$<TARGET_FILE:ppcvirt_cli> tlb replay --quiet --save tlb_save_dump.bin ${CMAKE_CURRENT_SOURCE_DIR}/tlbs/tlbivax.tlbs && $<TARGET_FILE:ppcvirt_cli> tlb dump tlb_save_dump.bin")
set_tests_properties(tlb_save_dump PROPERTIES LABELS "tlb-scripts"
                     PASS_REGULAR_EXPRESSION "TLB1\\[3\\] +V EA 0x40200000 PA 0x003000000 +1M TID 0 +TS 0 SRWX URWX ----- IPROT")

# tests/tlbs/review/*.tlbs: scripts written independently from
# booke-tlb.md by a reviewer who did not read the implementation.
file(GLOB BOOKE_REVIEW_SCRIPTS CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/tlbs/review/*.tlbs)
foreach(script ${BOOKE_REVIEW_SCRIPTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME tlb_review_${name} COMMAND ppcvirt_cli tlb replay ${script})
  set_tests_properties(tlb_review_${name} PROPERTIES LABELS "tlb-scripts")
endforeach()
