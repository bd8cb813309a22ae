"""Sends TaskStatus on the first page only."""
# blt-breaks: CLI-PAG-FILTER
# blt-also-fails: (none)
import sys

import base


class Bad(base.Client):
    def next_request(self, body, token):
        later = dict(body, NextToken=token)
        later.pop("TaskStatus", None)
        return later


if __name__ == "__main__":
    sys.exit(base.main(Bad))
