"""Sends no Authorization: its requests are not signed."""
# blt-breaks: CLI-SIGV4
# blt-also-fails: (none)
import sys

import base


class Bad(base.Client):
    def sign(self, headers, host, payload):
        pass


if __name__ == "__main__":
    sys.exit(base.main(Bad))
