"""Stops after the first page, whatever its NextToken says."""
# blt-breaks: CLI-PAG-FOLLOW
# blt-also-fails: (none)
import sys

import base


class Bad(base.Client):
    def follow(self, page, token):
        return False


if __name__ == "__main__":
    sys.exit(base.main(Bad))
