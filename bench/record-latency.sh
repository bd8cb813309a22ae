#!/usr/bin/env bash
# bench/record-latency.sh: the latency blt-proxy record adds over calling
# its upstream directly. One run, side by side: wrk against blt-fake, then
# wrk against blt-proxy record in front of the same blt-fake (recording to
# a temporary cassette, journal included, and again with --fsync). Prints the latencies (mean and median) and the ratios; the
# target is under 1.3x. UPSTREAM_LATENCY=MIN..MAX (ms) makes blt-fake
# answer as slowly as a remote service would.
#
# usage: bench/record-latency.sh  (env: BLT_BIN_DIR, DURATION=5,
#        CONNECTIONS=1, THREADS=1, UPSTREAM_LATENCY)
# Needs: wrk.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BLT_BIN_DIR:-$root/build/bin}
dur=${DURATION:-5}
conns=${CONNECTIONS:-1}
threads=${THREADS:-1}

bench_setup record-latency blt-bench-record
bench_keep=${KEEP_TMP:-}
tmp=$bench_tmp
bench_need wrk
[ -x "$bin/blt-proxy" ] && [ -x "$bin/blt-fake" ] ||
  { echo "record-latency: build blt first ($bin)" >&2; exit 2; }

bench_post_lua "$tmp/post.lua" '{"MaxResults":5}'

# to_us VALUE: wrk's "123.45us" / "1.20ms" / "1.00s" in microseconds.
to_us() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) m = 1; else if (v ~ /ms$/) m = 1000;
    else if (v ~ /s$/) m = 1000000; else m = 1
    printf "%.1f", n * m }'
}

# measure NAME URL: runs wrk and sets mean, p50 (microseconds) and rps.
measure() {
  wrk -t"$threads" -c"$conns" -d"${dur}s" --latency -s "$tmp/post.lua" \
    "$2" >"$tmp/$1.wrk"
  if grep -q "Non-2xx" "$tmp/$1.wrk"; then
    echo "record-latency: $1 answered errors:" >&2
    cat "$tmp/$1.wrk" >&2
    exit 1
  fi
  mean=$(to_us "$(awk '$1 == "Latency" { print $2; exit }' "$tmp/$1.wrk")")
  p50=$(to_us "$(awk '$1 == "50%" { print $2; exit }' "$tmp/$1.wrk")")
  rps=$(awk '$1 == "Requests/sec:" { print $2 }' "$tmp/$1.wrk")
}

# start_proxy NAME ARGS...: blt-proxy record in front of blt-fake; sets url.
start_proxy() {
  local name=$1; shift
  bench_start "$name" env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
    "$bin/blt-proxy" record --listen 127.0.0.1:0 --upstream "$fake_url" \
    --cassette "$tmp/$name.json" "$@"
  url=$bench_url
}

fake_args=(--listen 127.0.0.1:0 --generate 250 --seed 1)
[ -n "${UPSTREAM_LATENCY:-}" ] &&
  fake_args+=(--inject "latency=$UPSTREAM_LATENCY")
bench_start fake "$bin/blt-fake" "${fake_args[@]}"
fake_url=$bench_url
start_proxy sync --fsync
sync_url=$url
start_proxy nosync
nosync_url=$url

echo "wrk -t$threads -c$conns -d${dur}s, POST ListBatchLoadTasks {\"MaxResults\":5}${UPSTREAM_LATENCY:+, upstream latency $UPSTREAM_LATENCY ms}"
printf '%-36s %12s %12s %12s\n' "" "mean (us)" "p50 (us)" "req/s"
measure direct "$fake_url"
d_mean=$mean d_p50=$p50
printf '%-36s %12s %12s %12s\n' "blt-fake directly" "$mean" "$p50" "$rps"
for mode in sync nosync; do
  var=${mode}_url
  measure "$mode" "${!var}"
  label="through blt-proxy record"
  [ "$mode" = sync ] && label="$label --fsync"
  printf '%-36s %12s %12s %12s\n' "$label" "$mean" "$p50" "$rps"
  eval "${mode}_mean=$mean ${mode}_p50=$p50"
done
awk -v a="$sync_mean" -v b="$d_mean" -v c="$sync_p50" -v d="$d_p50" \
    -v e="$nosync_mean" -v f="$nosync_p50" 'BEGIN {
  printf "latency ratio record/direct: mean %.2fx, p50 %.2fx (default: journal written before answering)\n", e / b, f / d
  printf "latency ratio record/direct: mean %.2fx, p50 %.2fx (--fsync: fdatasync per interaction)\n", a / b, c / d
  print "target: under 1.3x" }'
