#!/usr/bin/env bash
# The newcomer's commands: tools/test and tools/conform answer --help and -h
# (tools/test without running anything), an in-source `cmake .` is refused
# and leaves the tree as it was, and BLT_WERROR turns a warning into an error.
set -uo pipefail
src=${BLT_SOURCE_DIR:?}
build=${BLT_BUILD_DIR:?}
. "$src/tests/support/checks.sh"

# tools/test --help must not start the run. Every program a run would start
# first (the package check, npm, cmake, ctest) is replaced by one that says
# it was called and fails, so a run that starts stops at once and shows.
mkdir -p "$tmp/shim"
for p in dpkg-query apt-get npm cmake ctest nproc; do
  printf '#!/bin/sh\necho "SHIM %s called" >&2\nexit 1\n' "$p" >"$tmp/shim/$p"
  chmod +x "$tmp/shim/$p"
done
for flag in --help -h; do
  expect 0 '^usage: tools/test' env PATH="$tmp/shim:$PATH" "$src/tools/test" "$flag"
  refuse 'SHIM|^==' env PATH="$tmp/shim:$PATH" "$src/tools/test" "$flag"
done
expect 2 "unknown argument '--bogus'" env PATH="$tmp/shim:$PATH" "$src/tools/test" --bogus
refuse 'SHIM|^==' env PATH="$tmp/shim:$PATH" "$src/tools/test" --bogus

# tools/test's trees are built with warnings as errors: build/ and
# build-asan/ with GCC, build-fuzz/ (tools/fuzz) with Clang.
n=$(grep -cE -- '^cmake -S \. -B build(-asan)? .*-DBLT_WERROR=ON' "$src/tools/test")
[ "$n" = 2 ] && ok || bad "tools/test sets -DBLT_WERROR=ON $n times, wanted 2 (build/, build-asan/)"
grep -q -- '-DBLT_WERROR=ON' "$src/tools/fuzz" && grep -q '^tools/fuzz ' "$src/tools/test" &&
  ok || bad "tools/test's Clang tree (tools/fuzz) is not built with -DBLT_WERROR=ON"

# tools/conform --help builds (here: the tree these tests run from, up to
# date, so nothing is rebuilt) and prints blt-conform's help.
for flag in --help -h; do
  out=$(BLT_BUILD_DIR="$build" "$src/tools/conform" "$flag" 2>&1); rc=$?
  if [ $rc != 0 ] || ! grep -q '^tools/conform \[ARGS\.\.\.\]' <<<"$out" ||
     ! grep -q '^usage: blt-conform \[--target URL\]' <<<"$out"; then
    bad "tools/conform $flag exited $rc; output:"$'\n'"$out"
  else
    ok
  fi
done

# BLT_WERROR=ON turns a warning into a failed build; off, it stays a warning.
mkdir -p "$tmp/werror"
cat >"$tmp/werror/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.18)
project(werror VERSION 1.0 LANGUAGES C)
include($src/cmake/BltWarnings.cmake)
add_executable(w w.c)
blt_target_setup(w)
EOF
printf 'int main(void)\n{\n\tint unused;\n\treturn 0;\n}\n' >"$tmp/werror/w.c"
for mode in ON OFF; do
  out=$( { cmake -S "$tmp/werror" -B "$tmp/werror/b$mode" -DBLT_WERROR=$mode &&
           cmake --build "$tmp/werror/b$mode"; } 2>&1); rc=$?
  case $mode in
    ON) [ $rc != 0 ] && grep -q 'error: unused variable' <<<"$out" && ok ||
          bad "BLT_WERROR=ON built a file with a warning (rc $rc):"$'\n'"$out" ;;
    OFF) [ $rc = 0 ] && grep -q 'warning: unused variable' <<<"$out" && ok ||
          bad "BLT_WERROR=OFF did not build with a warning (rc $rc):"$'\n'"$out" ;;
  esac
done

# An in-source `cmake .` is refused and leaves no CMakeCache.txt or
# CMakeFiles/ behind (in a copy of the sources, never in the real tree).
mkdir -p "$tmp/insrc"
tar -C "$src" --exclude='./build*' --exclude=node_modules --exclude=.git \
    -cf - . | tar -C "$tmp/insrc" -xf -
before=$(cd "$tmp/insrc" && find . | sort)
for cmd in "cmake ." "cmake -S . -B ."; do
  expect 1 "blt refuses in-source builds" env -C "$tmp/insrc" $cmd
  # cmake writes the two as it exits; the cleaner it left removes them
  # once it has gone. Wait for that, with a generous bound.
  for _ in $(seq 600); do
    [ -e "$tmp/insrc/CMakeCache.txt" ] || [ -e "$tmp/insrc/CMakeFiles" ] || break
    sleep 0.1
  done
  after=$(cd "$tmp/insrc" && find . | sort)
  [ "$before" = "$after" ] && ok ||
    bad "'$cmd' left files behind:"$'\n'"$(diff <(echo "$before") <(echo "$after"))"
done

finish test_tools
