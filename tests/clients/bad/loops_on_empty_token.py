"""Takes only an absent NextToken as the end: an empty one is sent back."""
# blt-breaks: CLI-PAG-EMPTYTOKEN
# blt-also-fails: (none)
import sys

import base


class Bad(base.Client):
    def follow(self, page, token):
        return token is not None


if __name__ == "__main__":
    sys.exit(base.main(Bad))
