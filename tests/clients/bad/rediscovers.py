"""Calls DescribeEndpoints before every request: the answer is never kept."""
# blt-breaks: CLI-DISCOVERY
# blt-also-fails: (none)
import sys

import base


class Bad(base.Client):
    def endpoint(self):
        self.cached = None
        return super().endpoint()


if __name__ == "__main__":
    sys.exit(base.main(Bad))
