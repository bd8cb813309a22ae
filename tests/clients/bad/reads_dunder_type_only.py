"""Reads the error type from the body's __type alone, as botocore 1.43
does: a type in the x-amzn-ErrorType header or in "code" is lost."""
# blt-breaks: CLI-ERR-LONGTYPE
# blt-also-fails: (none)
import sys

import base


class Bad(base.Client):
    def error_type(self, headers, doc):
        raw = doc.get("__type") if isinstance(doc, dict) else None
        raw = (raw or "UnknownError").split(":", 1)[0]
        return raw.split("#", 1)[1] if "#" in raw else raw


if __name__ == "__main__":
    sys.exit(base.main(Bad))
