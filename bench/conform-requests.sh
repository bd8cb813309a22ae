#!/usr/bin/env bash
# bench/conform-requests.sh: how many requests a whole blt-conform run sends,
# counted by a recording proxy (blt-proxy record) between blt-conform and
# blt-fake, and how long the run takes. One line per task count:
#   tasks=250 requests=2122 exit=0 seconds=4.5
# Extra arguments go to blt-conform (e.g. --max-requests 300).
#
# usage: bench/conform-requests.sh [TASKS...] [-- CONFORM ARGS...]
#        (default tasks: 24 250 1000)
# env:   BLT_BIN_DIR (default build/bin)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

bin=${BLT_BIN_DIR:-build/bin}
sizes=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	sizes+=("$1")
	shift
done
[ $# -gt 0 ] && shift
[ ${#sizes[@]} -eq 0 ] && sizes=(24 250 1000)

bench_setup conform-requests blt-conform-requests
bench_need jq
for n in "${sizes[@]}"; do
	bench_start fake "$bin/blt-fake" --listen 127.0.0.1:0 --generate "$n"
	fake_pid=$bench_pid
	bench_start proxy "$bin/blt-proxy" record --upstream "$bench_url" \
		--cassette "$bench_tmp/run-$n.json" --listen 127.0.0.1:0
	proxy_pid=$bench_pid
	start=$(date +%s.%N)
	rc=0
	"$bin/blt-conform" --target "$bench_url" "$@" >"$bench_tmp/out-$n" 2>&1 ||
		rc=$?
	end=$(date +%s.%N)
	kill -TERM "$proxy_pid"
	wait "$proxy_pid" || true
	kill -TERM "$fake_pid"
	wait "$fake_pid" || true
	requests=$(jq '.interactions | length' "$bench_tmp/run-$n.json")
	printf 'tasks=%s requests=%s exit=%s seconds=%.1f\n' "$n" "$requests" \
		"$rc" "$(echo "$end - $start" | bc)"
done
