"""A small ListBatchLoadTasks client on the Python standard library alone.

It is the clean client of the client mutation test (tests/mutation/
test_clients.c): every other program in this directory is this client with
one method overridden to plant one defect, as blt-fake's --defect plants
one in a server. It keeps the adapter contract of
docs/client-conformance.md:

- inputs: BLT_MAX_RESULTS (MaxResults) and BLT_TASK_STATUS (TaskStatus);
- endpoint: AWS_ENDPOINT_URL_TIMESTREAM_WRITE, found again through
  DescribeEndpoints (the Address is a URL when it starts with "http", else
  "https://" + Address) and cached for CachePeriodInMinutes;
- SigV4 for service timestream with AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_REGION;
- every page followed; an absent or empty NextToken ends the walk; a
  NextToken seen before in the walk is an error (RepeatedNextToken);
- throttling, 5xx answers and dropped connections retried, 3 attempts in
  all, with equal-jitter exponential backoff;
- the error type read from x-amzn-ErrorType, else __type, else code, cut
  at ':' and after '#';
- TaskIds printed one a line; on an error "TYPE: message" on stderr and
  exit 1.
"""
import datetime
import hashlib
import hmac
import http.client
import json
import os
import random
import sys
import time
import urllib.parse

SERVICE = "timestream"
TARGET = "Timestream_20181101."
THROTTLING = ("ThrottlingException", "Throttling", "TooManyRequestsException")


