"""Signs with the key pair but leaves the session token out."""
# blt-breaks: CLI-SIGV4
# blt-also-fails: (none)
import sys

import base


class Bad(base.Client):
    def sign(self, headers, host, payload):
        env = self.env
        self.env = {k: v for k, v in env.items() if k != "AWS_SESSION_TOKEN"}
        super().sign(headers, host, payload)
        self.env = env


if __name__ == "__main__":
    sys.exit(base.main(Bad))
