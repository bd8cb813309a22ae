"""Takes a page without tasks as the end, although it carries a NextToken."""
# blt-breaks: CLI-PAG-EMPTYPAGE
# blt-also-fails: (none)
import sys

import base


class Bad(base.Client):
    def follow(self, page, token):
        return bool(token) and bool(page.get("BatchLoadTasks"))


if __name__ == "__main__":
    sys.exit(base.main(Bad))
