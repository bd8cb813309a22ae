"""Never notices a NextToken that comes back: it walks a cycle of tokens
for ever."""
# blt-breaks: CLI-PAG-NOLOOP
# blt-also-fails: (none)
import sys

import base


class Bad(base.Client):
    def repeated(self, token, seen, previous):
        return False


if __name__ == "__main__":
    sys.exit(base.main(Bad))
