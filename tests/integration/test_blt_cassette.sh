#!/usr/bin/env bash
# blt-cassette: every subcommand with inputs that pass and inputs that fail.
set -uo pipefail
bin=${BLT_BIN_DIR:?}/blt-cassette
src=${BLT_SOURCE_DIR:?}
. "$src/tests/support/checks.sh"

edge=$src/cassettes/edge
good=$edge/empty-page-with-token.json

# lint: the shipped edge cases pass; each kind of breakage is named.
expect 0 ': ok$' "$bin" lint "$edge"/*.json
jq_edit() { # jq_edit IN OUT PYTHON-EXPR-ON-d
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(d, indent=2))
PY
}
jq_edit "$good" "$tmp/link.json" 'd["interactions"][2]["token_from"] = 1'
expect 1 '/interactions/2/token_from: interaction 1 did not issue' "$bin" lint "$tmp/link.json"
jq_edit "$good" "$tmp/fwd.json" 'd["interactions"][1]["token_from"] = 3'
expect 1 '/interactions/1/token_from: points to id 3, which is not an earlier' "$bin" lint "$tmp/fwd.json"
jq_edit "$good" "$tmp/unlinked.json" 'd["interactions"][1]["token_from"] = None'
expect 1 'is null but interaction 1 issued' "$bin" lint "$tmp/unlinked.json"
jq_edit "$good" "$tmp/leak.json" 'd["interactions"][0]["request"]["headers"]["authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/timestream/aws4_request, SignedHeaders=host, Signature=" + "ab" * 32'
expect 1 'request/headers/authorization: header authorization carries a credential' "$bin" lint "$tmp/leak.json"
expect 1 'holds a SigV4 signature' "$bin" lint "$tmp/leak.json"
jq_edit "$good" "$tmp/akid.json" 'd["interactions"][0]["response"]["body"]["BatchLoadTasks"][0]["TableName"] = "AKIAIOSFODNN7EXAMPLE"'
expect 1 'TableName: holds an AWS access key id' "$bin" lint "$tmp/akid.json"
AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' expect 0 ': ok$' "$bin" lint "$good"
jq_edit "$good" "$tmp/secret.json" 'd["meta"]["note"] = "key wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"'
AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' expect 1 '/meta/note: holds a secret from the environment' "$bin" lint "$tmp/secret.json"
jq_edit "$good" "$tmp/dup.json" 'd["interactions"][2]["id"] = 2; d["interactions"][2]["token_from"] = None'
expect 1 '/interactions/2/id: id 2 is used again' "$bin" lint "$tmp/dup.json"
jq_edit "$good" "$tmp/type.json" 'd["interactions"][0]["response"]["status"] = "200"'
expect 1 '/interactions/0/response/status' "$bin" lint "$tmp/type.json"
jq_edit "$good" "$tmp/op.json" 'd["interactions"][0]["request"]["operation"] = "ListTables"'
expect 1 'operation "ListTables" is not one of' "$bin" lint "$tmp/op.json"
# Syntax errors: FILE:LINE:COLUMN, columns from 1, also at the end of a file
# that ends in a newline.
printf '{"version": 1,\n' >"$tmp/eof.json"
expect 1 'eof\.json:2:1: ' "$bin" lint "$tmp/eof.json"
printf '{\n"version" 1}\n' >"$tmp/colon.json"
expect 1 "colon\\.json:2:11: ':' expected" "$bin" lint "$tmp/colon.json"
jq_edit "$good" "$tmp/two.json" 'd["interactions"][0]["response"]["body_text"] = "x"'
expect 1 'has 2 body members' "$bin" lint "$tmp/two.json"
head -c 300 "$good" > "$tmp/truncated.json"
expect 1 'truncated.json:[0-9]+:[0-9]+: ' "$bin" lint "$tmp/truncated.json"
expect 2 'missing.json: cannot open' "$bin" lint "$tmp/missing.json"
expect 2 'usage' "$bin" lint
# After "--" an argument that starts with '-' is a file name.
cp "$good" "$tmp/-dash.json"
cd "$tmp" || exit 1
expect 0 '^-dash\.json: ok$' "$bin" lint -- -dash.json
cd - >/dev/null || exit 1
expect 2 "unknown option '-dash.json'" "$bin" lint -dash.json

# redact: credentials go, the result lints clean, a rule reaches bodies.
cp "$tmp/leak.json" "$tmp/r.json"
expect 0 'redacted' "$bin" redact "$tmp/r.json"
expect 0 ': ok$' "$bin" lint "$tmp/r.json"
if grep -q 'Signature=' "$tmp/r.json"; then bad "redact left a signature"; else ok; fi
cp "$good" "$tmp/rule.json"
expect 0 '' "$bin" redact "$tmp/rule.json" --rule 'json:/BatchLoadTasks/*/DatabaseName'
n=$(grep -c '"DatabaseName": "REDACTED"' "$tmp/rule.json")
[ "$n" = 3 ] && ok || bad "json rule redacted $n DatabaseName values, wanted 3"
expect 2 'header:NAME|json:' "$bin" redact "$tmp/rule.json" --rule 'cookie:x'
expect 2 '' "$bin" redact "$tmp/truncated.json"

