#!/usr/bin/env bash
# tests/valgrind/run.sh: an integration run under valgrind memcheck. Builds
# build-vg/ (Debug, no sanitizers), then serves a batch of real requests,
# good and bad, from blt-fake, blt-proxy replay and blt-proxy record, each
# under valgrind, stops each with SIGTERM, and runs blt-cassette's
# subcommands on what was recorded. Fails on any memcheck error, any
# definite or indirect leak, a server that does not start or stop, or a
# request that gets no answer. Exit status: 0 clean, 1 failures, 2 setup.
set -uo pipefail
cd "$(dirname "$0")/../.."
src=$PWD

for tool in valgrind curl jq; do
  command -v "$tool" >/dev/null ||
    { echo "valgrind run: $tool is not installed" >&2; exit 2; }
done

echo "== build (build-vg/, Debug)"
mkdir -p build-vg
if ! { cmake -S . -B build-vg -DCMAKE_BUILD_TYPE=Debug -DBUILD_TESTING=OFF &&
       cmake --build build-vg -j2 --target blt-fake blt-proxy blt-cassette; } \
     >build-vg/build.log 2>&1; then
  tail -n 40 build-vg/build.log >&2
  echo "valgrind run: the build failed (build-vg/build.log)" >&2
  exit 2
fi
bin=$src/build-vg/bin

scratch=$(mktemp -d "${TMPDIR:-/tmp}/blt-vg.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$scratch"
}
trap cleanup EXIT

VG=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
    --error-exitcode=99 --track-origins=yes --num-callers=30)
AKID=AKIDEXAMPLE
SECRET=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
CT='Content-Type: application/x-amz-json-1.0'
LIST='X-Amz-Target: Timestream_20181101.ListBatchLoadTasks'
failures=0
requests=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# start NAME [valgrind] PROGRAM ARGS...: starts a server, waits for its
# "listening on" line, and sets pid_NAME and url_NAME.
start() {
  local name=$1 pid url i
  shift
  local cmd=("$@")
  if [ "$1" = valgrind ]; then
    cmd=("${VG[@]}" --log-file="$scratch/$name.vg" "${@:2}")
  fi
  "${cmd[@]}" >"$scratch/$name.out" 2>"$scratch/$name.err" &
  pid=$!
  pids+=("$pid")
  for i in $(seq 1 600); do
    url=$(grep -o 'listening on http://[0-9.:]*' "$scratch/$name.out" 2>/dev/null |
          head -n1 | sed 's/^listening on //')
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    cat "$scratch/$name.err" "$scratch/$name.vg" 2>/dev/null | tail -n 40 >&2
    echo "valgrind run: $name did not start" >&2
    exit 1
  fi
  printf -v "pid_$name" %s "$pid"
  printf -v "url_$name" %s "$url"
  echo "$name: $url (pid $pid)"
}

# stop NAME EXPECTED_STATUS: SIGTERM, wait (60 s at most), then judges the
# exit status and the memcheck log.
stop() {
  local name=$1 want=$2 pidvar="pid_$1" pid rc i
  pid=${!pidvar}
  kill -TERM "$pid"
  for i in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
    fail "$name did not stop within 60 s of SIGTERM"
  fi
  wait "$pid"
  rc=$?
  judge "$name" "$rc" "$want"
}

# judge NAME RC EXPECTED_STATUS: memcheck's verdict from its log and status.
judge() {
  local name=$1 rc=$2 want=$3 log="$scratch/$1.vg"
  grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable|in use at exit' \
    "$log" | sed "s/^==[0-9]*== /  $name: /"
  if [ "$rc" = 99 ] || ! grep -q 'ERROR SUMMARY: 0 errors' "$log"; then
    sed -n '/^==[0-9]*== [A-Z].*\(Invalid\|uninitialised\|Mismatched\|definitely\|indirectly\|overlap\|Syscall\)/,/^==[0-9]*== $/p' \
      "$log" | head -n 120 >&2
    fail "$name: memcheck found errors or leaks (status $rc; log follows above)"
  elif [ "$rc" != "$want" ]; then
    tail -n 20 "$scratch/$name.err" >&2
    fail "$name exited with status $rc, expected $want"
  fi
}

