#!/usr/bin/env bash
# bench/cassette-load.sh: cassette_load's time on a 100,000-interaction
# cassette and a 10-interaction one (both generated here, in the shape
# bench/replay-scale.sh uses), by the ordinary whole-text path and by the
# split path that parses the interactions on several threads. Rounds are
# interleaved so that both paths see the same machine; the best and the
# median of each are printed.
#
# usage: bench/cassette-load.sh
#   (env: BLT_BUILD_DIR (default build), BIG=100000, ROUNDS=5)
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BLT_BUILD_DIR:-$root/build}
big=${BIG:-100000}
rounds=${ROUNDS:-5}

cmake --build "$build" --target bench_cassette_load >/dev/null
prog=$build/bin/bench_cassette_load
bench_setup cassette-load blt-bench-load
tmp=$bench_tmp

declare -A times
for n in 10 "$big"; do
  "$prog" gen "$n" "$tmp/c$n.json"
  printf '%7s interactions: %9s bytes\n' "$n" "$(wc -c <"$tmp/c$n.json")"
done
echo "online CPUs: $(getconf _NPROCESSORS_ONLN); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  line="  round $r:"
  for n in 10 "$big"; do
    for how in whole split; do
      got=$("$prog" load "$how" "$tmp/c$n.json")
      [ "${got#* }" = "$n" ] || { echo "cassette-load: $got" >&2; exit 1; }
      times[$n.$how]+="${got% *} "
      line+=" $n/$how ${got% *} ms"
    done
  done
  echo "$line"
done
stats() { # stats "T1 T2 ...": best and median
  tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g |
    awk '{ v[NR] = $1 } END { printf "best %8.1f ms, median %8.1f ms", v[1], v[int((NR + 1) / 2)] }'
}
for n in 10 "$big"; do
  for how in whole split; do
    printf '%7s interactions, %-5s: %s\n' "$n" "$how" "$(stats "${times[$n.$how]}")"
  done
done
echo "(split is the default from 1 MiB; the target is under 1000 ms for $big)"
