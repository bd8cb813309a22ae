#!/usr/bin/env bash
# bench/replay-peers.sh: requests per second, with wrk on loopback, of
# blt-proxy replay against nginx answering the same bytes with `return 200`,
# talkback 4 in playback mode and mitmproxy's --server-replay, all serving
# one recorded ListBatchLoadTasks page. Prints the rates and the ratios.
#
# usage: bench/replay-peers.sh
#   (env: BLT_BIN_DIR, DURATION=5 seconds, CONNECTIONS=32, ROUNDS=3)
# Needs: wrk, nginx (nginx-light), mitmdump (mitmproxy), node, curl, and
# talkback installed by `npm ci` in bench/ (done here when missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BLT_BIN_DIR:-$root/build/bin}
dur=${DURATION:-5}
conns=${CONNECTIONS:-32}
rounds=${ROUNDS:-3}
target=Timestream_20181101.ListBatchLoadTasks
ct=application/x-amz-json-1.0
body='{"MaxResults":5}'
secret='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'

for t in wrk nginx mitmdump node curl; do
  command -v "$t" >/dev/null || { echo "replay-peers: $t is missing" >&2; exit 2; }
done
[ -x "$bin/blt-proxy" ] && [ -x "$bin/blt-fake" ] ||
  { echo "replay-peers: build blt first ($bin)" >&2; exit 2; }
[ -d "$root/bench/node_modules/talkback" ] ||
  (cd "$root/bench" && npm ci --no-audit --no-fund --loglevel=error)

tmp=$(mktemp -d /tmp/blt-bench-peers.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',
    ()=>{console.log(s.address().port);s.close()})"
}

# start_blt NAME CMD...: background, sets url from "listening on".
start_blt() {
  local name=$1; shift
  : >"$tmp/$name.out"
  "$@" >>"$tmp/$name.out" 2>"$tmp/$name.err" &
  pids+=($!); last_pid=$!
  for _ in $(seq 100); do
    url=$(sed -n 's/^listening on //p' "$tmp/$name.out")
    [ -n "$url" ] && return 0
    sleep 0.1
  done
  echo "replay-peers: $name did not start" >&2; cat "$tmp/$name.err" >&2; exit 1
}

# start_other NAME PORT CMD...: background, waits until PORT answers.
start_other() {
  local name=$1 port=$2; shift 2
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pids+=($!); last_pid=$!
  for _ in $(seq 150); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    sleep 0.1
  done
  echo "replay-peers: $name did not start" >&2; cat "$tmp/$name.err" >&2; exit 1
}

