"""Notices a NextToken only when it repeats the one just before (as a
paginator with stopOnSameToken does): it walks a cycle of two tokens for
ever."""
# blt-breaks: CLI-PAG-NOLOOP
# blt-also-fails: (none)
import sys

import base


class Bad(base.Client):
    def repeated(self, token, seen, previous):
        return token == previous


if __name__ == "__main__":
    sys.exit(base.main(Bad))
