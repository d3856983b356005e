"""`python -m tests.golden`: rewrite tests/golden/ from what taskgate prints now."""

from __future__ import annotations

import sys

from tests.golden import write_all

if __name__ == "__main__":
    changed = write_all()
    sys.stdout.write("".join(f"wrote {path}\n" for path in changed) or "golden files unchanged\n")
