#!/usr/bin/env bash
# Lists batch load tasks with the AWS CLI v1, following every page with
# --next-token (the CLI has no --max-items or --page-size for this
# operation).
#
# A client adapter (docs/guide-client-authors.md, "Adapters"): the inputs
# come from the environment, BLT_MAX_RESULTS (--max-results, sent as given,
# even out of range) and BLT_TASK_STATUS (--task-status); unset or empty
# means absent. The endpoint is the one the CLI finds itself
# (AWS_ENDPOINT_URL_TIMESTREAM_WRITE or AWS_ENDPOINT_URL, which makes it
# call DescribeEndpoints first) unless --endpoint URL gives it explicitly
# (--endpoint-url, no discovery). Credentials come from the environment;
# the region from AWS_DEFAULT_REGION, else AWS_REGION (passed as --region:
# the CLI v1 reads only AWS_DEFAULT_REGION).
#
# Prints each TaskId on a line of its own and exits 0. On an error it
# prints "TYPE: message" on stderr (TYPE is the service's error type, such
# as ValidationException, else CliError) and exits 1; 2 for a usage error.
# A NextToken seen twice in one walk is an error (RepeatedNextToken).
#
# Client-side validation is off: the CLI has no flag for it, so the adapter
# runs it with its own config file (AWS_CONFIG_FILE) holding
# "parameter_validation = false"; otherwise botocore refuses MaxResults 0
# itself and the server never sees it. Needs aws and jq.
set -uo pipefail

usage() {
	echo "usage: list-tasks.sh [--endpoint URL]" >&2
	exit 2
}

endpoint=()
case $# in
0) ;;
2) [ "$1" = --endpoint ] || usage; endpoint=(--endpoint-url "$2") ;;
*) usage ;;
esac
for tool in aws jq; do
	command -v "$tool" >/dev/null ||
		{ echo "list-tasks.sh: $tool is not installed" >&2; exit 2; }
done

args=(timestream-write list-batch-load-tasks --output json)
[ -n "${BLT_MAX_RESULTS:-}" ] && args+=(--max-results "$BLT_MAX_RESULTS")
[ -n "${BLT_TASK_STATUS:-}" ] && args+=(--task-status "$BLT_TASK_STATUS")
[ -z "${AWS_DEFAULT_REGION:-}" ] && [ -n "${AWS_REGION:-}" ] &&
	args+=(--region "$AWS_REGION")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/blt-cli-adapter.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
printf '[default]\nparameter_validation = false\n' >"$tmp/config"
export AWS_CONFIG_FILE=$tmp/config
unset AWS_PROFILE

# fail TYPE MESSAGE-FILE: the adapter's error line, then exit 1.
fail() {
	printf '%s: ' "$1" >&2
	cat "$2" >&2
	exit 1
}

token=
seen=$tmp/seen
: >"$seen"
while :; do
	page=("${args[@]}")
	[ -n "$token" ] && page+=(--next-token "$token")
	if ! aws "${endpoint[@]}" "${page[@]}" >"$tmp/page.json" \
		2>"$tmp/err"; then
		type=$(sed -n 's/^An error occurred (\([A-Za-z0-9_.]*\)).*/\1/p' \
			"$tmp/err" | head -n 1)
		sed -i '/^$/d' "$tmp/err"
		fail "${type:-CliError}" "$tmp/err"
	fi
	jq -r '.BatchLoadTasks[]?.TaskId // ""' "$tmp/page.json" ||
		{ echo "not JSON" >"$tmp/err"; fail CliError "$tmp/err"; }
	token=$(jq -r '.NextToken // ""' "$tmp/page.json")
	[ -z "$token" ] && exit 0
	if grep -qxF -- "$token" "$seen"; then
		echo "the server sent NextToken '${token:0:40}' twice" >"$tmp/err"
		fail RepeatedNextToken "$tmp/err"
	fi
	printf '%s\n' "$token" >>"$seen"
done
