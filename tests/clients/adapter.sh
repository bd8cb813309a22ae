# Sourced by the real-client tests (matrix.sh, conform.sh) after
# `set -uo pipefail`: find_adapter CLIENT sets the array $adapter to the
# command of CLIENT's adapter (boto3, cli or js), or calls the script's own
# skip() with the reason when the client is not installed or predates
# ListBatchLoadTasks. Needs $src, the source tree.

# pyenv's shims start a shell and pyenv itself before Python; the version's
# own bin directory first in PATH halves what each aws or python3 run costs.
if command -v pyenv >/dev/null 2>&1; then
	real=$(pyenv which python3 2>/dev/null) && PATH="${real%/*}:$PATH"
fi

find_adapter() {
	case "$1" in
	boto3)
		command -v python3 >/dev/null 2>&1 ||
			skip "python3 is not installed"
		python3 - <<'PY' >/dev/null 2>&1 ||
import boto3, botocore.session
ops = botocore.session.get_session().get_service_model(
    "timestream-write").operation_names
assert "ListBatchLoadTasks" in ops
PY
			skip "boto3 is not installed, or predates" \
				"ListBatchLoadTasks (Debian's python3-boto3" \
				"does; pip install boto3)"
		adapter=(python3 "$src/tests/clients/python/list_tasks.py")
		;;
	cli)
		command -v aws >/dev/null 2>&1 ||
			skip "the AWS CLI (aws) is not installed"
		command -v jq >/dev/null 2>&1 || skip "jq is not installed"
		AWS_CONFIG_FILE=/dev/null aws timestream-write \
			list-batch-load-tasks --generate-cli-skeleton \
			>/dev/null 2>&1 ||
			skip "this AWS CLI predates ListBatchLoadTasks" \
				"(Debian's awscli does; pip install awscli)"
		adapter=(bash "$src/tests/clients/cli/list-tasks.sh")
		;;
	js)
		command -v node >/dev/null 2>&1 || skip "node is not installed"
		[ -d "$src/tests/clients/js/node_modules/@aws-sdk/client-timestream-write" ] ||
			skip "the JS SDK is not installed: run 'npm ci' in" \
				"$src/tests/clients/js"
		adapter=(node "$src/tests/clients/js/list-tasks.js")
		;;
	*)
		echo "find_adapter: no client '$1'" >&2
		exit 2
		;;
	esac
}
