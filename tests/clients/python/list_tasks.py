#!/usr/bin/env python3
"""Lists batch load tasks with boto3, following every page.

A client adapter (docs/guide-client-authors.md, "Adapters"): the inputs
come from the environment, BLT_MAX_RESULTS (MaxResults, sent as given, even
out of range) and BLT_TASK_STATUS (TaskStatus); unset or empty means
absent. The endpoint is the one boto3 finds itself
(AWS_ENDPOINT_URL_TIMESTREAM_WRITE or AWS_ENDPOINT_URL, which makes it
call DescribeEndpoints first) unless --endpoint URL gives it explicitly
(endpoint_url=, no discovery). Region and credentials come from the
environment as boto3 reads them (AWS_DEFAULT_REGION, not AWS_REGION).

Prints each TaskId on a line of its own and exits 0. On an error it prints
"TYPE: message" on stderr (TYPE is the service's error type, such as
ValidationException, or the name of the client's own exception) and exits
1; 2 for a usage error. A NextToken seen twice in one walk is an error
(RepeatedNextToken), so a server that loops cannot hang the walk.

Client-side validation is off (Config(parameter_validation=False)):
otherwise botocore refuses MaxResults 0 itself and the server never sees
it; MaxResults above 100 passes botocore's check either way (it checks
only the minimum).
"""
import os
import sys

USAGE = "usage: list_tasks.py [--endpoint URL]"


class RepeatedNextToken(Exception):
    """The server sent a NextToken it had sent before in the same walk."""


def inputs():
    """The request members from BLT_MAX_RESULTS and BLT_TASK_STATUS; None
    after saying what is wrong."""
    params = {}
    max_results = os.environ.get("BLT_MAX_RESULTS", "")
    if max_results:
        try:
            params["MaxResults"] = int(max_results)
        except ValueError:
            print(f"list_tasks.py: BLT_MAX_RESULTS: {max_results!r} is not "
                  f"an integer", file=sys.stderr)
            return None
    status = os.environ.get("BLT_TASK_STATUS", "")
    if status:
        params["TaskStatus"] = status
    return params


def walk(client, params):
    """Yields every TaskId, page after page, until NextToken is absent or
    empty."""
    seen = set()
    token = None
    while True:
        page = client.list_batch_load_tasks(
            **params, **({"NextToken": token} if token else {}))
        for task in page.get("BatchLoadTasks", []):
            yield task.get("TaskId", "")
        token = page.get("NextToken")
        if not token:
            return
        if token in seen:
            raise RepeatedNextToken(f"the server sent NextToken "
                                    f"{token[:40]!r} twice")
        seen.add(token)


def main(argv):
    if argv and (len(argv) != 2 or argv[0] != "--endpoint"):
        print(USAGE, file=sys.stderr)
        return 2
    try:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import ClientError
    except ImportError as e:
        print(f"ImportError: {e} (this adapter needs boto3)", file=sys.stderr)
        return 2
    params = inputs()
    if params is None:
        return 2
    client = boto3.client(
        "timestream-write",
        endpoint_url=argv[1] if argv else None,
        config=Config(parameter_validation=False))
    try:
        for task_id in walk(client, params):
            print(task_id, flush=True)
    except ClientError as e:
        err = e.response.get("Error", {})
        print(f"{err.get('Code', 'ClientError')}: {err.get('Message', e)}",
              file=sys.stderr)
        return 1
    except RepeatedNextToken as e:
        print(f"RepeatedNextToken: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # connection, TLS, region, credentials
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
