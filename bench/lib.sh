# bench/lib.sh: helpers shared by the benchmark scripts (sourced, not run).
# shellcheck shell=bash
#
# A script sources it with `. "$(dirname "$0")/lib.sh"` under
# `set -euo pipefail`, then calls bench_setup before anything that uses
# the work directory. All names here start with bench_.

bench_target=Timestream_20181101.ListBatchLoadTasks
bench_ct=application/x-amz-json-1.0

# bench_setup NAME TEMPLATE: makes the work directory /tmp/TEMPLATE.XXXXXX
# and arms an EXIT trap (bench_cleanup). Sets bench_name (the prefix of
# messages), bench_tmp (the directory), bench_pids (empty: every process
# bench_start* starts is added, and killed on exit), bench_fail_status (1:
# the exit status when a server does not start), bench_keep (empty: set it
# to keep the directory) and bench_keep_say (empty: set it to also print
# "NAME: kept DIR" when the directory is kept).
bench_setup() {
	bench_name=$1
	bench_tmp=$(mktemp -d "/tmp/$2.XXXXXX")
	bench_pids=()
	bench_fail_status=1
	bench_keep=
	bench_keep_say=
	trap bench_cleanup EXIT
}

# bench_cleanup: the EXIT trap. Sends SIGTERM to every process in bench_pids,
# waits for the shell's children, then removes bench_tmp unless bench_keep
# is set. Leaves the script's exit status alone.
bench_cleanup() {
	local p
	for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ -n "$bench_keep" ]; then
		[ -z "$bench_keep_say" ] || echo "$bench_name: kept $bench_tmp" >&2
	else
		rm -rf "$bench_tmp"
	fi
}

# bench_need TOOL...: exits 2 with "NAME: TOOL is missing" when a TOOL is
# not on the PATH.
bench_need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null ||
			{ echo "$bench_name: $t is missing" >&2; exit 2; }
	done
}

