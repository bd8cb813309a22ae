#!/usr/bin/env bash
# The AWS SDK for JavaScript v3 against blt-fake: tests/clients/js/fake-walk.js
# pages through every task, per filter too, and checks that invalid input
# surfaces as ValidationException (400). It runs twice: against a plain
# blt-fake, and against one started with --verify-sigv4, so the SDK's own
# SigV4 signatures must verify. Needs node and the packages of
# tests/clients/js (npm ci); a missing one is a failure, not a skip.
set -euo pipefail

bin=${BLT_BIN_DIR:?BLT_BIN_DIR is not set}
src=${BLT_SOURCE_DIR:?BLT_SOURCE_DIR is not set}
js=$src/tests/clients/js

if ! command -v node >/dev/null 2>&1; then
	echo "test_js_fake: FAIL: node is not installed; this test needs" \
		"Node.js 18+ (Debian: apt-get install nodejs npm)" >&2
	exit 1
fi
if [ ! -d "$js/node_modules/@aws-sdk/client-timestream-write" ]; then
	echo "test_js_fake: FAIL: the JavaScript SDK is not installed; run" \
		"'npm ci' in $js" >&2
	exit 1
fi

tmp=$(mktemp -d /tmp/blt-js-fake.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# start NAME ARGS...: starts blt-fake on a free port; sets $url. It waits
# for the listening line (or blt-fake's end), never for a fixed time.
. "$src/tests/support/start_server.sh"
start() {
	local name=$1
	shift
	start_server "$name" "$bin/blt-fake" --listen 127.0.0.1:0 "$@"
}

start plain --generate 120 --seed 3
echo "== SDK walk against $url"
node "$js/fake-walk.js" "$url"

# The same data unsigned, for the raw reference walk.
start unsigned --generate 60 --seed 4
raw=$url
start signed --generate 60 --seed 4 \
	--verify-sigv4 "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
echo "== SDK walk against $url (--verify-sigv4)"
node "$js/fake-walk.js" "$url" "$raw"

# Each server must shut down cleanly on SIGTERM (exit status 0).
for p in "${pids[@]}"; do
	kill -TERM "$p"
	if ! wait "$p"; then
		echo "test_js_fake: FAIL: blt-fake (pid $p) did not exit" \
			"cleanly:" >&2
		cat "$tmp"/*.err >&2
		exit 1
	fi
done
pids=()
echo "test_js_fake: ok"
