#!/usr/bin/env bash
# Every blt binary, and every blt-cassette subcommand, run as a newcomer
# gets it wrong: with a file that does not exist, with a flag that does not
# exist, and with --help. Each must give the exit status of the table in
# README.md ("Exit status") and a message that names what is wrong (the
# path, the flag); a flag is never taken for a file name, and a usage error
# never starts a server.
set -uo pipefail
bin=${BLT_BIN_DIR:?}
src=${BLT_SOURCE_DIR:?}
. "$src/tests/support/checks.sh"

# A command that wrongly starts serving is stopped after 20 s (and fails).
bounded() { timeout -k 2 20 "$@"; }

good=$src/cassettes/edge/empty-page-with-token.json
missing=$tmp/missing.json

# usage_error CMD...: exit 2, the message names '--bogus' as an unknown
# option, and nothing was written to stdout (no server announced itself).
usage_error() {
	local out err rc
	out=$(bounded "$@" --bogus 2>"$tmp/err" </dev/null)
	rc=$?
	err=$(cat "$tmp/err")
	if [ "$rc" != 2 ]; then
		bad "$* --bogus exited $rc, wanted 2; stderr: $err"
	elif ! grep -qE -- "unknown option '--bogus'" <<<"$err"; then
		bad "$* --bogus: the message does not name the flag: $err"
	elif [ -n "$out" ]; then
		bad "$* --bogus wrote to stdout: $out"
	else
		ok
	fi
}

# help CMD...: --help and -h exit 0 and print the usage on stdout.
help() {
	local h
	for h in --help -h; do
		local out rc
		out=$(bounded "$@" "$h" 2>/dev/null </dev/null)
		rc=$?
		if [ "$rc" = 0 ] && grep -q '^usage: ' <<<"$out"; then
			ok
		else
			bad "$* $h exited $rc; stdout: $out"
		fi
	done
}

# missing WANT CMD...: exits WANT and the message names $missing.
missing() {
	local want=$1
	shift
	expect "$want" "$(basename "$missing")" bounded "$@"
	[ -e "$missing" ] && bad "$* created $missing" && rm -f "$missing"
}

# blt-fake
usage_error "$bin/blt-fake"
help "$bin/blt-fake"
missing 2 "$bin/blt-fake" --listen 127.0.0.1:0 --tasks "$missing"
missing 2 "$bin/blt-fake" --listen 127.0.0.1:0 --from-cassette "$missing"
expect 2 "unknown option '--bogus'" bounded "$bin/blt-fake" --bogus --listen 127.0.0.1:0

# blt-proxy, its modes
usage_error "$bin/blt-proxy"
help "$bin/blt-proxy"
usage_error "$bin/blt-proxy" record
usage_error "$bin/blt-proxy" record --upstream http://127.0.0.1:9 \
	--cassette "$tmp/rec.json"
help "$bin/blt-proxy" record
missing 2 "$bin/blt-proxy" record --upstream http://127.0.0.1:9 \
	--cassette "$tmp/rec.json" --upstream-ca "$missing"
expect 2 "no-such-dir/rec.json" bounded "$bin/blt-proxy" record \
	--upstream http://127.0.0.1:9 --cassette "$tmp/no-such-dir/rec.json"
# A record that cannot listen leaves no journal (the next start would
# recover it over the cassette).
echo '{}' >"$tmp/rec.json"
expect 2 "port 99999" bounded "$bin/blt-proxy" record \
	--upstream http://127.0.0.1:9 --cassette "$tmp/rec.json" \
	--listen 127.0.0.1:99999
[ ! -e "$tmp/rec.json.journal" ] && ok ||
	bad "a record that did not start left $tmp/rec.json.journal"
[ "$(cat "$tmp/rec.json")" = '{}' ] && ok ||
	bad "a record that did not start changed the cassette"
usage_error "$bin/blt-proxy" replay
usage_error "$bin/blt-proxy" replay --cassette "$good"
help "$bin/blt-proxy" replay
missing 2 "$bin/blt-proxy" replay --cassette "$missing"

# blt-conform (a usage error starts no blt-fake and sends nothing)
usage_error "$bin/blt-conform"
help "$bin/blt-conform"
missing 2 "$bin/blt-conform" --cassettes "$missing"
missing 2 "$bin/blt-conform" --expect "$missing"

# blt-cassette and each subcommand
usage_error "$bin/blt-cassette"
help "$bin/blt-cassette"
for sub in lint redact diff stats export-har import-har gen recover; do
	usage_error "$bin/blt-cassette" "$sub"
	help "$bin/blt-cassette" "$sub"
done
# A flag after a good file is still a flag.
for sub in lint redact stats export-har recover; do
	usage_error "$bin/blt-cassette" "$sub" "$good"
done
usage_error "$bin/blt-cassette" diff "$good" "$good"
usage_error "$bin/blt-cassette" gen --tasks 3 --seed 1 -o "$tmp/g.json"
[ ! -e "$tmp/g.json" ] && ok || bad "gen --bogus wrote its output"

missing 2 "$bin/blt-cassette" lint "$missing"
missing 2 "$bin/blt-cassette" lint "$good" "$missing"
missing 2 "$bin/blt-cassette" redact "$missing"
missing 2 "$bin/blt-cassette" diff "$good" "$missing"
missing 2 "$bin/blt-cassette" diff "$missing" "$good"
missing 2 "$bin/blt-cassette" stats "$missing"
missing 2 "$bin/blt-cassette" export-har "$missing"
missing 2 "$bin/blt-cassette" import-har "$missing"
# recover reads FILE.journal: none is "nothing to recover" (1), named.
expect 1 "missing\\.json\\.journal" "$bin/blt-cassette" recover "$missing"
# gen's output cannot go under a file: named, before any server starts.
: >"$tmp/plain"
expect 2 "plain is not a directory" bounded "$bin/blt-cassette" gen --tasks 3 \
	--seed 1 -o "$tmp/plain/g.json"

# A lint problem (1) and an unreadable file (2): the I/O error wins.
printf '{' >"$tmp/broken.json"
expect 1 'broken\.json:1:[0-9]+: ' "$bin/blt-cassette" lint "$tmp/broken.json"
expect 2 'missing\.json' "$bin/blt-cassette" lint "$tmp/broken.json" "$missing"

# README.md's table names every binary and every subcommand.
table=$(sed -n '/^## Exit status/,/^## /p' "$src/README.md")
for name in blt-fake 'blt-proxy record' 'blt-proxy replay' blt-conform \
	'blt-cassette lint' 'blt-cassette diff' 'blt-cassette recover'; do
	has "$name" "$table" "README.md's exit status table"
done
for sub in redact stats export-har import-har gen; do
	has "$sub" "$table" "README.md's exit status table"
done

finish cli_errors
