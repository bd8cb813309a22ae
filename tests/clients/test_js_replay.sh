#!/usr/bin/env bash
# blt-proxy replay with a real client: the AWS SDK for JavaScript v3
# paginator walks blt-fake through blt-proxy record, blt-fake stops, and the
# same walk replayed through `blt-proxy replay -- node ...` gets the same
# tasks; its real signature verifies, another secret's does not; an injected
# ThrottlingException is retried; the JUnit report is well-formed XML.
set -euo pipefail

bin=${BLT_BIN_DIR:?BLT_BIN_DIR is not set}
src=${BLT_SOURCE_DIR:?BLT_SOURCE_DIR is not set}
js=$src/tests/clients/js
walk=$js/replay-walk.js
secret='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
fails=0
passes=0

command -v node >/dev/null || { echo "FAIL: node is not installed"; exit 1; }
[ -d "$js/node_modules/@aws-sdk/client-timestream-write" ] || {
  echo "FAIL: run 'npm ci' in tests/clients/js first"; exit 1; }

tmp=$(mktemp -d /tmp/blt-js-replay.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

check() { # check NAME CONDITION-EXIT-STATUS
  if [ "$2" -eq 0 ]; then passes=$((passes + 1)); echo "ok: $1"
  else fails=$((fails + 1)); echo "FAIL: $1"; fi
}

# start NAME CMD...: runs CMD in the background and sets $url from its
# "listening on" line, waiting for that line (or CMD's end), never for a
# fixed time; sets ${NAME}_pid.
. "$src/tests/support/start_server.sh"
start() { start_server "$@"; }

export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=$secret
export AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_PROFILE

# 1. Record a walk of blt-fake (23 tasks, pages of 5) through the recorder.
start fake "$bin/blt-fake" --generate 23 --seed 7 --listen 127.0.0.1:0
fake_url=$url
start rec "$bin/blt-proxy" record --upstream "$fake_url" \
  --cassette "$tmp/walk.json" --listen 127.0.0.1:0
node "$walk" --endpoint "$url" --max-results 5 --out "$tmp/recorded.json"
kill -TERM "$rec_pid" "$fake_pid"
wait "$rec_pid" "$fake_pid" || true
ntasks=$(node -e "console.log(require('$tmp/recorded.json').tasks.length)")
check "recorded walk holds 23 tasks (got $ntasks)" "$([ "$ntasks" = 23 ]; echo $?)"
check "blt-fake is gone" "$(! kill -0 "$fake_pid" 2>/dev/null; echo $?)"

replay() { # replay OUT-PREFIX [OPTIONS...] -- COMMAND...
  local out=$1; shift
  set +e
  "$bin/blt-proxy" replay --cassette "$tmp/walk.json" \
    --report "$tmp/$out.report.json" --junit "$tmp/$out.junit.xml" "$@" \
    >"$tmp/$out.log" 2>&1
  rc=$?
  set -e
}

# 2. The same walk replayed, signature verified, every interaction used.
replay same --verify-sigv4 "AKIDEXAMPLE:$secret" --fail-on-unused -- \
  node "$walk" --max-results 5 --expect "$tmp/recorded.json"
check "replayed walk equals the recorded one, signature verified (rc $rc)" \
  "$([ "$rc" = 0 ]; echo $?)"
[ "$rc" = 0 ] || cat "$tmp/same.log"

# 3. The walk finds a different task list: the command fails, so does replay.
node -e "const f='$tmp/recorded.json', d=require(f); d.tasks.pop();
  require('fs').writeFileSync('$tmp/short.json', JSON.stringify(d))"
replay short -- node "$walk" --max-results 5 --expect "$tmp/short.json"
check "a walk that differs fails the run (rc $rc)" "$([ "$rc" = 1 ]; echo $?)"

# 4. Another secret: the SDK signs with it, --verify-sigv4 catches it.
replay badsig --verify-sigv4 "AKIDEXAMPLE:$secret" -- \
  env AWS_SECRET_ACCESS_KEY=not-the-secret node "$walk" --max-results 5
n=$(node -e "const r=require('$tmp/badsig.report.json');
  console.log(r.rules.find(x => x.rule === 'CLIENT-SIGV4').violations)")
check "another secret's signature fails CLIENT-SIGV4 (rc $rc, $n violations)" \
  "$([ "$rc" = 1 ] && [ "$n" = 5 ]; echo $?)"

# 5. A different page size is not in the cassette: NoMatchingInteraction.
replay nomatch -- node "$walk" --max-results 4
check "an unrecorded request fails with NoMatchingInteraction (rc $rc)" \
  "$([ "$rc" = 1 ] && grep -q 'NoMatchingInteraction' "$tmp/nomatch.log" &&
     grep -q 'MaxResults: recorded 5, got 4' "$tmp/nomatch.log"; echo $?)"

# 6. Throttling at 50% with a fixed seed: the SDK retries and still gets the
# whole walk; the proxy saw more requests than the SDK made calls.
replay throttle --inject throttle=0.5,seed=9 -- \
  node "$walk" --max-results 5 --max-attempts 10 \
  --expect "$tmp/recorded.json" --out "$tmp/throttle.json"
read -r calls requests throttled < <(node -e "
  const w=require('$tmp/throttle.json'), r=require('$tmp/throttle.report.json');
  console.log(w.calls, r.requests, r.faults.throttle)")
check "SDK retried $throttled throttles: $calls calls, $requests requests (rc $rc)" \
  "$([ "$rc" = 0 ] && [ "$throttled" -gt 0 ] &&
     [ "$requests" = $((calls + throttled)) ]; echo $?)"

# 7. The JUnit reports parse as XML and hold one testcase per rule.
for x in same badsig; do
  set +e
  node -e "
    const { XMLValidator } = require('$js/node_modules/fast-xml-parser');
    const xml = require('fs').readFileSync('$tmp/$x.junit.xml', 'utf8');
    const v = XMLValidator.validate(xml);
    if (v !== true) { console.error(JSON.stringify(v)); process.exit(1); }
    const n = (xml.match(/<testcase /g) || []).length;
    const f = (xml.match(/<failure /g) || []).length;
    if (n !== 12 || f !== ('$x' === 'same' ? 0 : 1)) {
      console.error('testcases', n, 'failures', f); process.exit(1); }"
  r=$?
  set -e
  check "$x.junit.xml is well-formed with 12 testcases" "$r"
done

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
