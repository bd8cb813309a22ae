#!/usr/bin/env bash
# The Debian package: cpack -G DEB builds it from this build tree, dpkg-deb
# lists and extracts it, and the extracted blt-conform runs against the
# extracted blt-fake with the extracted cassettes, in a clean environment,
# from outside any source or build tree. Needs dpkg-dev (dpkg-shlibdeps
# declares the dependencies), which tools/setup test installs.
set -uo pipefail
build=${BLT_BUILD_DIR:?}
. "${BLT_SOURCE_DIR:?}/tests/support/checks.sh"

for t in cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$t" >/dev/null || {
    echo "FAIL: $t is missing (tools/setup test installs dpkg-dev)" >&2
    exit 1; }
done

# Build the package into $tmp: the build tree only gets the (up to date)
# preinstall step.
out=$(cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg" 2>&1) ||
  { echo "FAIL: cpack failed:"$'\n'"$out" >&2; exit 1; }
deb=$(ls "$tmp"/pkg/blt_*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || { echo "FAIL: cpack made no blt_*.deb:"$'\n'"$out" >&2; exit 1; }

# What it holds, where Debian wants it.
list=$(dpkg-deb -c "$deb" | awk '{print $6}')
for b in blt-fake blt-proxy blt-conform blt-cassette; do
  has "^\./usr/bin/$b\$" "$list" "binary $b"
  has "^\./usr/share/man/man1/$b\.1\.gz\$" "$list" "man page of $b"
done
has '^\./usr/share/blt/schemas/[a-z-]+\.schema\.json$' "$list" "schemas"
has '^\./usr/share/blt/cassettes/reference/[^/]+\.json$' "$list" "reference cassettes"
has '^\./usr/share/blt/cassettes/edge/long-error-type\.json$' "$list" "edge cassettes"
has '^\./usr/share/doc/blt/README\.md$' "$list" "README"
has '^\./usr/share/doc/blt/copyright$' "$list" "Debian copyright file"
has '^\./usr/share/doc/blt/LICENSE$' "$list" "LICENSE"
has '^\./usr/share/doc/blt/docs/conform\.md$' "$list" "docs"
grep -qvE '^\./usr/' <<<"$(grep -vE '^\./$' <<<"$list")" &&
  bad "files outside /usr: $(grep -vE '^\./(usr/.*)?$' <<<"$list")" || ok
# Dependencies declared from the shared libraries the binaries link.
deps=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libcurl4 libjansson4 libmicrohttpd12 libssl3 libcriterion3; do
  has "(^|, )$lib( |,|$)" "$deps" "Depends"
done
has '^blt$' "$(dpkg-deb -f "$deb" Package)" "Package"

# Extracted into a temporary root, run from / with a clean environment:
# nothing points at the source or build tree.
root=$tmp/root
dpkg-deb -x "$deb" "$root" || { echo "FAIL: dpkg-deb -x failed" >&2; exit 1; }
run() { (cd / && env -i PATH=/usr/bin:/bin HOME="$tmp" "$@" 2>&1); }
conform=$root/usr/bin/blt-conform
out=$(run "$conform"); rc=$?
[ $rc = 0 ] && ok || bad "extracted blt-conform exited $rc:"$'\n'"$out"
has '^blt-conform .*: embedded blt-fake' "$out" "embedded run"
has '^30 checks: 30 pass, 0 fail, 0 warn, 0 skipped$' "$out" "embedded run"
has '^  REP-STATUS +must +pass' "$out" "shipped cassettes replayed"
# Without the extracted cassettes the replay checks are skipped: the ones
# it replayed were the extracted tree's, not the build tree's or the
# source tree's.
mv "$root/usr/share/blt/cassettes/reference" "$tmp/reference.away"
out=$(run "$conform" --filter 'REP/*'); rc=$?
[ $rc = 0 ] && ok || bad "blt-conform without cassettes exited $rc:"$'\n'"$out"
has 'REP-STATUS +must +skipped.*no shipped cassettes found' "$out" "no cassettes"
mv "$tmp/reference.away" "$root/usr/share/blt/cassettes/reference"
# Without the extracted blt-fake it says where it looked: beside itself.
mv "$root/usr/bin/blt-fake" "$tmp/blt-fake.away"
out=$(run "$conform"); rc=$?
[ $rc = 2 ] && ok || bad "blt-conform without blt-fake exited $rc"
has "blt-fake is not at $root/usr/bin/blt-fake" "$out" "missing blt-fake"
mv "$tmp/blt-fake.away" "$root/usr/bin/blt-fake"

# Every binary runs and names the package's version; each man page is the
# binary's own --help text.
version=$(dpkg-deb -f "$deb" Version)
for b in blt-fake blt-proxy blt-conform blt-cassette; do
  has "^$b $version\$" "$(run "$root/usr/bin/$b" --version)" "$b --version"
  page=$(gzip -dc "$root/usr/share/man/man1/$b.1.gz")
  has "^\.TH $(tr a-z A-Z <<<"$b") 1 " "$page" "man page of $b"
  first=$(run "$root/usr/bin/$b" --help | head -n1 | sed 's/-/\\-/g')
  grep -qF -- "$first" <<<"$page" && ok ||
    bad "man page of $b lacks its --help text ('$first')"
done
has '^\.SH "BLT\\-PROXY REPLAY"' "$(gzip -dc "$root/usr/share/man/man1/blt-proxy.1.gz")" "blt-proxy replay's section"

finish test_deb_package
