#!/usr/bin/env bash
# blt-conform --client with a real SDK: CLIENT (boto3, cli or js) runs its
# adapter (tests/clients/python/list_tasks.py, cli/list-tasks.sh,
# js/list-tasks.js) under every client scenario. Every must check passes,
# but for the findings about the SDK that docs/client-conformance.md
# documents with their evidence, which tests/clients/expect/CLIENT.expect
# lists for --expect: botocore (boto3 and the AWS CLI) reads an error type
# from __type alone, so CLI-ERR-LONGTYPE must miss exactly the six header
# and "code" forms; the AWS CLI v1 runs one process per page, so its
# adapter calls DescribeEndpoints on every page (CLI-DISCOVERY, should,
# warns). Any other outcome, or a finding that goes away, fails the test.
# The report's JSON is checked check by check, and the run's time is
# printed (never judged).
#
# Exit status: 0 pass, 1 fail, 77 skipped (the client is not installed;
# the reason is printed), 2 usage.
set -uo pipefail

client=${1:-}
case "$client" in
boto3 | cli | js) ;;
*)
	echo "usage: conform.sh boto3|cli|js" >&2
	exit 2
	;;
esac
bin=${BLT_BIN_DIR:?BLT_BIN_DIR is not set}
src=${BLT_SOURCE_DIR:?BLT_SOURCE_DIR is not set}

skip() {
	echo "SKIP conform.$client: $*"
	exit 77
}

# shellcheck source=tests/clients/adapter.sh
source "$src/tests/clients/adapter.sh"
find_adapter "$client"
command -v jq >/dev/null 2>&1 || skip "jq is not installed"
# shellcheck source=tests/support/checks.sh
source "$src/tests/support/checks.sh"

# The outcome CLIENT's run must have for CHECK.
outcome_of() {
	case "$client/$1" in
	boto3/CLI-ERR-LONGTYPE | cli/CLI-ERR-LONGTYPE) echo expected ;;
	cli/CLI-DISCOVERY) echo warn ;;
	*) echo pass ;;
	esac
}

args=(--client --timeout 180000 --json="$tmp/report.json")
[ -f "$src/tests/clients/expect/$client.expect" ] &&
	args+=(--expect "$src/tests/clients/expect/$client.expect")
start=$(date +%s.%N)
"$bin/blt-conform" "${args[@]}" -- "${adapter[@]}" >"$tmp/out" 2>&1
rc=$?
end=$(date +%s.%N)
cat "$tmp/out"
if [ "$rc" = 0 ]; then ok; else bad "blt-conform exited $rc, not 0"; fi
[ -s "$tmp/report.json" ] || { bad "no JSON report"; finish "conform.$client"; exit; }

n=$(jq '.checks | length' "$tmp/report.json")
has '^13$' "$n" "the number of client checks"
for id in $(jq -r '.checks[].id' "$tmp/report.json"); do
	got=$(jq -r --arg id "$id" \
		'.checks[] | select(.id == $id) | .outcome' "$tmp/report.json")
	want=$(outcome_of "$id")
	if [ "$got" = "$want" ]; then
		ok
	else
		bad "$id: $got, not $want"
	fi
done

# The botocore finding is exactly the forms outside the body's __type.
if [ "$(outcome_of CLI-ERR-LONGTYPE)" = expected ]; then
	missed=$(jq -r '.checks[] | select(.id == "CLI-ERR-LONGTYPE") |
		.report' "$tmp/report.json" | sed -n 's/^  cases not read: //p')
	want="AwsJson10FooErrorUsingXAmznErrorType"
	want+=", AwsJson10FooErrorUsingXAmznErrorTypeWithUri"
	want+=", AwsJson10FooErrorUsingXAmznErrorTypeWithUriAndNamespace"
	want+=", AwsJson10FooErrorUsingCode"
	want+=", AwsJson10FooErrorUsingCodeAndNamespace"
	want+=", AwsJson10FooErrorUsingCodeUriAndNamespace"
	if [ "$missed" = "$want" ]; then
		ok
	else
		bad "CLI-ERR-LONGTYPE: cases not read '$missed', not '$want'"
	fi
fi
# The AWS CLI's per-page processes: one DescribeEndpoints a page.
if [ "$(outcome_of CLI-DISCOVERY)" = warn ]; then
	has 'DescribeEndpoints was called 3 times in one run' \
		"$(jq -r '.checks[] | select(.id == "CLI-DISCOVERY") | .report' \
			"$tmp/report.json")" "CLI-DISCOVERY's deviation"
fi

awk -v a="$start" -v b="$end" -v c="$client" \
	'BEGIN { printf "conform.%s: the client run took %.1f s\n", c, b - a }'
finish "conform.$client"