# bench_free_port: prints a loopback port nothing answers on (bash cannot
# bind port 0 itself, so it probes random ports from 20000 to 31999).
# Exits 1 (its subshell, so `p=$(bench_free_port)` fails) when 50 probes
# all found a listener.
bench_free_port() {
	local p
	for _ in $(seq 50); do
		# Below the ephemeral range (32768 and up by default), where
		# the client side of a connection may hold a port that a
		# probe cannot see.
		p=$((20000 + RANDOM % 12000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null ||
			{ echo "$p"; return 0; }
	done
	echo "$bench_name: no free port found" >&2
	exit 1
}

# bench_start NAME CMD...: runs CMD in the background, stdout to
# bench_tmp/NAME.out and stderr to bench_tmp/NAME.err, and waits for a
# blt server's "listening on URL" line, polling bench_tries times (100)
# every bench_step seconds (0.1); set both before the call to poll finer.
# Sets bench_pid (CMD's pid, also added to bench_pids) and bench_url (the
# URL). When no line comes (CMD exited or the time ran out), prints
# "NAME: NAME did not start:" and CMD's stderr, and exits bench_fail_status.
bench_start() {
	local name=$1 out=$bench_tmp/$1.out err=$bench_tmp/$1.err
	shift
	: >"$out"
	"$@" >"$out" 2>"$err" &
	bench_pid=$!
	bench_pids+=("$bench_pid")
	bench_url=
	for _ in $(seq "${bench_tries:-100}"); do
		bench_url=$(sed -n 's/^listening on //p' "$out")
		[ -n "$bench_url" ] && return 0
		kill -0 "$bench_pid" 2>/dev/null || break
		sleep "${bench_step:-0.1}"
	done
	bench_url=$(sed -n 's/^listening on //p' "$out")
	[ -n "$bench_url" ] && return 0
	echo "$bench_name: $name did not start:" >&2
	cat "$err" >&2
	exit "$bench_fail_status"
}

# bench_start_port NAME PORT CMD...: runs CMD (a server that prints no
# URL) in the background like bench_start and waits, up to 15 seconds,
# until http://127.0.0.1:PORT/ answers curl. Sets bench_pid (also added to
# bench_pids). Exits bench_fail_status with "NAME: NAME did not start:" and
# CMD's stderr otherwise.
bench_start_port() {
	local name=$1 port=$2
	shift 2
	"$@" >"$bench_tmp/$name.out" 2>"$bench_tmp/$name.err" &
	bench_pid=$!
	bench_pids+=("$bench_pid")
	for _ in $(seq 150); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
		sleep 0.1
	done
	echo "$bench_name: $name did not start:" >&2
	cat "$bench_tmp/$name.err" >&2
	exit "$bench_fail_status"
}

# bench_stop PID [SIGNAL]: sends SIGNAL (TERM) to PID and waits for it
# to end. Sets nothing; a PID already gone is not an error.
bench_stop() {
	kill -"${2:-TERM}" "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# bench_nginx NAME PORT BODYFILE WORKER_CONNECTIONS [HTTP_EXTRA
# [LOCATION_EXTRA]]: writes bench_tmp/NAME.conf, an nginx configuration
# (one worker, no access log, everything under bench_tmp/NAME/) that
# answers any request on 127.0.0.1:PORT with 200, content type bench_ct
# and the bytes of BODYFILE (no $, ' or \ in it; at most about 4 KiB),
# adding the HTTP_EXTRA and LOCATION_EXTRA directives (each ending in ;)
# to the http and location blocks, then starts nginx with bench_start_port.
# Sets bench_pid (nginx's master).
bench_nginx() {
	local name=$1 port=$2 bodyfile=$3 wconns=$4 http=${5:-} loc=${6:-}
	local d=$bench_tmp/$name
	mkdir -p "$d"
	cat >"$bench_tmp/$name.conf" <<CONF
daemon off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections $wconns; }
http {
	access_log off;
	client_body_temp_path $d/body;
	proxy_temp_path $d/proxy;
	fastcgi_temp_path $d/fastcgi;
	uwsgi_temp_path $d/uwsgi;
	scgi_temp_path $d/scgi;
	$http
	server {
		listen 127.0.0.1:$port;
		location / {
			default_type $bench_ct;
			$loc
			return 200 '$(cat "$bodyfile")';
		}
	}
}
CONF
	bench_start_port "$name" "$port" \
		nginx -c "$bench_tmp/$name.conf" -p "$d"
}

# bench_post_lua FILE BODY [AUTHORIZATION]: writes a wrk script that POSTs
# BODY (no ' in it) as ListBatchLoadTasks in AWS JSON 1.0; with
# AUTHORIZATION, also sends it and X-Amz-Date 20260101T000000Z.
bench_post_lua() {
	{
		echo 'wrk.method = "POST"'
		echo "wrk.body = '$2'"
		echo "wrk.headers[\"Content-Type\"] = \"$bench_ct\""
		echo "wrk.headers[\"X-Amz-Target\"] = \"$bench_target\""
		if [ -n "${3:-}" ]; then
			echo 'wrk.headers["X-Amz-Date"] = "20260101T000000Z"'
			echo "wrk.headers[\"Authorization\"] = \"$3\""
		fi
	} >"$1"
}

# bench_rps FILE [WHO]: prints the Requests/sec figure of wrk's output in
# FILE. When wrk counted non-2xx answers, prints "NAME: [WHO: ]N non-2xx
# answers" to stderr and exits 1 instead (so `x=$(bench_rps F)` fails).
bench_rps() {
	local bad
	bad=$(awk '/Non-2xx/ {print $5}' "$1")
	if [ -n "$bad" ]; then
		echo "$bench_name: ${2:+$2: }$bad non-2xx answers" >&2
		exit 1
	fi
	awk '/^Requests\/sec:/ {print $2}' "$1"
}

# bench_higher A B: succeeds when the number A is above the number B.
bench_higher() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'
}
