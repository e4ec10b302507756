"""The reference of the real-pages benchmark: `python -m bench.reference DIR`.

trafilatura.extract with its default options over every .html/.htm file under DIR, in
one process, as a user would run trafilatura alone; prints the number of pages.
"""

from __future__ import annotations

import sys
from pathlib import Path

import trafilatura


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    pages = 0
    for path in sorted(Path(args[0]).rglob("*")):
        if path.suffix.lower() in (".html", ".htm") and path.is_file():
            trafilatura.extract(path.read_bytes())
            pages += 1
    sys.stdout.write(f"{pages}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