# req EXPECT LABEL CURL_ARGS...: one request; EXPECT is a status, 4xx, or
# any (an HTTP answer of any status). The body is left in $scratch/body.
req() {
  local want=$1 label=$2 code
  shift 2
  requests=$((requests + 1))
  code=$(curl -s -o "$scratch/body" -w '%{http_code}' --max-time 120 "$@")
  case "$want" in
    4xx) [[ $code =~ ^4[0-9][0-9]$ ]] ;;
    any) [ "$code" != 000 ] ;;
    *) [ "$code" = "$want" ] ;;
  esac || fail "$label: status $code, expected $want ($(head -c 300 "$scratch/body"))"
}

# list EXPECT LABEL URL BODY [CURL_ARGS...]: a ListBatchLoadTasks request.
list() {
  local want=$1 label=$2 url=$3 body=$4
  shift 4
  req "$want" "$label" -H "$CT" -H "$LIST" --data-binary "$body" "$@" "$url/"
}

next_token() {
  jq -r '.NextToken // empty' "$scratch/body" 2>/dev/null
}

# walk LABEL URL BODY_WITHOUT_BRACE: follows NextToken to the end (50 pages
# at most). BODY_WITHOUT_BRACE is e.g. '{"MaxResults":7'.
walk() {
  local label=$1 url=$2 start=$3 token="" page
  for page in $(seq 1 50); do
    if [ -z "$token" ]; then
      list 200 "$label page $page" "$url" "$start}"
    else
      list 200 "$label page $page" "$url" "$start,\"NextToken\":\"$token\"}"
    fi
    token=$(next_token)
    [ -n "$token" ] || return 0
  done
  fail "$label: the walk did not end within 50 pages"
}

# The requests every server gets that are client mistakes. ENVELOPE is
# what a wrong method, path or content type gets: 4xx from blt-fake and
# record's upstream, an answer plus a reported violation from replay.
bad_requests() {
  local u=$1 envelope=${2:-4xx} deep
  list 4xx "MaxResults 0" "$u" '{"MaxResults":0}'
  list 4xx "MaxResults 101" "$u" '{"MaxResults":101}'
  list 4xx "MaxResults 2^31" "$u" '{"MaxResults":2147483648}'
  list 4xx "MaxResults 1.5" "$u" '{"MaxResults":1.5}'
  list 4xx "MaxResults string" "$u" '{"MaxResults":"10"}'
  list 4xx "MaxResults object" "$u" '{"MaxResults":{}}'
  list 4xx "TaskStatus RUNNING" "$u" '{"TaskStatus":"RUNNING"}'
  list 4xx "TaskStatus lower case" "$u" '{"TaskStatus":"created"}'
  list 4xx "TaskStatus array" "$u" '{"TaskStatus":[]}'
  list 4xx "NextToken garbage" "$u" '{"NextToken":"garbage"}'
  list 4xx "NextToken number" "$u" '{"NextToken":7}'
  list 4xx "malformed JSON" "$u" '{"MaxResults":'
  list 4xx "not an object" "$u" '[1,2]'
  list 4xx "duplicate keys" "$u" '{"MaxResults":1,"MaxResults":2}'
  list 4xx "invalid UTF-8" "$u" $'{"TaskStatus":"\xff\xfe"}'
  deep=$(printf '[%.0s' $(seq 1 5000))
  list 4xx "deep nesting" "$u" "$deep"
  req 4xx "unknown target" -H "$CT" -H 'X-Amz-Target: Timestream_20181101.ListTables' -d '{}' "$u/"
  req 4xx "no target" -H "$CT" -d '{}' "$u/"
  req "$envelope" "wrong content type" -H 'Content-Type: application/json' -H "$LIST" -d '{}' "$u/"
  req any "content type not UTF-8" -H $'Content-Type: \xff' -H "$LIST" -d '{}' "$u/"
  req "$envelope" "GET" -H "$CT" -H "$LIST" "$u/"
  req "$envelope" "other path" -H "$CT" -H "$LIST" -d '{}' "$u/other"
  head -c 1200000 /dev/zero | tr '\0' ' ' >"$scratch/big"
  req 413 "body over 1 MiB" -H "$CT" -H "$LIST" --data-binary @"$scratch/big" "$u/"
  req any "chunked body" -H "$CT" -H "$LIST" -H 'Transfer-Encoding: chunked' -d '{"MaxResults":3}' "$u/"
  req any "HTTP/1.0" --http1.0 -H "$CT" -H "$LIST" -d '{"MaxResults":3}' "$u/"
}

