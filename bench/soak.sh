#!/usr/bin/env bash
# bench/soak.sh: load test. wrk for SECONDS at CONNECTIONS against blt-fake,
# then blt-proxy replay, with one well-formed ListBatchLoadTasks request that
# gets a 200; reports requests/s, errors and resident memory sampled every
# second. Fails (exit 1) on any socket error or non-2xx answer, or when the
# resident memory at the end exceeds the level it settled at after warm-up
# (the first 20% of the run) by more than 5% plus 1 MiB, or when the rate
# falls under SOAK_MIN_RPS (default 1000: not a speed bar, a stall detector).
#
# usage: bench/soak.sh [SECONDS] [CONNECTIONS]   (defaults: 60 256)
# env:   BLT_BIN_DIR (default build/bin), SOAK_THREADS (wrk threads, 2),
#        SOAK_SERVERS ("fake replay"), SOAK_FAKE_ARGS and SOAK_REPLAY_ARGS
#        (extra server flags, e.g. "--threads 2"), SOAK_MIN_RPS (1000),
#        SOAK_KEEP=1 keeps the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

secs=${1:-60}
conns=${2:-256}
bin=${BLT_BIN_DIR:-build/bin}
wrk_threads=${SOAK_THREADS:-2}
servers=${SOAK_SERVERS:-fake replay}
min_rps=${SOAK_MIN_RPS:-1000}
warm_pct=20
grow_pct=5
slack_kb=1024

die() { echo "soak: $*" >&2; exit 2; }
[[ $secs =~ ^[0-9]+$ && $secs -ge 5 ]] || die "SECONDS must be a whole number >= 5"
[[ $conns =~ ^[0-9]+$ && $conns -ge 1 ]] || die "CONNECTIONS must be a positive whole number"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
for b in blt-fake blt-proxy; do
	[[ -x $bin/$b ]] || die "$bin/$b is missing: build first (cmake --build build)"
done

# Each connection needs a descriptor in wrk and in the server.
need=$((conns * 2 + 256))
if (($(ulimit -n) < need)); then
	ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)" ||
		die "cannot raise the descriptor limit to $need"
fi

bench_setup soak blt-soak
bench_fail_status=2
[[ ${SOAK_KEEP:-0} == 1 ]] && bench_keep=1 bench_keep_say=1
work=$bench_tmp
server_pid=

# A well-formed (not verified) SigV4 Authorization, so that replay's client
# checks find nothing to report.
bench_post_lua "$work/post.lua" '{"MaxResults":1}' 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/timestream/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'

# Starts "$@" in the background and waits for its listening line.
start_server() {
	bench_start server "$@"
	server_pid=$bench_pid
	url=$bench_url
}

stop_server() {
	bench_stop "$server_pid"
	server_pid=
}

# Writes the server's VmRSS (KiB) once a second until killed.
sample_rss() {
	local pid=$1 file=$2
	while kill -0 "$pid" 2>/dev/null; do
		awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null >>"$file" || true
		sleep 1
	done
}

failed=0
extra_of() {
	local a
	[[ $1 == fake ]] && a=${SOAK_FAKE_ARGS:-} || a=${SOAK_REPLAY_ARGS:-}
	[[ -n $a ]] && echo " ($a)" || true
}
# Runs wrk against the running server and judges the run.
soak_one() {
	local name=$1 rss=$work/rss-$1 out=$work/wrk-$1 sampler_pid
	: >"$rss"
	sample_rss "$server_pid" "$rss" &
	sampler_pid=$!
	bench_pids+=("$sampler_pid")
	wrk -t"$wrk_threads" -c"$conns" -d"${secs}s" --timeout 10s \
		-s "$work/post.lua" "$url/" >"$out" 2>&1 || true
	bench_stop "$sampler_pid"

	local rps errs non2xx n warm settled end peak limit verdict=ok
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
	errs=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$out")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$out")
	errs=${errs:-0}
	non2xx=${non2xx:-0}
	n=$(wc -l <"$rss")
	if [[ -z $rps || $n -lt 3 ]]; then
		cat "$out" >&2
		echo "soak: $name: wrk gave no figures" >&2
		failed=1
		return
	fi
	# Settled: the sample at the end of warm-up; end: the last sample
	# taken under load.
	warm=$(((n * warm_pct + 99) / 100))
	((warm < 1)) && warm=1
	settled=$(sed -n "${warm}p" "$rss")
	end=$(tail -1 "$rss")
	peak=$(sort -n "$rss" | tail -1)
	limit=$((settled + settled * grow_pct / 100 + slack_kb))
	if ((errs > 0 || non2xx > 0)); then
		verdict="FAIL (errors)"
		failed=1
	fi
	if awk -v r="$rps" -v m="$min_rps" 'BEGIN { exit !(r < m) }'; then
		verdict="FAIL (under $min_rps req/s: stalled)"
		failed=1
	fi
	if ((end > limit)); then
		verdict="FAIL (memory grew)"
		failed=1
	fi
	printf '%-7s %4ss x %4s conns%s: %10s req/s, requests %s, socket errors %s, non-2xx %s; RSS settled %s KiB (sample %s of %s), end %s KiB, peak %s KiB, limit %s KiB: %s\n' \
		"$name" "$secs" "$conns" "$(extra_of "$name")" "$rps" \
		"$(awk '/requests in/ {print $1}' "$out")" "$errs" "$non2xx" \
		"$settled" "$warm" "$n" "$end" "$peak" "$limit" "$verdict"
	if [[ $verdict != ok ]]; then
		grep -E 'Socket errors|Non-2xx' "$out" >&2 || true
		tail -5 "$work/server.err" >&2 || true
	fi
}

for s in $servers; do
	case $s in
	fake)
		start_server "$bin/blt-fake" --listen 127.0.0.1:0 \
			--generate 250 --seed 1 ${SOAK_FAKE_ARGS:-}
		;;
	replay)
		start_server "$bin/blt-proxy" replay --listen 127.0.0.1:0 \
			--cassette cassettes/reference/small.json \
			${SOAK_REPLAY_ARGS:-}
		;;
	*) die "unknown server $s (fake, replay)" ;;
	esac
	# One request first: it must be a 200, or the soak measures errors.
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
		-H 'Content-Type: application/x-amz-json-1.0' \
		-H 'X-Amz-Target: Timestream_20181101.ListBatchLoadTasks' \
		-d '{"MaxResults":1}' "$url/")
	[[ $code == 200 ]] || die "$s answered $code to the soak request"
	soak_one "$s"
	stop_server
done
exit "$failed"
