# SPDX-License-Identifier: MIT
# What `make install` / `cmake --install` puts where (GNUInstallDirs):
#   lib/         libppcvirt.so.<VERSION> (+ soname and dev links), libppcvirt.a
#   include/     ppcvirt/*.h
#   bin/         ppcvirt
#   lib/pkgconfig/ppcvirt.pc, lib/cmake/ppcvirt/ (find_package(ppcvirt))
#   share/man/   ppcvirt.1, ppcvirt.3 (built with scdoc when it is found)
#   share/doc/ppcvirt/  README.md and docs/*.md
# Users consume it either way (tests/abi/install_consumer.sh does both):
#   cc app.c $(pkg-config --cflags --libs ppcvirt)
#   find_package(ppcvirt) + ppcvirt::ppcvirt or ppcvirt::ppcvirt_static

install(TARGETS ppcvirt ppcvirt_static EXPORT ppcvirtTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS ppcvirt_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PPCVIRT_HEADERS}
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ppcvirt)

# ---- pkg-config ------------------------------------------------------------
# Written at install time, with the prefix the install is made to (make
# install PREFIX=..., cmake --install --prefix ...), not the one configured:
# absolute paths like every other .pc file on Debian, so pkg-config's
# system-directory filtering works, and right under DESTDIR staging, which
# is not part of the prefix. (A ${pcfiledir}-relative prefix would also
# follow the install, but prints ../.. paths and breaks with an absolute
# libdir.)
foreach(d LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${d}}")
    set(PPCVIRT_PC_${d} "${CMAKE_INSTALL_${d}}")
  else()
    set(PPCVIRT_PC_${d} "\${prefix}/${CMAKE_INSTALL_${d}}")
  endif()
endforeach()
set(PPCVIRT_PC_OUT ${PROJECT_BINARY_DIR}/install/ppcvirt.pc)
install(CODE "
  set(PPCVIRT_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(PPCVIRT_PC_LIBDIR [[${PPCVIRT_PC_LIBDIR}]])
  set(PPCVIRT_PC_INCLUDEDIR [[${PPCVIRT_PC_INCLUDEDIR}]])
  set(PROJECT_VERSION ${PROJECT_VERSION})
  configure_file([[${PROJECT_SOURCE_DIR}/cmake/ppcvirt.pc.in]]
                 [[${PPCVIRT_PC_OUT}]] @ONLY)")
install(FILES ${PPCVIRT_PC_OUT} DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# ---- CMake package ---------------------------------------------------------
include(CMakePackageConfigHelpers)
set(PPCVIRT_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/ppcvirt)
install(EXPORT ppcvirtTargets NAMESPACE ppcvirt::
        DESTINATION ${PPCVIRT_CMAKEDIR})
configure_package_config_file(cmake/ppcvirtConfig.cmake.in
  ${PROJECT_BINARY_DIR}/install/ppcvirtConfig.cmake
  INSTALL_DESTINATION ${PPCVIRT_CMAKEDIR})
# 0.x: a minor release may change the API (the soname says whether the ABI
# changed); from 1.0 on this becomes SameMajorVersion.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/install/ppcvirtConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/install/ppcvirtConfig.cmake
              ${PROJECT_BINARY_DIR}/install/ppcvirtConfigVersion.cmake
        DESTINATION ${PPCVIRT_CMAKEDIR})

# ---- manual pages (scdoc) --------------------------------------------------
# man/<name>.<section>.scd -> <build>/man/<name>.<section>. scdoc is small,
# made for man pages, and packaged by Debian; pages are only built when it
# is installed (scripts/deps.sh installs it).
find_program(PPCVIRT_SCDOC scdoc)
file(GLOB PPCVIRT_MAN_SOURCES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/man/*.scd)
set(PPCVIRT_MAN_PAGES "")
if(PPCVIRT_SCDOC)
  foreach(src ${PPCVIRT_MAN_SOURCES})
    get_filename_component(page ${src} NAME)
    string(REGEX REPLACE "\\.scd$" "" page ${page})
    string(REGEX MATCH "[1-9]$" section ${page})
    if(NOT section)
      message(FATAL_ERROR "${src}: name it <page>.<section>.scd")
    endif()
    set(out ${PROJECT_BINARY_DIR}/man/${page})
    add_custom_command(OUTPUT ${out}
      COMMAND sh -c "\"$0\" <\"$1\" >\"$2.tmp\" && mv \"$2.tmp\" \"$2\""
              ${PPCVIRT_SCDOC} ${src} ${out}
      DEPENDS ${src}
      COMMENT "scdoc ${page}" VERBATIM)
    list(APPEND PPCVIRT_MAN_PAGES ${out})
    install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  endforeach()
  file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/man)
  add_custom_target(man ALL DEPENDS ${PPCVIRT_MAN_PAGES})
else()
  message(STATUS "scdoc not found: manual pages are not built "
                 "(scripts/deps.sh installs it)")
endif()

# ---- ABI baseline (docs/abi.md) --------------------------------------------
# `make abi-baseline`: record the ABI of this build as the reference the
# abi_diff test compares with. Deliberate: only at a release, or with a
# bumped soname.
find_program(PPCVIRT_ABIDW abidw)
if(PPCVIRT_ABIDW AND NOT PPCVIRT_SANITIZE AND NOT PPCVIRT_FUZZ)
  add_custom_target(abi-baseline
    COMMAND ${PPCVIRT_ABIDW} --headers-dir ${PROJECT_SOURCE_DIR}/include/ppcvirt
            --drop-private-types --no-corpus-path --no-comp-dir-path
            --short-locs --no-elf-needed --type-id-style hash
            --out-file ${PROJECT_SOURCE_DIR}/tests/abi/libppcvirt.abi.xml
            $<TARGET_FILE:ppcvirt>
    COMMAND sh -c "echo $0 >\"$1\"" ${PROJECT_VERSION}
            ${PROJECT_SOURCE_DIR}/tests/abi/libppcvirt.abi.version
    DEPENDS ppcvirt VERBATIM
    COMMENT "ABI baseline: tests/abi/libppcvirt.abi.xml (${PROJECT_VERSION})")
else()
  add_custom_target(abi-baseline
    COMMAND ${CMAKE_COMMAND} -E echo
            "abi-baseline: needs abidw (abigail-tools) and a build without sanitizers or fuzzing"
    COMMAND ${CMAKE_COMMAND} -E false)
endif()

# ---- docs ------------------------------------------------------------------
file(GLOB PPCVIRT_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PPCVIRT_DOCS}
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