# diff: no drift against itself; each kind of drift is reported.
expect 0 'no drift' "$bin" diff "$good" "$good"
jq_edit "$good" "$tmp/drift.json" '
i = d["interactions"]
i[0]["response"]["body"]["BatchLoadTasks"][0]["Priority"] = 3
i[2]["response"]["body"]["BatchLoadTasks"][0]["TaskStatus"] = "PAUSED"
i[1]["response"]["status"] = 429
i[1]["response"]["headers"]["x-amzn-errortype"] = "ThrottlingException"
i[2]["response"]["body"]["BatchLoadTasks"].append(dict(i[0]["response"]["body"]["BatchLoadTasks"][1]))
i[0]["response"]["body"]["NextToken"] = "ANOTHER-TOKEN-VALUE"
i[0]["response"]["headers"]["x-amzn-requestid"] = "changed"'
expect 1 'task member "Priority" appears' "$bin" diff "$good" "$tmp/drift.json"
expect 1 'TaskStatus value "PAUSED" appears' "$bin" diff "$good" "$tmp/drift.json"
expect 1 'interaction 2: status 200 in .*, 429 in' "$bin" diff "$good" "$tmp/drift.json"
expect 1 'interaction 2: error type - in .*, ThrottlingException in' "$bin" diff "$good" "$tmp/drift.json"
expect 1 'interaction 3: page of 1 tasks in .*, 2 in' "$bin" diff "$good" "$tmp/drift.json"
out=$("$bin" diff "$good" "$tmp/drift.json" 2>&1)
grep -qiE 'nexttoken|requestid|request \{' <<<"$out" && bad "a changed token or request id was reported: $out" || ok
[ "$(grep -c . <<<"$out")" = 7 ] && ok || bad "diff reported other than 6 differences: $out"
expect 2 'usage' "$bin" diff "$good"

# stats
expect 0 'ListBatchLoadTasks +3' "$bin" stats "$good"
expect 0 'from id 1 \(TaskStatus any, MaxResults 2\): pages 2 0 1 \(3 pages, 3 items\)' "$bin" stats "$good"
expect 0 'AccessDeniedException +2' "$bin" stats "$edge/long-error-type.json"
expect 2 '' "$bin" stats "$tmp/truncated.json"

