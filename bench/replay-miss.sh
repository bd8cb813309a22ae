#!/usr/bin/env bash
# bench/replay-miss.sh: how long blt-proxy replay takes to answer a request
# that matches nothing (NoMatchingInteraction, with the closest recorded
# request named) when the body is 1 MiB and the cassette holds 100,000
# interactions; side by side with the same bodies against a 10-interaction
# cassette and with a request that matches. Prints the median and the
# fastest of TRIES answers each (the machine may be shared: the fastest is
# the least disturbed), as curl measures them, upload included, in ms.
#
# usage: bench/replay-miss.sh
#   (env: BLT_BIN_DIR, BIG=100000, TRIES=15)
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BLT_BIN_DIR:-$root/build/bin}
big=${BIG:-100000}
tries=${TRIES:-15}
target=$bench_target
ct=$bench_ct

bench_setup replay-miss blt-bench-miss
tmp=$bench_tmp
bench_need node curl
[ -x "$bin/blt-proxy" ] || { echo "replay-miss: build blt first ($bin)" >&2; exit 2; }

# gen N FILE: N ListBatchLoadTasks interactions, each with its own body.
gen() {
  node -e '
const n = Number(process.argv[1]);
const hdr = { "x-amz-target": "'"$target"'", "content-type": "'"$ct"'" };
const items = [];
for (let i = 1; i <= n; i++)
  items.push({ id: i, request: { method: "POST", path: "/",
      operation: "ListBatchLoadTasks", headers: hdr,
      body: { MaxResults: (i % 100) + 1, Pad: i } },
    response: { status: 200, headers: { "content-type": "'"$ct"'" },
      body: { BatchLoadTasks: [] } }, token_from: null, elapsed_ms: 1 });
process.stdout.write(JSON.stringify({ blt_cassette: 1, meta: {
  recorded_at: "2026-01-01T00:00:00.000Z", upstream: "generated",
  tool: "bench/replay-miss.sh" }, interactions: items }) + "\n");
' "$1" >"$2"
}

# Two unmatched bodies of just under 1 MiB: ~100,000 members, and one long
# string member.
node -e '
const fs = require("fs");
let s = "{\"MaxResults\":1";
for (let i = 0; s.length < 1048000; i++) s += ",\"m" + i + "\":0";
fs.writeFileSync(process.argv[1] + "/members.json", s + "}");
fs.writeFileSync(process.argv[1] + "/string.json",
  "{\"MaxResults\":1,\"Note\":\"" + "x".repeat(1048000) + "\"}");
' "$tmp"
echo '{"MaxResults":2,"Pad":1}' >"$tmp/match.json"
gen "$big" "$tmp/big.json"
gen 10 "$tmp/small.json"

# median FILE: "MEDIAN (MIN)" of the numbers in FILE (one a line).
median() {
  sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] " (" v[1] ")" }'
}

# measure URL BODYFILE: prints the answer times in ms; every answer
# must have the status the body should get (200 for match.json, else 404).
measure() {
  local url=$1 body=$2 want=404 out
  [ "$(basename "$body")" = match.json ] && want=200
  : >"$tmp/times"
  for _ in $(seq "$tries"); do
    out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' \
      -H "Content-Type: $ct" -H "X-Amz-Target: $target" \
      --data-binary "@$body" "$url")
    [ "${out%% *}" = "$want" ] ||
      { echo "replay-miss: $body: status ${out%% *}, not $want" >&2; exit 1; }
    awk -v t="${out#* }" 'BEGIN { printf "%.2f\n", t * 1000 }' >>"$tmp/times"
  done
  median "$tmp/times"
}

bench_start big "$bin/blt-proxy" replay --cassette "$tmp/big.json"
big_url=$bench_url
bench_start small "$bin/blt-proxy" replay --cassette "$tmp/small.json"
small_url=$bench_url
echo "median (fastest) of $tries answers each, in ms (curl time_total, upload included)"
printf '%-42s %16s %16s\n' "request" "$big itx" "10 itx"
for b in match members string; do
  case $b in
    match) what="matched, 24-byte body" ;;
    members) what="unmatched, 1 MiB body, ~100,000 members" ;;
    string) what="unmatched, 1 MiB body, one long string" ;;
  esac
  printf '%-42s %16s %16s\n' "$what" \
    "$(measure "$big_url" "$tmp/$b.json")" \
    "$(measure "$small_url" "$tmp/$b.json")"
done
echo "target: an unmatched 1 MiB body against $big interactions under 50 ms"
