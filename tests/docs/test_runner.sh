#!/usr/bin/env bash
# The test of tests/docs/run-doc-blocks: a document whose every block works
# passes, and each way a document can be wrong fails, naming the file and
# line: a broken command (the blocks after it do not run), an output that
# no longer matches its sample, a wrong exit status, a block that hangs,
# a block that is not valid shell, an unknown directive; a missing
# requirement skips its section (exit 77). Copies of real pages fail too:
# docs/guide-client-authors.md and docs/guide-fixtures.md with an option
# misspelt, docs/blt-proxy-record.md with a sample that is not what the
# proxy prints.
# Whatever a document leaves running is stopped.
set -uo pipefail

src=${BLT_SOURCE_DIR:?BLT_SOURCE_DIR is not set}
run=$src/tests/docs/run-doc-blocks
fx=$src/tests/docs/fixtures
tmp=$(mktemp -d "${TMPDIR:-/tmp}/blt-doc-runner.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export BLT_DOC_SELFTEST_DIR=$tmp
fails=0

# expect NAME STATUS FILE [RUNNER-OPTIONS...] -- PATTERN...: runs the runner
# on FILE; its exit status must be STATUS and its output must hold every
# PATTERN (grep -F).
expect() {
	local name=$1 want=$2 file=$3
	shift 3
	local opts=()
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	"$run" "${opts[@]}" "$file" >"$tmp/$name.out" 2>&1
	local rc=$? ok=true
	[ "$rc" = "$want" ] || ok=false
	for pat in "$@"; do
		grep -qF -- "$pat" "$tmp/$name.out" || {
			ok=false
			echo "  missing: $pat"
		}
	done
	if $ok; then
		echo "ok: $name (exit $rc)"
	else
		echo "FAIL: $name: exit $rc, want $want; the runner said:"
		sed 's/^/    /' "$tmp/$name.out"
		fails=$((fails + 1))
	fi
}

# gone NAME PIDFILE: the process whose pid the document wrote has ended.
gone() {
	local pid
	pid=$(cat "$2" 2>/dev/null)
	if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
		echo "ok: $1"
	else
		echo "FAIL: $1 (pid '${pid}')"
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
		fails=$((fails + 1))
	fi
}

expect good 0 "$fx/good.md" -- \
	"ok   good.md:19: output of line 12 as shown" \
	"ok   good.md:66: run (exit 2)" \
	"ok   good.md:80: output of line 74 as shown" \
	"skip good.md:85: shows what a reader fills in" \
	"good.md: 12 passed, 0 failed, 1 skipped by the document"
gone "a server the document left running is stopped" "$tmp/left-running.pid"

expect broken-command 1 "$fx/broken-command.md" -- \
	"FAIL broken-command.md:7: run: a command failed (exit status 2)" \
	"blt-fake: --seed needs a value" \
	"1 passed, 1 failed" "1 not run after a failure"
expect wrong-output 1 "$fx/wrong-output.md" -- \
	"FAIL wrong-output.md:8: the output of the block at line 3 differs" \
	"    -three" "    +two"
expect wrong-exit 1 "$fx/wrong-exit.md" -- \
	"FAIL wrong-exit.md:4: exited 0, the document says 1"
expect missing-requirement 77 "$fx/missing-requirement.md" -- \
	"skip missing-requirement.md:11: run: requires 'command -v" \
	"ok   missing-requirement.md:17: run" \
	"2 passed, 0 failed, 0 skipped by the document, 1 skipped for a missing"
expect hangs 1 "$fx/hangs.md" --timeout 2 -- \
	"FAIL hangs.md:3: run: still running after 2 s (--timeout)"
gone "a hanging command is stopped" "$tmp/sleep.pid"
expect bad-syntax 1 "$fx/bad-syntax.md" -- \
	"FAIL bad-syntax.md:3: run: not valid shell:"
expect bad-directive 2 "$fx/bad-directive.md" -- \
	"bad-directive.md:3: unknown directive sometimes"

# The real guide with its first blt-fake option misspelt.
guide=$src/docs/guide-client-authors.md
line=$(grep -n -m 1 'build/bin/blt-fake --listen' "$guide" | cut -d: -f1)
sed "${line}s/blt-fake --listen/blt-fake --lissten/" "$guide" \
	>"$tmp/guide-broken.md"
expect guide-broken 1 "$tmp/guide-broken.md" --timeout 120 -- \
	"blt-fake: unknown option '--lissten'" "not run after a failure"
grep -q "^FAIL guide-broken.md:[0-9]*: run: a command failed" \
	"$tmp/guide-broken.out" && echo "ok: the guide's failure names a line" ||
	{ echo "FAIL: no line named"; fails=$((fails + 1)); }

# The record page with its sample set back to the error type it once
# named: the output the proxy really sends no longer matches it.
rec=$src/docs/blt-proxy-record.md
grep -q '^{"__type":"blt#UpstreamError"' "$rec" ||
	{ echo "FAIL: blt-proxy-record.md has no UpstreamError sample"; fails=$((fails + 1)); }
sed 's/^{"__type":"blt#UpstreamError"/{"__type":"com.amazonaws.timestreamwrite#UpstreamError"/' \
	"$rec" >"$tmp/record-sample.md"
expect record-sample 1 "$tmp/record-sample.md" --timeout 120 -- \
	"the output of the block at line" "differs from the sample" \
	'    -{"__type":"com.amazonaws.timestreamwrite#UpstreamError"' \
	'    +{"__type":"blt#UpstreamError"'

# The fixtures guide with gen's option misspelt: the command fails, named.
sed 's/blt-cassette gen --tasks 40/blt-cassette gen --task 40/' \
	"$src/docs/guide-fixtures.md" >"$tmp/fixtures-broken.md"
expect fixtures-broken 1 "$tmp/fixtures-broken.md" --timeout 120 -- \
	"FAIL fixtures-broken.md:7: run: a command failed (exit status 2)" \
	"blt-cassette gen: unknown option '--task'" "not run after a failure"

echo "$fails failure(s)"
[ "$fails" = 0 ]