# HAR: export, import back with no drift; a browser-shaped HAR imports.
expect 0 '' "$bin" export-har "$good" -o "$tmp/out.har"
python3 -c 'import json,sys; h=json.load(open(sys.argv[1]))["log"]; assert h["version"]=="1.2" and len(h["entries"])==3 and h["entries"][1]["request"]["postData"]["mimeType"]' "$tmp/out.har" && ok || bad "exported HAR is not HAR 1.2 with 3 entries"
expect 0 '3 interactions' "$bin" import-har "$tmp/out.har" -o "$tmp/back.json"
expect 0 ': ok$' "$bin" lint "$tmp/back.json"
expect 0 'no drift' "$bin" diff "$good" "$tmp/back.json"
python3 - "$tmp/browser.har" <<'PY'
import json, sys, base64
body = json.dumps({"BatchLoadTasks": [{"TaskId": "BR0WSER1", "TaskStatus": "CREATED"}], "NextToken": "T2"})
def entry(target, req, resp, b64=False, extra=()):
    h = [{"name": ":authority", "value": "ingest.timestream.us-east-1.amazonaws.com"},
         {"name": "content-type", "value": "application/x-amz-json-1.0"},
         {"name": "authorization", "value": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/timestream/aws4_request, SignedHeaders=host, Signature=" + "cd" * 32}]
    if target: h.append({"name": "X-Amz-Target", "value": target})
    content = {"size": len(resp), "mimeType": "application/x-amz-json-1.0",
               "text": base64.b64encode(resp.encode()).decode() if b64 else resp}
    if b64: content["encoding"] = "base64"
    return {"startedDateTime": "2026-01-01T00:00:00Z", "time": 12.5,
            "request": {"method": "POST", "url": "https://ingest.timestream.us-east-1.amazonaws.com/", "httpVersion": "h2",
                        "headers": h, "postData": {"mimeType": "application/x-amz-json-1.0", "text": req}},
            "response": {"status": 200, "statusText": "", "httpVersion": "h2", "headers": [{"name": "content-type", "value": "application/x-amz-json-1.0"}],
                         "content": content}, "timings": {}}
entries = [entry("Timestream_20181101.ListBatchLoadTasks", '{"MaxResults":1}', body, b64=True),
           entry(None, '', '<html></html>'),
           entry("Timestream_20181101.ListBatchLoadTasks", '{"MaxResults":1,"NextToken":"T2"}', '{"BatchLoadTasks":[]}')]
json.dump({"log": {"version": "1.2", "creator": {"name": "browser", "version": "1"}, "entries": entries}}, open(sys.argv[1], "w"))
PY
expect 0 '2 interactions' "$bin" import-har "$tmp/browser.har" -o "$tmp/browser.json"
expect 0 ': ok$' "$bin" lint "$tmp/browser.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); i=d["interactions"]; assert i[1]["token_from"]==1 and i[0]["response"]["body"]["BatchLoadTasks"][0]["TaskId"]=="BR0WSER1" and ":authority" not in i[0]["request"]["headers"] and i[0]["request"]["headers"]["authorization"]=="REDACTED"' "$tmp/browser.json" && ok || bad "browser HAR import lost links, bodies or redaction"
expect 0 '3 interactions' "$bin" import-har "$tmp/browser.har" --all -o "$tmp/all.json"
echo '{"log": {"entries": 5}}' > "$tmp/notahar.har"
expect 2 '/log/entries: not an array' "$bin" import-har "$tmp/notahar.har"

# recover: a journal left by a killed recording becomes a cassette; a cut-off
# last line is dropped.
python3 - "$good" "$tmp/rec.json.journal" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    f.write(json.dumps({"blt_journal": 1, "mode": "replace", "meta": d["meta"]}) + "\n")
    for it in d["interactions"][:2]:
        f.write(json.dumps(it) + "\n")
    f.write(json.dumps(d["interactions"][2])[:40])
PY
expect 0 '2 interactions recovered.*cut-off' "$bin" recover "$tmp/rec.json"
expect 0 ': ok$' "$bin" lint "$tmp/rec.json"
[ ! -e "$tmp/rec.json.journal" ] && ok || bad "recover left the journal"
expect 1 '' "$bin" recover "$tmp/rec.json"

# gen: same arguments, same bytes; the result lints clean.
expect 0 '' "$bin" gen --tasks 13 --seed 5 -o "$tmp/g1.json"
expect 0 '' "$bin" gen --tasks 13 --seed 5 -o "$tmp/g2.json"
cmp -s "$tmp/g1.json" "$tmp/g2.json" && ok || bad "gen is not byte-identical: $(diff "$tmp/g1.json" "$tmp/g2.json" | head -5)"
expect 0 ': ok$' "$bin" lint "$tmp/g1.json"
expect 0 'ValidationException' "$bin" stats "$tmp/g1.json"
expect 0 '' "$bin" gen --tasks 13 --seed 6 -o "$tmp/g3.json"
cmp -s "$tmp/g1.json" "$tmp/g3.json" && bad "another seed gave the same cassette" || ok
expect 2 'usage' "$bin" gen --tasks 0 -o "$tmp/x.json"

# gen into a directory that does not exist (the guide's fixtures/): gen
# creates it and says so, the servers' chatter stays out of a good run.
out=$(cd "$tmp" && "$bin" gen --tasks 13 --seed 5 -o fixtures/deep/t.json 2>&1); rc=$?
[ $rc = 0 ] && cmp -s "$tmp/g1.json" "$tmp/fixtures/deep/t.json" && ok ||
  bad "gen into new directories: exit $rc, output:"$'\n'"$out"
[ "$out" = $'blt-cassette gen: created directory fixtures\nblt-cassette gen: created directory fixtures/deep' ] && ok ||
  bad "gen into new directories printed:"$'\n'"$out"
ls "$tmp/fixtures/deep" | grep -q 'gen-' && bad "gen left its temporary files in fixtures/deep" || ok
# A directory that cannot be made: the cause, once, and no servers.
: >"$tmp/plainfile"
out=$("$bin" gen --tasks 13 --seed 5 -o "$tmp/plainfile/t.json" 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "blt-cassette gen: $tmp/plainfile is not a directory" ] && ok ||
  bad "gen under a file: exit $rc, output:"$'\n'"$out"

# A server that exits before it listens is reported as such, with its
# stderr, never as a timeout: a blt-proxy that fails, beside a copy of
# blt-cassette and blt-fake.
mkdir -p "$tmp/sib"
cp "$BLT_BIN_DIR/blt-cassette" "$BLT_BIN_DIR/blt-fake" "$tmp/sib/"
printf '#!/bin/sh\necho "blt-proxy record: x.journal: No such file or directory" >&2\nexit 2\n' >"$tmp/sib/blt-proxy"
chmod +x "$tmp/sib/blt-proxy"
out=$("$tmp/sib/blt-cassette" gen --tasks 13 --seed 5 -o "$tmp/sib.json" 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "blt-cassette gen: blt-proxy exited with status 2 before printing 'listening on'; its stderr: blt-proxy record: x.journal: No such file or directory" ] && ok ||
  bad "gen with a failing blt-proxy: exit $rc, output:"$'\n'"$out"

finish test_blt_cassette
