"""Calls DescribeEndpoints, then sends every request to the configured
endpoint all the same."""
# blt-breaks: CLI-DISCOVERY
# blt-also-fails: (none)
import sys

import base


class Bad(base.Client):
    def list_page(self, body):
        self.endpoint()
        return self.call_once(self.configured, "ListBatchLoadTasks", body)


if __name__ == "__main__":
    sys.exit(base.main(Bad))
