# What `cmake --install` and `cpack -G DEB` ship besides the binaries: man
# pages made from each binary's --help, the documentation, and the Debian
# package's metadata. Included by the top-level CMakeLists.txt after the
# binaries' targets exist.

option(BLT_MAN "Build the man pages from each binary's --help" ON)

# blt_man_page(TARGET SUMMARY SUBCOMMANDS SEE-ALSO): TARGET.1.gz from the
# --help text of TARGET and of each of its subcommands (a ;-list, may be
# empty), built with the binary and installed in man1.
set(BLT_MAN_PAGES "")
function(blt_man_page target summary subs see)
  set(out ${CMAKE_BINARY_DIR}/man/${target}.1.gz)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${CMAKE_COMMAND} -DBIN=$<TARGET_FILE:${target}> -DNAME=${target}
      "-DSUMMARY=${summary}" -DVERSION=${PROJECT_VERSION} "-DSUBS=${subs}"
      "-DSEE=${see}" -DOUT=${out} -P ${PROJECT_SOURCE_DIR}/cmake/ManPage.cmake
    DEPENDS ${target} ${PROJECT_SOURCE_DIR}/cmake/ManPage.cmake
    COMMENT "Man page ${target}(1) from ${target} --help"
    VERBATIM)
  set(BLT_MAN_PAGES ${BLT_MAN_PAGES} ${out} PARENT_SCOPE)
endfunction()

if(BLT_MAN)
  blt_man_page(blt-fake
    "the reference implementation of ListBatchLoadTasks" ""
    "blt-conform;blt-proxy;blt-cassette")
  blt_man_page(blt-proxy
    "record real ListBatchLoadTasks traffic into cassettes and replay it"
    "record;replay" "blt-cassette;blt-fake;blt-conform")
  blt_man_page(blt-conform
    "the ListBatchLoadTasks conformance suite" ""
    "blt-fake;blt-proxy;blt-cassette")
  blt_man_page(blt-cassette
    "lint, redact, diff, inspect, convert, generate and recover cassettes"
    "lint;redact;diff;stats;export-har;import-har;gen;recover"
    "blt-proxy;blt-fake;blt-conform")
  add_custom_target(man ALL DEPENDS ${BLT_MAN_PAGES})
  install(FILES ${BLT_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

install(FILES README.md LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Debian wants the licence as /usr/share/doc/PACKAGE/copyright, in its
# machine-readable format.
install(FILES cmake/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)

# The Debian package: cpack -G DEB in the build directory. Binaries land in
# /usr/bin, schemas and cassettes in /usr/share/blt, documentation in
# /usr/share/doc/blt, man pages in /usr/share/man/man1. The binaries find
# their data relative to themselves (<bindir>/../share/blt) before
# BLT_DATADIR, so the package's /usr prefix works whatever
# CMAKE_INSTALL_PREFIX the build was configured with. The dependencies are
# read from the binaries' shared libraries by dpkg-shlibdeps (dpkg-dev).
set(CPACK_PACKAGE_NAME blt)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "contract tests, conformance suite and record/replay proxy for ListBatchLoadTasks")
set(CPACK_PACKAGE_DESCRIPTION
  "blt is a contract-test and conformance suite, with a record/replay proxy,
for the Amazon Timestream Write operation ListBatchLoadTasks (AWS JSON 1.0):
blt-fake (a reference implementation), blt-proxy (record real traffic into
cassettes, replay it while checking the client), blt-conform (the
conformance suite) and blt-cassette (lint, redact, diff, generate).")
set(CPACK_PACKAGE_CONTACT "blt maintainers <maintainers@blt.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
include(CPack)
