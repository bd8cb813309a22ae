"""Retries throttling and server errors without end."""
# blt-breaks: CLI-RETRY-THROTTLE
# blt-also-fails: CLI-RETRY-500
import sys

import base


class Bad(base.Client):
    max_attempts = float("inf")
    max_delay = 0.05


if __name__ == "__main__":
    sys.exit(base.main(Bad))
