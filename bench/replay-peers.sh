#!/usr/bin/env bash
# bench/replay-peers.sh: requests per second, with wrk on loopback, of
# blt-proxy replay against nginx answering the same bytes with `return 200`,
# talkback 4 in playback mode and mitmproxy's --server-replay, all serving
# one recorded ListBatchLoadTasks page. blt-proxy replay is measured twice:
# with signed requests, and with unsigned ones (each a CLIENT-SIGV4
# violation, which the replay counts instead of logging past the first
# few). Prints the rates and the ratios, and each server's CPU time per
# request (its processes' user + system time over a round, divided by the
# requests wrk completed; the least of the rounds), which a machine shared
# with other work disturbs less than a rate.
#
# usage: bench/replay-peers.sh
#   (env: BLT_BIN_DIR, DURATION=5 seconds, CONNECTIONS=32, ROUNDS=3)
# Needs: wrk, nginx (nginx-light), mitmdump (mitmproxy), node, curl, and
# talkback installed by `npm ci` in bench/ (done here when missing).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BLT_BIN_DIR:-$root/build/bin}
dur=${DURATION:-5}
conns=${CONNECTIONS:-32}
rounds=${ROUNDS:-3}
target=$bench_target
ct=$bench_ct
body='{"MaxResults":5}'
secret='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'

bench_setup replay-peers blt-bench-peers
bench_keep=${KEEP_TMP:-}
tmp=$bench_tmp
bench_need wrk nginx mitmdump node curl
[ -x "$bin/blt-proxy" ] && [ -x "$bin/blt-fake" ] ||
  { echo "replay-peers: build blt first ($bin)" >&2; exit 2; }
[ -d "$root/bench/node_modules/talkback" ] ||
  (cd "$root/bench" && npm ci --no-audit --no-fund --loglevel=error)

send() { # send URL: the benchmark request once, body to stdout
  curl -sf -H "Content-Type: $ct" -H "X-Amz-Target: $target" \
    -H "X-Amz-Date: 20260101T000000Z" -H "Authorization: $auth" -d "$body" "$1"
}

# 1. Record the page from blt-fake with each tool.
bench_start fake "$bin/blt-fake" --generate 50 --seed 1 --listen 127.0.0.1:0
up=$bench_url; fake_pid=$bench_pid
# A well-formed SigV4 request (fixed date), the same bytes for every server.
auth=$(curl -sv -o /dev/null --aws-sigv4 aws:amz:us-east-1:timestream \
  --user "AKIDEXAMPLE:$secret" -H "X-Amz-Date: 20260101T000000Z" \
  -H "Content-Type: $ct" -H "X-Amz-Target: $target" -d "$body" \
  "$up" 2>&1 | sed -n 's/^> Authorization: //p' | tr -d '\r' || true)
bench_post_lua "$tmp/post.lua" "$body" "$auth"
bench_post_lua "$tmp/post-unsigned.lua" "$body"
bench_start rec env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
  "$bin/blt-proxy" record --upstream "$up" --cassette "$tmp/page.json"
send "$bench_url" >"$tmp/page.body"
bench_stop "$bench_pid" INT
p=$(bench_free_port)
bench_start_port mitm-rec "$p" mitmdump --mode "reverse:$up" -p "$p" -w "$tmp/flows.mitm"
send "http://127.0.0.1:$p/" >/dev/null
bench_stop "$bench_pid" INT
tb_script='
const talkback = require(process.argv[1] + "/node_modules/talkback");
const [mode, host, port, path] = process.argv.slice(2);
talkback({ host, port: Number(port), path, silent: true, summary: false,
  record: mode === "record" ? talkback.Options.RecordMode.NEW
                            : talkback.Options.RecordMode.DISABLED,
  ignoreHeaders: ["content-length", "host", "user-agent", "accept"] }).start();'
p=$(bench_free_port)
bench_start_port tb-rec "$p" node -e "$tb_script" "$root/bench" record "$up" "$p" "$tmp/tapes"
send "http://127.0.0.1:$p/" >/dev/null
bench_stop "$bench_pid" INT
bench_stop "$fake_pid" INT

# 2. Serve it: blt-proxy replay, nginx, talkback, mitmproxy.
bench_start replay "$bin/blt-proxy" replay --cassette "$tmp/page.json"
replay_url=$bench_url; replay_pid=$bench_pid
p_nginx=$(bench_free_port)
bench_nginx nginx "$p_nginx" "$tmp/page.body" 1024
nginx_pid=$bench_pid
p_tb=$(bench_free_port)
bench_start_port talkback "$p_tb" node -e "$tb_script" "$root/bench" playback \
  http://127.0.0.1:9 "$p_tb" "$tmp/tapes"
