#!/usr/bin/env bash
# bench/replay-scale.sh: blt-proxy replay's load time and wrk rate with a
# 100,000-interaction cassette against a 10-interaction one (both generated
# here: one walk of one-task pages linked by NextToken, not committed).
# wrk asks for the middle page of the walk, with the token of the page
# before it (issued once beforehand), so every request is a real match.
#
# usage: bench/replay-scale.sh
#   (env: BLT_BIN_DIR, BIG=100000, DURATION=5 seconds, CONNECTIONS=32,
#    ROUNDS=3)
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BLT_BIN_DIR:-$root/build/bin}
big=${BIG:-100000}
dur=${DURATION:-5}
conns=${CONNECTIONS:-32}
rounds=${ROUNDS:-3}
target=$bench_target
ct=$bench_ct
# A well-formed SigV4 Authorization (its form is checked, not its signature).
auth='AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/timestream/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000'

bench_setup replay-scale blt-bench-scale
tmp=$bench_tmp
bench_need wrk node curl
[ -x "$bin/blt-proxy" ] || { echo "replay-scale: build blt first ($bin)" >&2; exit 2; }

# gen N FILE: a walk of N one-task pages; page i answers tok-(i-1).
gen() {
  node -e '
const n = Number(process.argv[1]);
const hdr = { "x-amz-target": "'"$target"'", "content-type": "'"$ct"'" };
const items = [];
for (let i = 1; i <= n; i++) {
  const body = { MaxResults: 1 };
  if (i > 1) body.NextToken = "tok-" + (i - 1);
  const page = { BatchLoadTasks: [{ TaskId: "T" + String(i).padStart(10, "0"),
    TaskStatus: "SUCCEEDED", DatabaseName: "db", TableName: "tbl",
    CreationTime: 1735689600 + i, LastUpdatedTime: 1735689700 + i }] };
  if (i < n) page.NextToken = "tok-" + i;
  items.push({ id: i, request: { method: "POST", path: "/",
      operation: "ListBatchLoadTasks", headers: hdr, body },
    response: { status: 200, headers: { "content-type": "'"$ct"'",
      "x-amzn-requestid": "req-" + i }, body: page },
    token_from: i > 1 ? i - 1 : null, elapsed_ms: 1 });
}
process.stdout.write(JSON.stringify({ blt_cassette: 1, meta: {
  recorded_at: "2026-01-01T00:00:00.000Z", upstream: "generated",
  tool: "bench/replay-scale.sh" }, interactions: items }, null, 2) + "\n");
' "$1" >"$2"
}

send() { # send URL TOKEN
  curl -sf -o /dev/null -H "Content-Type: $ct" -H "X-Amz-Target: $target" \
    -H "X-Amz-Date: 20260101T000000Z" -H "Authorization: $auth" \
    -d "{\"MaxResults\":1,\"NextToken\":\"$2\"}" "$1"
}

declare -A url load split rps
for n in 10 "$big"; do
  gen "$n" "$tmp/c$n.json"
  t0=$(date +%s%N)
  bench_tries=600 bench_step=0.01 \
    bench_start "r$n" "$bin/blt-proxy" replay --cassette "$tmp/c$n.json"
  u=$bench_url
  t1=$(date +%s%N)
  url[$n]=$u
  load[$n]=$(sed -n 's/.* in \([0-9.]*\) ms .*/\1/p' "$tmp/r$n.err")
  split[$n]=$(sed -n 's/.*(\(reading .*\))$/\1/p' "$tmp/r$n.err")
  mid=$((n / 2))
  send "$u" "tok-$((mid - 2))"   # issues tok-(mid-1)
  send "$u" "tok-$((mid - 1))" || { echo "replay-scale: no match" >&2; exit 1; }
  bench_post_lua "$tmp/p$n.lua" "{\"MaxResults\":1,\"NextToken\":\"tok-$((mid - 1))\"}" "$auth"
  printf '%7s interactions: %9s bytes, loaded in %s ms (%s; start to listening: %s ms)\n' \
    "$n" "$(wc -c <"$tmp/c$n.json")" "${load[$n]}" "${split[$n]}" "$(( (t1 - t0) / 1000000 ))"
done

echo "wrk -t1 -c$conns -d${dur}s x $rounds rounds on the middle page"
for r in $(seq "$rounds"); do
  for n in 10 "$big"; do
    wrk -t1 -c"$conns" -d"${dur}s" -s "$tmp/p$n.lua" "${url[$n]}" >"$tmp/w$n"
    got=$(bench_rps "$tmp/w$n")
    echo "  round $r: $n interactions: $got req/s"
    if bench_higher "$got" "${rps[$n]:-0}"; then
      rps[$n]=$got
    fi
  done
done
printf '%7s interactions: %12s req/s\n' 10 "${rps[10]}" "$big" "${rps[$big]}"
echo "rate $big / 10: $(awk -v a="${rps[$big]}" -v b="${rps[10]}" 'BEGIN { printf "%.2f", a / b }')x (target >= 0.9)"
echo "load of $big interactions: ${load[$big]} ms (target < 1000)"