class ClientError(Exception):
    """An error to print as TYPE: message."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


class Client:
    max_attempts = 3
    base_delay = 0.2  # seconds: the first retry waits up to this long
    max_delay = 0.8

    def __init__(self, env=os.environ):
        self.env = env
        self.region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
        self.configured = (env.get("AWS_ENDPOINT_URL_TIMESTREAM_WRITE")
                           or env.get("AWS_ENDPOINT_URL"))
        self.cached = None  # (url, expiry)
        self.connections = {}

    # ---- the request --------------------------------------------------

    def request(self):
        """The first page's body from the inputs."""
        body = {}
        if self.env.get("BLT_MAX_RESULTS"):
            body["MaxResults"] = int(self.env["BLT_MAX_RESULTS"])
        if self.env.get("BLT_TASK_STATUS"):
            body["TaskStatus"] = self.env["BLT_TASK_STATUS"]
        return body

    def next_request(self, body, token):
        """The body of the page that token leads to."""
        return dict(body, NextToken=token)

    def follow(self, page, token):
        """Whether the walk goes on after page, which carried token."""
        return bool(token)

    def repeated(self, token, seen, previous):
        """Whether token came back in this walk."""
        return token in seen

    # ---- the endpoint -------------------------------------------------

    def discover(self):
        """DescribeEndpoints on the configured endpoint: (url, minutes)."""
        answer = self.call_once(self.configured, "DescribeEndpoints", {})
        endpoint = answer["Endpoints"][0]
        address = endpoint["Address"]
        if not address.startswith("http"):
            address = "https://" + address
        return address, endpoint.get("CachePeriodInMinutes", 1)

    def endpoint(self):
        """Where ListBatchLoadTasks goes: the discovered Address, cached."""
        if self.cached and self.cached[1] > time.monotonic():
            return self.cached[0]
        url, minutes = self.discover()
        self.cached = (url, time.monotonic() + 60 * minutes)
        return url

    # ---- signing ------------------------------------------------------

    def sign(self, headers, host, payload):
        """Adds X-Amz-Date, the session token and a SigV4 Authorization."""
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        date = amz_date[:8]
        headers["X-Amz-Date"] = amz_date
        if self.env.get("AWS_SESSION_TOKEN"):
            headers["X-Amz-Security-Token"] = self.env["AWS_SESSION_TOKEN"]
        signed = dict((k.lower(), v.strip()) for k, v in headers.items())
        signed["host"] = host
        names = sorted(signed)
        canonical = "\n".join([
            "POST", "/", "",
            "".join(f"{n}:{signed[n]}\n" for n in names),
            ";".join(names),
            hashlib.sha256(payload).hexdigest()])
        scope = f"{date}/{self.region}/{SERVICE}/aws4_request"
        to_sign = "\n".join([
            "AWS4-HMAC-SHA256", amz_date, scope,
            hashlib.sha256(canonical.encode()).hexdigest()])
        key = ("AWS4" + self.env["AWS_SECRET_ACCESS_KEY"]).encode()
        for part in (date, self.region, SERVICE, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.env['AWS_ACCESS_KEY_ID']}/"
            f"{scope}, SignedHeaders={';'.join(names)}, Signature={signature}")

    # ---- one exchange -------------------------------------------------

    def content_type(self):
        return "application/x-amz-json-1.0"

    def send(self, url, operation, body):
        """One attempt: (status, headers, body bytes); raises
        ConnectionError when no answer came."""
        parts = urllib.parse.urlsplit(url)
        payload = json.dumps(body).encode()
        headers = {"Content-Type": self.content_type(),
                   "X-Amz-Target": TARGET + operation,
                   "User-Agent": "blt-test-client/1"}
        self.sign(headers, parts.netloc, payload)
        conn = self.connections.get(parts.netloc)
        if conn is None:
            conn = http.client.HTTPConnection(parts.hostname, parts.port,
                                              timeout=10)
            self.connections[parts.netloc] = conn
        try:
            conn.request("POST", "/", payload, headers)
            answer = conn.getresponse()
            return answer.status, answer.headers, answer.read()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            del self.connections[parts.netloc]
            raise ConnectionError(str(e)) from e

    def error_type(self, headers, doc):
        """The error's type by the AWS JSON 1.0 rules."""
        raw = headers.get("x-amzn-ErrorType") or ""
        if not raw and isinstance(doc, dict):
            raw = doc.get("__type") or doc.get("code") or ""
        raw = raw.split(":", 1)[0]
        return raw.split("#", 1)[1] if "#" in raw else raw or "UnknownError"

    def retryable(self, status, kind):
        return kind in THROTTLING or status >= 500

    def delay(self, attempt):
        """Equal jitter: half of cap = base * 2^attempt, plus a random
        wait up to the other half. SDKs use full jitter (from 0); the
        clean client keeps a floor so that no run of it can look like
        retrying at once, however loaded the machine."""
        cap = min(self.max_delay, self.base_delay * 2 ** attempt)
        return cap / 2 + random.uniform(0, cap / 2)

    def call_once(self, url, operation, body):
        """One call with its retries; the answer's JSON or ClientError."""
        attempt = 0
        while True:
            try:
                status, headers, data = self.send(url, operation, body)
            except ConnectionError as e:
                status, headers, data = 0, {}, str(e).encode()
            doc = None
            try:
                doc = json.loads(data) if data else {}
            except ValueError:
                pass
            if status == 200 and isinstance(doc, dict):
                return doc
            kind = ("ConnectionError" if status == 0
                    else self.error_type(headers, doc))
            attempt += 1
            retry = status == 0 or self.retryable(status, kind)
            if not retry or attempt >= self.max_attempts:
                message = doc.get("message", doc.get("Message", "")) \
                    if isinstance(doc, dict) else data[:200]
                raise ClientError(kind, message)
            time.sleep(self.delay(attempt - 1))

    def list_page(self, body):
        return self.call_once(self.endpoint(), "ListBatchLoadTasks", body)

    # ---- the walk -----------------------------------------------------

    def walk(self):
        body = self.request()
        seen = set()
        previous = None
        while True:
            page = self.list_page(body)
            for task in page.get("BatchLoadTasks") or []:
                print(task.get("TaskId", ""), flush=True)
            token = page.get("NextToken")
            if not self.follow(page, token):
                return
            if self.repeated(token, seen, previous):
                raise ClientError("RepeatedNextToken",
                                  f"the server sent NextToken {token!r} "
                                  f"twice")
            seen.add(token)
            previous = token
            body = self.next_request(body, token)


def main(client_class=Client):
    try:
        client_class().walk()
    except ClientError as e:
        print(f"{e.kind}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
