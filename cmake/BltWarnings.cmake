# One place that sets warnings and sanitizers for every blt target.
# The build is warning-free with GCC and Clang; BLT_WERROR makes a new
# warning an error (tools/test turns it on, so a warning fails the tests;
# it stays off by default, so a newer compiler's new warning does not stop
# a user's build).
option(BLT_WERROR "Treat compiler warnings as errors" OFF)
function(blt_target_setup target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wformat=2 -Wvla -Wno-unused-parameter
    -Wcast-align -Wpointer-arith -Wundef)
  if(BLT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  target_compile_definitions(${target} PRIVATE _POSIX_C_SOURCE=200809L
    _DEFAULT_SOURCE BLT_VERSION="${PROJECT_VERSION}")
  if(BLT_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
      -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  # libFuzzer's coverage instrumentation; the fuzz targets link the fuzzer.
  if(BLT_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()
