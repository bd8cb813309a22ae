#!/usr/bin/env bash
# bench/fake-vs-nginx.sh: requests per second, with wrk on loopback, of
# blt-fake serving a ListBatchLoadTasks page against nginx answering the
# very same bytes with `return 200`, side by side in one run (alternating
# rounds). Prints both rates and the ratio of each round and of the medians.
#
# usage: bench/fake-vs-nginx.sh
#   env: BLT_BIN_DIR (default build/bin), DURATION=5 (seconds per run),
#        CONNECTIONS=32, THREADS=1 (wrk threads), ROUNDS=3,
#        FAKE_THREADS=1 (blt-fake --threads),
#        BODY='{"MaxResults":10}' (the request; the page it gets is served
#        by both; nginx takes at most 4 KiB in a return string, about 17
#        generated tasks)
# Needs: wrk, nginx (Debian nginx-light), curl.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BLT_BIN_DIR:-$root/build/bin}
dur=${DURATION:-5}
conns=${CONNECTIONS:-32}
wthreads=${THREADS:-1}
rounds=${ROUNDS:-3}
fthreads=${FAKE_THREADS:-1}
body=${BODY:-'{"MaxResults":10}'}
target=$bench_target
ct=$bench_ct

bench_setup fake-vs-nginx blt-bench-fake
bench_keep=${KEEP_TMP:-}
tmp=$bench_tmp
bench_need wrk nginx curl
[ -x "$bin/blt-fake" ] ||
	{ echo "fake-vs-nginx: build blt first ($bin/blt-fake)" >&2; exit 2; }

# 1. blt-fake, with a fixed clock so that its NextToken (which carries the
#    time of issue) is the same bytes on every answer.
bench_start fake env BLT_FAKE_TIME=1800000000 "$bin/blt-fake" \
	--listen 127.0.0.1:0 --threads "$fthreads"
fake_url=$bench_url

curl -sS -D "$tmp/page.headers" -o "$tmp/page.body" -H "Content-Type: $ct" \
	-H "X-Amz-Target: $target" --data-binary "$body" "$fake_url/"
grep -q '^HTTP/1.1 200' "$tmp/page.headers" ||
	{ echo "fake-vs-nginx: blt-fake did not answer 200:" >&2; cat "$tmp/page.body" >&2; exit 1; }
if [ "$(wc -c <"$tmp/page.body")" -gt 4000 ]; then
	echo "fake-vs-nginx: the page is over 4000 bytes, more than nginx" \
		"takes in a return string; ask for fewer items with BODY" >&2
	exit 1
fi
if grep -q "[\$'\\\\]" "$tmp/page.body"; then
	echo "fake-vs-nginx: the page holds \$, ' or \\; nginx's return" \
		"string cannot carry it verbatim" >&2
	exit 1
fi

# 2. nginx answering the same body and content type, with a request id
#    header of the same length, from a configuration of its own.
port=$(bench_free_port)
bench_nginx nginx "$port" "$tmp/page.body" 4096 \
	'keepalive_requests 100000000;' \
	'add_header x-amzn-RequestId 00000000-0000-4000-8000-000000000000;'
nginx_url="http://127.0.0.1:$port"
curl -sS -o "$tmp/nginx.body" -H "Content-Type: $ct" \
	-H "X-Amz-Target: $target" --data-binary "$body" "$nginx_url/"
cmp -s "$tmp/page.body" "$tmp/nginx.body" ||
	{ echo "fake-vs-nginx: nginx does not answer the same bytes" >&2; exit 1; }

# 3. wrk, alternating, same settings.
rate() { # rate URL NAME: requests per second
	BLT_WRK_BODY=$body wrk -t"$wthreads" -c"$conns" -d"${dur}s" \
		-s "$root/bench/wrk-post.lua" "$1/" >"$tmp/$2.wrk" 2>&1
	if grep -q 'Non-2xx' "$tmp/$2.wrk"; then
		echo "fake-vs-nginx: $2 answered non-2xx:" >&2
		cat "$tmp/$2.wrk" >&2
		exit 1
	fi
	sed -n 's/^Requests\/sec: *//p' "$tmp/$2.wrk"
}

echo "request: $body -> $(wc -c <"$tmp/page.body") bytes of body"
echo "wrk -t$wthreads -c$conns -d${dur}s, blt-fake --threads $fthreads, $rounds round(s)"
fr=()
nr=()
for r in $(seq "$rounds"); do
	n=$(rate "$nginx_url" nginx)
	f=$(rate "$fake_url" fake)
	nr+=("$n")
	fr+=("$f")
	awk -v r="$r" -v f="$f" -v n="$n" 'BEGIN {
		printf "round %d: blt-fake %.0f req/s, nginx %.0f req/s, ratio %.2f\n",
			r, f, n, f / n }'
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
	END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
fm=$(median "${fr[@]}")
nm=$(median "${nr[@]}")
awk -v f="$fm" -v n="$nm" 'BEGIN {
	printf "median: blt-fake %.0f req/s, nginx %.0f req/s, ratio %.2f\n",
		f, n, f / n }'