stop() { kill -INT "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

send() { # send URL: the benchmark request once, body to stdout
  curl -sf -H "Content-Type: $ct" -H "X-Amz-Target: $target" \
    -H "X-Amz-Date: 20260101T000000Z" -H "Authorization: $auth" -d "$body" "$1"
}

# 1. Record the page from blt-fake with each tool.
start_blt fake "$bin/blt-fake" --generate 50 --seed 1 --listen 127.0.0.1:0
up=$url; fake_pid=$last_pid
# A well-formed SigV4 request (fixed date), the same bytes for every server.
auth=$(curl -sv -o /dev/null --aws-sigv4 aws:amz:us-east-1:timestream \
  --user "AKIDEXAMPLE:$secret" -H "X-Amz-Date: 20260101T000000Z" \
  -H "Content-Type: $ct" -H "X-Amz-Target: $target" -d "$body" \
  "$up" 2>&1 | sed -n 's/^> Authorization: //p' | tr -d '\r' || true)
cat >"$tmp/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "$ct"
wrk.headers["X-Amz-Target"] = "$target"
wrk.headers["X-Amz-Date"] = "20260101T000000Z"
wrk.headers["Authorization"] = "$auth"
EOF
start_blt rec env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
  "$bin/blt-proxy" record --upstream "$up" --cassette "$tmp/page.json"
send "$url" >"$tmp/page.body"
stop "$last_pid"
p=$(free_port)
start_other mitm-rec "$p" mitmdump --mode "reverse:$up" -p "$p" -w "$tmp/flows.mitm"
send "http://127.0.0.1:$p/" >/dev/null
stop "$last_pid"
tb_script='
const talkback = require(process.argv[1] + "/node_modules/talkback");
const [mode, host, port, path] = process.argv.slice(2);
talkback({ host, port: Number(port), path, silent: true, summary: false,
  record: mode === "record" ? talkback.Options.RecordMode.NEW
                            : talkback.Options.RecordMode.DISABLED,
  ignoreHeaders: ["content-length", "host", "user-agent", "accept"] }).start();'
p=$(free_port)
start_other tb-rec "$p" node -e "$tb_script" "$root/bench" record "$up" "$p" "$tmp/tapes"
send "http://127.0.0.1:$p/" >/dev/null
stop "$last_pid"
stop "$fake_pid"

# 2. Serve it: blt-proxy replay, nginx, talkback, mitmproxy.
start_blt replay "$bin/blt-proxy" replay --cassette "$tmp/page.json"
replay_url=$url
p_nginx=$(free_port)
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server {
    listen 127.0.0.1:$p_nginx;
    location / {
      default_type $ct;
      return 200 '$(cat "$tmp/page.body")';
    }
  }
}
EOF
start_other nginx "$p_nginx" nginx -c "$tmp/nginx.conf"
p_tb=$(free_port)
start_other talkback "$p_tb" node -e "$tb_script" "$root/bench" playback \
  http://127.0.0.1:9 "$p_tb" "$tmp/tapes"
p_mitm=$(free_port)
start_other mitmproxy "$p_mitm" mitmdump -q --mode "reverse:$up" \
  -p "$p_mitm" --set connection_strategy=lazy \
  --server-replay "$tmp/flows.mitm" --server-replay-nopop

declare -A urls=([blt-proxy-replay]=$replay_url [nginx]=http://127.0.0.1:$p_nginx/
  [talkback]=http://127.0.0.1:$p_tb/ [mitmproxy]=http://127.0.0.1:$p_mitm/)
order=(blt-proxy-replay nginx talkback mitmproxy)
for name in "${order[@]}"; do
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

# 3. Measure, one after another with the same wrk settings, in ROUNDS
# interleaved rounds; each server's best round counts (the machine is shared,
# so the least disturbed sample is the truest).
declare -A rps
echo "wrk -t1 -c$conns -d${dur}s x $rounds rounds, POST $body ($(wc -c <"$tmp/page.body") byte page)"
for r in $(seq "$rounds"); do
  for name in "${order[@]}"; do
    wrk -t1 -c"$conns" -d"${dur}s" -s "$tmp/post.lua" "${urls[$name]}" >"$tmp/$name.wrk"
    got=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/$name.wrk")
    bad=$(awk '/Non-2xx/ {print $5}' "$tmp/$name.wrk")
    [ -z "$bad" ] || { echo "replay-peers: $name: $bad non-2xx answers" >&2; exit 1; }
    echo "  round $r: $name $got req/s"
    if awk -v a="$got" -v b="${rps[$name]:-0}" 'BEGIN { exit !(a > b) }'; then
      rps[$name]=$got
    fi
  done
done
for name in "${order[@]}"; do
  printf '%-18s %12s req/s  (%s-byte answers)\n' "$name" "${rps[$name]}" \
    "$(wc -c <"$tmp/$name.body")"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "blt-proxy replay / nginx:     $(ratio "${rps[blt-proxy-replay]}" "${rps[nginx]}")x (target >= 0.8)"
echo "blt-proxy replay / talkback:  $(ratio "${rps[blt-proxy-replay]}" "${rps[talkback]}")x"
echo "blt-proxy replay / mitmproxy: $(ratio "${rps[blt-proxy-replay]}" "${rps[mitmproxy]}")x"
