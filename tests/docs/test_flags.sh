#!/usr/bin/env bash
# The options in the docs come from the code: every long option a binary's
# --help lists appears on that binary's page, and every --option named in
# README.md or docs/*.md is one that some blt binary's --help lists, or an
# option of another program the docs show (curl, the AWS CLI, cmake, ...),
# listed below with its program. A page that names an option the code does
# not have, or a new option without its documentation, fails.
set -uo pipefail
bin=${BLT_BIN_DIR:?}
src=${BLT_SOURCE_DIR:?}
. "$src/tests/support/checks.sh"

# Options of other programs that the docs show, with the program.
external='
--aws-sigv4 curl
--data curl
--data-raw curl
--user curl
--output curl, the AWS CLI
--endpoint-url the AWS CLI
--max-items the AWS CLI
--max-results the AWS CLI
--next-token the AWS CLI
--page-size the AWS CLI
--endpoint the JS SDK (endpoint:), as a placeholder
--name a placeholder (--name value)
--build cmake
--install cmake
--test-dir ctest
--output-on-failure ctest
--leak-check valgrind
--errors-for-leak-kinds valgrind
--error-exitcode valgrind
--track-origins valgrind
--server-replay mitmproxy
--bogus an example of a wrong option
'

# options TEXT: the long options in TEXT, one a line, sorted.
options() {
	grep -oE -- '(^|[^A-Za-z0-9_-])--[a-z][a-z0-9-]*' <<<"$1" |
		sed 's/^[^-]*//' | sort -u
}

# on_page PAGE HELP-COMMAND...: every long option of the help is on PAGE.
on_page() {
	local page=$1 help opt
	shift
	help=$("$@" --help 2>&1) || { bad "$* --help failed"; return; }
	for opt in $(options "$help"); do
		if grep -qE -- "(^|[^A-Za-z0-9_-])$opt([^a-z0-9-]|\$)" "$src/$page"; then
			ok
		else
			bad "$page does not document $opt ($* --help lists it)"
		fi
	done
}

on_page docs/blt-fake.md "$bin/blt-fake"
on_page docs/blt-proxy-record.md "$bin/blt-proxy" record
on_page docs/blt-proxy-replay.md "$bin/blt-proxy" replay
on_page docs/conform.md "$bin/blt-conform"
for sub in lint redact diff stats export-har import-har gen recover; do
	on_page docs/blt-cassette.md "$bin/blt-cassette" "$sub"
done

# Every option the docs name exists.
known=$({
	"$bin/blt-fake" --help
	"$bin/blt-proxy" --help
	"$bin/blt-proxy" record --help
	"$bin/blt-proxy" replay --help
	"$bin/blt-conform" --help
	"$bin/blt-cassette" --help
	for sub in lint redact diff stats export-har import-har gen recover; do
		"$bin/blt-cassette" "$sub" --help
	done
	awk 'NF { print $1 }' <<<"$external"
} 2>&1)
known=$(options "$known")
for page in "$src"/README.md "$src"/docs/*.md; do
	for opt in $(options "$(cat "$page")"); do
		if grep -qxF -- "$opt" <<<"$known"; then
			ok
		else
			bad "${page#"$src"/} names $opt, which no blt binary's" \
				"--help lists (nor the list of other programs' options)"
		fi
	done
done

finish flags
