#!/usr/bin/env bash
# Every shipped cassette in cassettes/edge/ replays with exit 0 for a client
# that obeys the rules: blt-proxy replay --fail-on-unused runs a client that
# sends each recorded request in order, signed with SigV4, and must see each
# recorded status. A cassette whose requests break a client rule (or that
# cannot all be used) fails here.
set -uo pipefail
bin=${BLT_BIN_DIR:?}
src=${BLT_SOURCE_DIR:?}
. "$src/tests/support/checks.sh"

# The client: one line per interaction (target, status, body), sent in the
# recorded order against $BLT_REPLAY_URL with the credentials replay gives.
cat >"$tmp/client.sh" <<'EOF'
#!/usr/bin/env bash
set -uo pipefail
rc=0
while IFS=$'\t' read -r target want body; do
  got=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 30 \
    --aws-sigv4 "aws:amz:$AWS_REGION:timestream" \
    --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
    -H 'Content-Type: application/x-amz-json-1.0' \
    -H "X-Amz-Target: $target" --data-binary "$body" "$BLT_REPLAY_URL/")
  if [ "$got" != "$want" ]; then
    echo "client: $target $body: HTTP $got, recorded $want" >&2
    rc=1
  fi
done <"$1"
exit $rc
EOF

n=0
for cassette in "$src"/cassettes/edge/*.json; do
  name=$(basename "$cassette")
  python3 - "$cassette" >"$tmp/$name.requests" <<'PY' || { bad "$name: cannot list its requests"; continue; }
import json, sys
d = json.load(open(sys.argv[1]))
for it in d["interactions"]:
    rq = it["request"]
    target = rq["headers"].get("x-amz-target") or \
        "Timestream_20181101." + rq["operation"]
    body = json.dumps(rq.get("body", {}), separators=(",", ":"))
    print(f"{target}\t{it['response']['status']}\t{body}")
PY
  out=$("$bin/blt-proxy" replay --listen 127.0.0.1:0 --cassette "$cassette" \
          --fail-on-unused -- bash "$tmp/client.sh" "$tmp/$name.requests" 2>&1)
  rc=$?
  n=$((n + 1))
  [ $rc = 0 ] && ok || bad "$name: replay exited $rc for a client that obeys the rules:"$'\n'"$out"
done
[ $n -ge 5 ] && ok || bad "only $n edge cassettes found"

finish test_edge_cassettes
