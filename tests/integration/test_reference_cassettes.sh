#!/usr/bin/env bash
# The committed reference cassettes are exactly what blt-cassette gen makes
# today, and they lint clean.
set -euo pipefail
cd "${BLT_SOURCE_DIR:?}"
build=$(dirname "${BLT_BIN_DIR:?}")
tools/regen-cassettes --check "$build"
"$BLT_BIN_DIR/blt-cassette" lint cassettes/reference/*.json