tb_pid=$bench_pid
p_mitm=$(bench_free_port)
bench_start_port mitmproxy "$p_mitm" mitmdump -q --mode "reverse:$up" \
  -p "$p_mitm" --set connection_strategy=lazy \
  --server-replay "$tmp/flows.mitm" --server-replay-nopop
mitm_pid=$bench_pid

declare -A urls=([blt-proxy-replay]=$replay_url [nginx]=http://127.0.0.1:$p_nginx/
  [talkback]=http://127.0.0.1:$p_tb/ [mitmproxy]=http://127.0.0.1:$p_mitm/
  [replay-unsigned]=$replay_url)
declare -A scripts=([replay-unsigned]=$tmp/post-unsigned.lua)
declare -A pids=([blt-proxy-replay]=$replay_pid [replay-unsigned]=$replay_pid
  [nginx]=$nginx_pid [talkback]=$tb_pid [mitmproxy]=$mitm_pid)
order=(blt-proxy-replay replay-unsigned nginx talkback mitmproxy)
for name in blt-proxy-replay nginx talkback mitmproxy; do
  # The same page (talkback re-indents what it recorded; each tool recorded
  # its own request, so blt-fake gave each its own NextToken).
  send "${urls[$name]}" >"$tmp/$name.body" || true
  if ! node -e "const fs = require('fs'), f = (p) => JSON.stringify(
      JSON.parse(fs.readFileSync(p, 'utf8')).BatchLoadTasks);
    process.exit(f(process.argv[1]) === f(process.argv[2]) ? 0 : 1)" \
      "$tmp/$name.body" "$tmp/page.body" 2>/dev/null; then
    echo "replay-peers: $name does not answer the recorded page" >&2; exit 1
  fi
done

# cpu_ticks PID: the user + system clock ticks of PID and its children
# (nginx's worker, a wrapper's server), read from /proc.
cpu_ticks() {
  local p total=0
  for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    total=$((total + $(sed 's/^[0-9]* (.*) //' "/proc/$p/stat" 2>/dev/null |
      awk '{ print $12 + $13 }' || echo 0)))
  done
  echo "$total"
}

# 3. Measure, one after another with the same wrk settings, in ROUNDS
# interleaved rounds; each server's best round counts (the machine is shared,
# so the least disturbed sample is the truest).
declare -A rps cpu
hz=$(getconf CLK_TCK)
echo "wrk -t1 -c$conns -d${dur}s x $rounds rounds, POST $body ($(wc -c <"$tmp/page.body") byte page)"
for r in $(seq "$rounds"); do
  for name in "${order[@]}"; do
    t0=$(cpu_ticks "${pids[$name]}")
    wrk -t1 -c"$conns" -d"${dur}s" -s "${scripts[$name]:-$tmp/post.lua}" \
      "${urls[$name]}" >"$tmp/$name.wrk"
    t1=$(cpu_ticks "${pids[$name]}")
    got=$(bench_rps "$tmp/$name.wrk" "$name")
    n=$(awk '/requests in/ { print $1 }' "$tmp/$name.wrk")
    us=$(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$n" \
      'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
    echo "  round $r: $name $got req/s, $us us CPU/request"
    if [ -z "${cpu[$name]:-}" ] || bench_higher "${cpu[$name]}" "$us"; then
      cpu[$name]=$us
    fi
    if bench_higher "$got" "${rps[$name]:-0}"; then
      rps[$name]=$got
    fi
  done
done
cp "$tmp/blt-proxy-replay.body" "$tmp/replay-unsigned.body"
for name in "${order[@]}"; do
  printf '%-18s %12s req/s %8s us CPU/request  (%s-byte answers)\n' \
    "$name" "${rps[$name]}" "${cpu[$name]}" "$(wc -c <"$tmp/$name.body")"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "blt-proxy replay / nginx:     $(ratio "${rps[blt-proxy-replay]}" "${rps[nginx]}")x (target >= 0.8)"
echo "unsigned replay / nginx:      $(ratio "${rps[replay-unsigned]}" "${rps[nginx]}")x (target >= 0.8)"
echo "CPU per request, unsigned / signed replay: $(ratio "${cpu[replay-unsigned]}" "${cpu[blt-proxy-replay]}")x; replay / nginx: $(ratio "${cpu[blt-proxy-replay]}" "${cpu[nginx]}")x"
echo "blt-proxy replay / talkback:  $(ratio "${rps[blt-proxy-replay]}" "${rps[talkback]}")x"
echo "blt-proxy replay / mitmproxy: $(ratio "${rps[blt-proxy-replay]}" "${rps[mitmproxy]}")x"
