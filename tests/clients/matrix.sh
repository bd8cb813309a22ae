#!/usr/bin/env bash
# One cell of the real-client matrix: CLIENT (boto3, cli or js) finds the
# endpoint by MODE (env: AWS_ENDPOINT_URL_TIMESTREAM_WRITE, so boto3, the
# AWS CLI and the JS SDK v3 all call DescribeEndpoints first and go where
# its Address says; explicit: endpoint_url= / --endpoint-url / endpoint:,
# no discovery) and talks to blt through PATH:
#   fake    blt-fake, verifying the client's own SigV4 signatures;
#   record  blt-proxy record in front of a blt-fake that verifies another
#           key pair than the client's, so only requests the proxy
#           re-signed get through; the cassette is linted afterwards;
#   replay  a walk and an invalid request recorded through blt-proxy record,
#           then replayed with `blt-proxy replay --fail-on-unused
#           --verify-sigv4 ... -- ADAPTER`, the replay's report counting
#           the requests (each SDK's discovery calls included).
# Each cell walks every page (11 tasks, pages of 5) with the client's
# adapter (tests/clients/python/list_tasks.py, cli/list-tasks.sh,
# js/list-tasks.js) and compares the TaskIds, in order, with a reference
# read by curl; then MaxResults 0 must come back from the server as
# ValidationException, the adapter printing that type on stderr. The cli
# replay cell also runs `blt-proxy replay --cassette C -- aws
# timestream-write list-batch-load-tasks --max-results 5 --output json` and
# checks that stdout is exactly the CLI's JSON.
#
# Exit status: 0 pass, 1 fail, 77 skipped (the client is not installed;
# the reason is printed), 2 usage.
set -uo pipefail

client=${1:-}
mode=${2:-}
path=${3:-}
case "$client/$mode/$path" in
boto3/env/fake | boto3/env/record | boto3/env/replay) ;;
boto3/explicit/fake | boto3/explicit/record | boto3/explicit/replay) ;;
cli/env/fake | cli/env/record | cli/env/replay) ;;
cli/explicit/fake | cli/explicit/record | cli/explicit/replay) ;;
js/env/fake | js/env/record | js/env/replay) ;;
js/explicit/fake | js/explicit/record | js/explicit/replay) ;;
*)
	echo "usage: matrix.sh boto3|cli|js env|explicit fake|record|replay" >&2
	exit 2
	;;
esac
bin=${BLT_BIN_DIR:?BLT_BIN_DIR is not set}
src=${BLT_SOURCE_DIR:?BLT_SOURCE_DIR is not set}
cell="$client.$mode.$path"

# The client's key pair, and the one blt-proxy record re-signs with (the
# two example pairs AWS documents).
CLIENT_AKID=AKIDEXAMPLE
CLIENT_SECRET=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
PROXY_AKID=AKIAIOSFODNN7EXAMPLE
PROXY_SECRET=wJalrXUtnFETEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
TASKS=11
PAGE=5
PAGES=3

skip() {
	echo "SKIP $cell: $*"
	exit 77
}

