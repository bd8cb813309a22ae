"""Retries without waiting, up to ten attempts."""
# blt-breaks: CLI-RETRY-THROTTLE
# blt-also-fails: CLI-RETRY-500
# blt-tries: 3 (a loaded machine lengthens the delays, which can hide an
# immediate retry, never invent one: the mutation test runs it up to three
# times)
import sys

import base


class Bad(base.Client):
    max_attempts = 10

    def delay(self, attempt):
        return 0


if __name__ == "__main__":
    sys.exit(base.main(Bad))
