# Sourced by the shell tests (after `set -uo pipefail`): a scratch directory
# $tmp removed on exit, the pass and failure counts, and the checks. A
# script ends with `finish NAME`, which prints the counts and gives the
# exit status (1 when any check failed).
tmp=$(mktemp -d /tmp/blt-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0

ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect RC PATTERN CMD...: the command exits RC and its output (stdout and
# stderr) matches the extended regular expression PATTERN ("" for any).
expect() {
	local want=$1 pattern=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want" ]; then
		bad "$* exited $rc, wanted $want; output:"$'\n'"$out"
		return
	fi
	if [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$out"; then
		bad "$* output lacks /$pattern/:"$'\n'"$out"
		return
	fi
	ok
}

# refuse PATTERN CMD...: the command's output does not match PATTERN.
refuse() {
	local pattern=$1 out
	shift
	out=$("$@" 2>&1)
	if grep -qE -- "$pattern" <<<"$out"; then
		bad "$* output has /$pattern/:"$'\n'"$out"
		return
	fi
	ok
}

# has PATTERN TEXT WHAT: TEXT matches PATTERN; WHAT names it in a failure.
has() {
	if grep -qE -- "$1" <<<"$2"; then
		ok
	else
		bad "$3: no /$1/ in:"$'\n'"$2"
	fi
}

# finish NAME: the counts, and the script's exit status.
finish() {
	echo "$1: $passes passed, $failures failed"
	[ "$failures" = 0 ]
}