fails=0
check() { # check WHAT... STATUS
	local status=${!#}
	local what="${*:1:$#-1}"

	if [ "$status" -eq 0 ]; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		fails=$((fails + 1))
	fi
}

# ---- the client: present, and new enough for ListBatchLoadTasks ----------

# shellcheck source=tests/clients/adapter.sh
source "$src/tests/clients/adapter.sh"
find_adapter "$client"
for tool in curl jq; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done

# ---- servers --------------------------------------------------------------

tmp=$(mktemp -d "${TMPDIR:-/tmp}/blt-matrix.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# start NAME CMD...: starts CMD in the background; sets $url from its
# "listening on" line (20 s at most) and NAME_pid.
start() {
	local name=$1
	shift
	"$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pids+=($!)
	printf -v "${name}_pid" %s $!
	for _ in $(seq 200); do
		url=$(sed -n 's/^listening on //p' "$tmp/$name.out")
		[ -n "$url" ] && return 0
		kill -0 "${pids[-1]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL: $name did not start:"
	cat "$tmp/$name.err"
	exit 1
}

# stop PID NAME: SIGTERM, and the server must exit 0.
stop() {
	kill -TERM "$1"
	wait "$1"
	check "$2 exits 0 on SIGTERM" $?
}

# The client's environment: only what the test sets.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL \
	AWS_ENDPOINT_URL_TIMESTREAM_WRITE BLT_MAX_RESULTS BLT_TASK_STATUS
export AWS_ACCESS_KEY_ID=$CLIENT_AKID AWS_SECRET_ACCESS_KEY=$CLIENT_SECRET
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=$tmp/no-config AWS_SHARED_CREDENTIALS_FILE=$tmp/no-creds
export AWS_EC2_METADATA_DISABLED=true

# run_adapter ENDPOINT OUT [VAR=VALUE...]: runs the adapter against
# ENDPOINT by the cell's mode; stdout to OUT.out, stderr to OUT.err; sets rc.
run_adapter() {
	local endpoint=$1 out=$2
	shift 2
	if [ "$mode" = env ]; then
		env "$@" AWS_ENDPOINT_URL_TIMESTREAM_WRITE="$endpoint" \
			"${adapter[@]}" >"$tmp/$out.out" 2>"$tmp/$out.err"
	else
		env "$@" "${adapter[@]}" --endpoint "$endpoint" \
			>"$tmp/$out.out" 2>"$tmp/$out.err"
	fi
	rc=$?
}

# expect_walk OUT WHAT: the adapter exited 0 and printed the reference.
expect_walk() {
	[ "$rc" = 0 ] && cmp -s "$tmp/want" "$tmp/$1.out"
	check "$2: every page, the reference's $TASKS TaskIds in order" $?
	if [ "$rc" != 0 ] || ! cmp -s "$tmp/want" "$tmp/$1.out"; then
		echo "  exit $rc; stderr:"
		sed 's/^/    /' "$tmp/$1.err"
		diff "$tmp/want" "$tmp/$1.out" | sed 's/^/    /'
	fi
}

# expect_validation OUT WHAT: the adapter failed with ValidationException.
expect_validation() {
	[ "$rc" != 0 ] && grep -q '^ValidationException: ' "$tmp/$1.err"
	check "$2: MaxResults 0 is ValidationException (exit $rc)" $?
	[ "$rc" != 0 ] && grep -q '^ValidationException: ' "$tmp/$1.err" ||
		sed 's/^/    /' "$tmp/$1.err"
}

# The reference: the tasks the server holds, in its order, read by curl.
reference() {
	curl -sf --aws-sigv4 "aws:amz:us-east-1:timestream" \
		--user "$1" -H 'Content-Type: application/x-amz-json-1.0' \
		-H 'X-Amz-Target: Timestream_20181101.ListBatchLoadTasks' \
		-d '{"MaxResults":100}' "$fake_url/" |
		jq -r '.BatchLoadTasks[].TaskId' >"$tmp/want"
	[ "$(wc -l <"$tmp/want")" = "$TASKS" ]
	check "the reference holds $TASKS tasks" $?
}

# start_fake KEYPAIR: blt-fake with the data, verifying KEYPAIR.
start_fake() {
	start fake "$bin/blt-fake" --listen 127.0.0.1:0 --generate "$TASKS" \
		--seed 12 --verify-sigv4 "$1"
	fake_url=$url
	reference "$1"
}

# start_record CASSETTE: blt-proxy record in front of blt-fake, re-signing
# with the proxy's pair.
start_record() {
	start record env AWS_ACCESS_KEY_ID=$PROXY_AKID \
		AWS_SECRET_ACCESS_KEY=$PROXY_SECRET "$bin/blt-proxy" record \
		--upstream "$fake_url" --cassette "$1" --listen 127.0.0.1:0
}

# ---- the paths ------------------------------------------------------------

path_fake() {
	start_fake "$CLIENT_AKID:$CLIENT_SECRET"
	run_adapter "$fake_url" walk BLT_MAX_RESULTS=$PAGE
	expect_walk walk "blt-fake ($mode endpoint, signatures verified)"
	run_adapter "$fake_url" invalid BLT_MAX_RESULTS=0
	expect_validation invalid "blt-fake"
	stop "$fake_pid" blt-fake
}

path_record() {
	start_fake "$PROXY_AKID:$PROXY_SECRET"
	start_record "$tmp/rec.json"
	run_adapter "$url" walk BLT_MAX_RESULTS=$PAGE
	expect_walk walk "through blt-proxy record (re-signed, verified)"
	run_adapter "$url" invalid BLT_MAX_RESULTS=0
	expect_validation invalid "through blt-proxy record"
	stop "$record_pid" "blt-proxy record"
	"$bin/blt-cassette" lint "$tmp/rec.json" >"$tmp/lint.out" 2>&1
	check "the cassette lints clean" $?
	jq -e "[.interactions[].request.operation] ==
		[range($PAGES + 1) | \"ListBatchLoadTasks\"]" "$tmp/rec.json" \
		>/dev/null
	check "the cassette holds the $PAGES pages and the invalid request" \
		"(a client's DescribeEndpoints is answered, not recorded)" $?
	stop "$fake_pid" blt-fake
}

# The DescribeEndpoints calls a walk of $PAGES pages makes: botocore asks
# once per process and caches the answer, the CLI is one process per page,
# the JS SDK asks once per client; nobody asks with an explicit endpoint.
discovery_calls() {
	case "$mode/$client" in
	env/boto3 | env/js) echo 1 ;;
	env/cli) echo "$PAGES" ;;
	*) echo 0 ;;
	esac
}

