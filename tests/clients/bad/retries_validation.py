"""Retries every error, ValidationException too."""
# blt-breaks: CLI-ERR-VALIDATION
# blt-also-fails: (none)
import sys

import base


class Bad(base.Client):
    def retryable(self, status, kind):
        return True


if __name__ == "__main__":
    sys.exit(base.main(Bad))