signed() {
  echo --aws-sigv4 "aws:amz:us-east-1:timestream" --user "$AKID:$SECRET"
}

echo "== blt-fake under valgrind"
start fake valgrind "$bin/blt-fake" --listen 127.0.0.1:0 --generate 60 \
  --seed 3 --threads 2 --token-key valgrind-run
u=$url_fake
walk "walk of 7" "$u" '{"MaxResults":7'
walk "walk of 100" "$u" '{"MaxResults":100'
for s in CREATED IN_PROGRESS FAILED SUCCEEDED PROGRESS_STOPPED PENDING_RESUME; do
  walk "walk of $s" "$u" "{\"MaxResults\":3,\"TaskStatus\":\"$s\""
done
list 200 "empty body" "$u" ''
req 200 "charset parameter" -H 'Content-Type: application/x-amz-json-1.0; charset=utf-8' \
  -H "$LIST" --data-binary '{}' "$u/"
list 4xx "two Content-Type headers" "$u" '{}' -H 'Content-Type: application/x-amz-json-1.0; charset=utf-8'
list 200 "first page of a filtered walk" "$u" '{"MaxResults":1,"TaskStatus":"CREATED"}'
token=$(next_token)
list 4xx "token with another filter" "$u" "{\"MaxResults\":1,\"TaskStatus\":\"FAILED\",\"NextToken\":\"$token\"}"
list 4xx "truncated token" "$u" "{\"MaxResults\":1,\"TaskStatus\":\"CREATED\",\"NextToken\":\"${token%?}\"}"
req 200 "DescribeEndpoints" -H "$CT" -H 'X-Amz-Target: Timestream_20181101.DescribeEndpoints' -d '{}' "$u/"
bad_requests "$u"
stop fake 0

echo "== blt-fake under valgrind: SigV4, faults, smithy profile"
start fakesig valgrind "$bin/blt-fake" --listen 127.0.0.1:0 --generate 20 \
  --seed 4 --verify-sigv4 "$AKID:$SECRET" --profile smithy \
  --inject throttle=0.2,internal=0.1,latency=0..5,seed=9
u=$url_fakesig
for i in 1 2 3 4 5 6 7 8; do
  list any "signed request $i" "$u" "{\"MaxResults\":$i}" $(signed)
done
list 4xx "unsigned" "$u" '{}'
list 4xx "wrong secret" "$u" '{}' --aws-sigv4 "aws:amz:us-east-1:timestream" --user "$AKID:wrong"
list 4xx "malformed Authorization" "$u" '{}' -H 'Authorization: AWS4-HMAC-SHA256 Credential=x'
list 4xx "Authorization not UTF-8" "$u" '{}' -H $'Authorization: AWS4-HMAC-SHA256 Credential=\xff/20150830/us-east-1/timestream/aws4_request, SignedHeaders=host, Signature=00'
stop fakesig 0

echo "== blt-proxy replay under valgrind"
edge=$src/cassettes/edge
start replay valgrind "$bin/blt-proxy" replay --listen 127.0.0.1:0 --threads 2 \
  --cassette "$edge/empty-page-with-token.json" \
  --cassette "$edge/fractional-timestamps.json" \
  --cassette "$edge/long-error-type.json" \
  --cassette "$edge/partial-task.json" \
  --report "$scratch/replay-report.json" --junit "$scratch/replay-junit.xml"