# replay OUT CASSETTE [OPTIONS...] -- [VAR=VALUE...]: runs the adapter under
# blt-proxy replay -- COMMAND (an explicit endpoint from BLT_REPLAY_URL);
# sets rc to the replay's exit status.
replay() {
	local out=$1 cassette=$2
	shift 2
	local opts=()
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	local cmd=(env "$@" "${adapter[@]}")
	[ "$mode" = explicit ] &&
		cmd=(env "$@" sh -c 'exec "$@" --endpoint "$BLT_REPLAY_URL"' sh \
			"${adapter[@]}")
	"$bin/blt-proxy" replay --cassette "$cassette" \
		--report "$tmp/$out.report.json" "${opts[@]}" -- "${cmd[@]}" \
		>"$tmp/$out.out" 2>"$tmp/$out.err"
	rc=$?
}

path_replay() {
	start_fake "$PROXY_AKID:$PROXY_SECRET"
	start_record "$tmp/walk.json"
	run_adapter "$url" rec-walk BLT_MAX_RESULTS=$PAGE
	expect_walk rec-walk "recording the walk"
	stop "$record_pid" "blt-proxy record"
	start_record "$tmp/invalid.json"
	run_adapter "$url" rec-invalid BLT_MAX_RESULTS=0
	expect_validation rec-invalid "recording the invalid request"
	stop "$record_pid" "blt-proxy record"
	stop "$fake_pid" blt-fake

	replay walk "$tmp/walk.json" --fail-on-unused \
		--verify-sigv4 "$CLIENT_AKID:$CLIENT_SECRET" -- \
		BLT_MAX_RESULTS=$PAGE
	local saved=$rc
	rc=0
	expect_walk walk "under blt-proxy replay -- COMMAND"
	[ "$saved" = 0 ]
	check "replay --fail-on-unused --verify-sigv4 exits 0 (got $saved)" $?
	[ "$saved" = 0 ] || sed 's/^/    /' "$tmp/walk.err"
	local want=$((PAGES + $(discovery_calls)))
	local got
	got=$(jq .requests "$tmp/walk.report.json")
	[ "$got" = "$want" ]
	check "the replay saw $want requests ($PAGES pages, $(discovery_calls)" \
		"DescribeEndpoints); got $got" $?

	replay invalid "$tmp/invalid.json" -- BLT_MAX_RESULTS=0
	saved=$rc
	# The adapter's own stderr is inside the replay's.
	rc=1
	expect_validation invalid "under blt-proxy replay -- COMMAND"
	got=$(jq '.rules[] | select(.rule == "CLIENT-MAXRESULTS") |
		.violations' "$tmp/invalid.report.json")
	[ "$saved" = 1 ] && [ "$got" = 1 ]
	check "replay exits 1 with one CLIENT-MAXRESULTS violation" \
		"(exit $saved, $got)" $?

	[ "$client/$mode" = cli/env ] && cli_stdout_is_json
}

# `blt-proxy replay --cassette C -- aws ... --output json`: stdout is the
# CLI's JSON and nothing else (the listening line goes to stderr); it is
# the first recorded page.
cli_stdout_is_json() {
	"$bin/blt-proxy" replay --cassette "$tmp/walk.json" -- \
		aws timestream-write list-batch-load-tasks --max-results $PAGE \
		--output json >"$tmp/json.out" 2>"$tmp/json.err"
	rc=$?
	[ "$rc" = 0 ]
	check "replay -- aws ... --output json exits 0 (got $rc)" $?
	jq -e . "$tmp/json.out" >/dev/null 2>&1 &&
		[ "$(head -c 1 "$tmp/json.out")" = "{" ]
	check "its stdout is one JSON document" $?
	jq -S . "$tmp/json.out" >"$tmp/json.got" 2>/dev/null
	jq -S '.interactions[] | select(.request.body.NextToken == null) |
		.response.body' "$tmp/walk.json" >"$tmp/json.want"
	cmp -s "$tmp/json.want" "$tmp/json.got"
	check "it is the recorded first page" $?
	if ! cmp -s "$tmp/json.want" "$tmp/json.got"; then
		sed 's/^/    /' "$tmp/json.out" "$tmp/json.err"
	fi
}

"path_$path"
echo "$cell: $fails failure(s)"
[ "$fails" = 0 ]
