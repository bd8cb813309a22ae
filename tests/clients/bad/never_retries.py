"""Never retries: throttling, a server error or a dropped connection ends
the walk at its first attempt."""
# blt-breaks: CLI-RETRY-THROTTLE
# blt-also-fails: CLI-RETRY-500 CLI-RETRY-RESET
import sys

import base


class Bad(base.Client):
    max_attempts = 1


if __name__ == "__main__":
    sys.exit(base.main(Bad))