u=$url_replay
walk "replayed walk" "$u" '{"MaxResults":2'
walk "replayed walk, signed" "$u" '{"MaxResults":2' $(signed)
list 200 "fractional timestamps" "$u" '{}' $(signed)
list 200 "partial task" "$u" '{"TaskStatus":"FAILED"}' $(signed)
list 400 "recorded long error type in the header" "$u" '{"MaxResults":10}' $(signed)
list 400 "recorded long error type in the body" "$u" '{"TaskStatus":"PENDING_RESUME"}' $(signed)
list 4xx "unmatched request" "$u" '{"MaxResults":5}' $(signed)
list 4xx "token this replay never issued" "$u" '{"MaxResults":2,"NextToken":"TOKEN-PAGE-9"}' $(signed)
req any "DescribeEndpoints" -H "$CT" -H 'X-Amz-Target: Timestream_20181101.DescribeEndpoints' -d '{}' "$u/"
bad_requests "$u" any
# The requests above break client rules on purpose: replay exits 1.
stop replay 1
[ -s "$scratch/replay-report.json" ] || fail "replay wrote no --report"
jq -e '.violations | length > 0' "$scratch/replay-report.json" >/dev/null ||
  fail "replay's report lists no violation"
[ -s "$scratch/replay-junit.xml" ] || fail "replay wrote no --junit"

echo "== blt-proxy record under valgrind (upstream: blt-fake without valgrind)"
start upstream "$bin/blt-fake" --listen 127.0.0.1:0 --generate 25 --seed 5 \
  --verify-sigv4 "$AKID:$SECRET"
cassette=$scratch/recorded.json
AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET AWS_REGION=us-east-1 \
  start record valgrind "$bin/blt-proxy" record --listen 127.0.0.1:0 \
  --upstream "$url_upstream" --cassette "$cassette" --threads 2 \
  --redact json:/Extra
u=$url_record
walk "recorded walk" "$u" '{"MaxResults":4' $(signed)
walk "recorded filtered walk" "$u" '{"MaxResults":2,"TaskStatus":"SUCCEEDED"' $(signed)
list 200 "recorded request with a redacted member" "$u" '{"MaxResults":1,"Extra":"secret"}' $(signed)
req 200 "DescribeEndpoints through record" -H "$CT" -H 'X-Amz-Target: Timestream_20181101.DescribeEndpoints' -d '{}' "$u/"
list 4xx "recorded MaxResults 0" "$u" '{"MaxResults":0}' $(signed)
list 4xx "recorded malformed JSON" "$u" '{"MaxResults":' $(signed)
list 4xx "recorded invalid UTF-8" "$u" $'{"TaskStatus":"\xff"}' $(signed)
req 413 "body over 1 MiB through record" -H "$CT" -H "$LIST" --data-binary @"$scratch/big" "$u/"
# The upstream goes away: the client gets an error, nothing is recorded.
kill -TERM "$pid_upstream"
wait "$pid_upstream"
list any "upstream gone" "$u" '{"MaxResults":3}' $(signed)
stop record 0
[ -s "$cassette" ] || fail "record wrote no cassette"

echo "== blt-cassette under valgrind"
# cassette NAME EXPECTED_STATUS ARGS...: one subcommand under valgrind.
cassette_run() {
  local name=$1 want=$2 rc
  shift 2
  "${VG[@]}" --log-file="$scratch/$name.vg" "$bin/blt-cassette" "$@" \
    >"$scratch/$name.out" 2>"$scratch/$name.err"
  rc=$?
  judge "$name" "$rc" "$want"
}
cassette_run lint 0 lint "$cassette"
cassette_run stats 0 stats "$cassette"
cassette_run diff 0 diff "$cassette" "$cassette"
cp "$cassette" "$scratch/redacted.json"
cassette_run redact 0 redact "$scratch/redacted.json" --rule json:/MaxResults
cassette_run har 0 export-har "$cassette" -o "$scratch/recorded.har"
cassette_run import 0 import-har "$scratch/recorded.har" -o "$scratch/imported.json"
cassette_run lintbad 1 lint "$edge/../README.md"
n=$(jq '.interactions | length' "$cassette" 2>/dev/null || echo 0)
echo "recorded $n interactions"
[ "$n" -gt 10 ] || fail "the recorded cassette holds $n interactions"

echo "== $requests requests; $failures failures"
[ "$failures" -eq 0 ] || exit 1
echo "valgrind run: clean"
