#!/usr/bin/env bash
# blt-conform --client's command line and reports, with the planted
# clients of tests/clients/bad/ (Python's standard library alone): exit 0,
# 1 and 2; --filter (by ID and as GROUP/NAME); --strict turning a should
# warning into a failure; --expect (an expected failure passes the run, a
# listed check that passes fails it) and --write-expect; JUnit XML, TAP,
# JSON and HTML reports; a failure's report with the client's requests as
# curl lines, what it printed and what was expected; a COMMAND that cannot
# run (exit 2, said once, the report files written all the same).
set -uo pipefail
bin=${BLT_BIN_DIR:?}
src=${BLT_SOURCE_DIR:?}
. "$src/tests/support/checks.sh"

py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) ||
	{ echo "SKIP: no python3"; exit 77; }
bad=$src/tests/clients/bad
conform() { "$bin/blt-conform" --client "$@"; }

# exit 0: the clean client, the pagination checks by GROUP/NAME
expect 0 '5 pass, 0 fail, 0 warn, 8 skipped' \
	conform --filter 'CLI-PAG/*' --json="$tmp/ok.json" \
	--xml="$tmp/ok.xml" --tap="$tmp/ok.tap" --html "$tmp/ok.html" \
	-- "$py" "$bad/base.py"
has '^5 8 0$' "$(jq -r '[.totals.pass, .totals.skipped, .exit_status] |
	join(" ")' "$tmp/ok.json")" "JSON totals and exit status"
has '"group":"CLI-PAG"' "$(jq -c '.checks[0]' "$tmp/ok.json")" "JSON group"
has 'tests="13" failures="0"' "$(cat "$tmp/ok.xml")" "JUnit totals"
has '<testcase classname="CLI-RETRY" name="CLI-RETRY-500"' \
	"$(cat "$tmp/ok.xml")" "JUnit testcase"
has '^1\.\.13$' "$(cat "$tmp/ok.tap")" "TAP plan"
has '^ok 10 - CLI-RETRY-RESET # SKIP not selected' "$(cat "$tmp/ok.tap")" \
	"TAP skip"
has '<tr id="row-CLI-PAG-FOLLOW" [^>]*data-outcome="pass"' \
	"$(cat "$tmp/ok.html")" "HTML row"

# exit 1: first page only, by ID; the report's evidence
expect 1 'CLI-PAG-FOLLOW +must +fail' \
	conform --filter CLI-PAG-FOLLOW --json="$tmp/fail.json" \
	-- "$py" "$bad/first_page_only.py"
report=$(jq -r '.checks[0].report' "$tmp/fail.json")
has "request:  curl -sS -i 'http://127\.0\.0\.1:[0-9]+/' .*--data-raw '\{\"MaxResults\": 2\}'" \
	"$report" "a request as a curl line"
has 'printed:  exit 0 after [0-9]+ ms; stdout: [0-9A-Z]{26}, [0-9A-Z]{26}; stderr: \(empty\)' \
	"$report" "what the client printed"
has 'expected: exit 0 and the 7 TaskIds of its 4 pages' "$report" \
	"what was expected"

# --strict: a should check that fails warns, or fails with --strict
expect 0 'CLI-DISCOVERY +should +warn' \
	conform --filter CLI-DISCOVERY -- "$py" "$bad/rediscovers.py"
expect 1 'CLI-DISCOVERY +should +fail' \
	conform --strict --filter CLI-DISCOVERY -- "$py" "$bad/rediscovers.py"

# --write-expect, then --expect: the known failure passes the run; the
# same file fails a client that passes that check
expect 1 '' conform --filter CLI-PAG-FOLLOW \
	--write-expect "$tmp/known" -- "$py" "$bad/first_page_only.py"
has '^CLI-PAG-FOLLOW' "$(cat "$tmp/known")" "--write-expect's file"
expect 0 'CLI-PAG-FOLLOW +must +expected' conform --filter CLI-PAG-FOLLOW \
	--expect "$tmp/known" -- "$py" "$bad/first_page_only.py"
expect 1 'passed, but .*known line [0-9]+ lists it as an expected failure' \
	conform --filter CLI-PAG-FOLLOW --expect "$tmp/known" \
	-- "$py" "$bad/base.py"

# exit 2: usage errors, and a command that cannot run (once, in the
# report files too)
expect 2 'selects no client check' conform --filter 'PAG/*' -- true
expect 2 'needs the client to run' conform
expect 2 "cannot run '$tmp/none'" conform --json="$tmp/none.json" \
	--xml="$tmp/none.xml" -- "$tmp/none"
has "cannot run '$tmp/none'" "$(jq -r '.aborted // empty' "$tmp/none.json")" \
	"JSON abort reason"
has 'failures="1"' "$(cat "$tmp/none.xml")" "JUnit run failure"
n=$(conform -- "$tmp/none" 2>&1 | grep -c 'cannot run')
has '^1$' "$n" "the start failure said once"

finish conform_client
