"""Sends Content-Type application/json."""
# blt-breaks: CLI-REQ
# blt-also-fails: (none)
import sys

import base


class Bad(base.Client):
    def content_type(self):
        return "application/json"


if __name__ == "__main__":
    sys.exit(base.main(Bad))
