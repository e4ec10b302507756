"""Committed quality floors: evaluate's scores may not fall below them.

`quality/floors.json` holds, per corpus (e.g. `seeds`, `dev`), the fingerprint of the
corpus it was measured on (the gold file and every input file, hashed) and one floor
per score. CI runs `evaluate --floors quality/floors.json --corpus NAME` on each
corpus: a score below its floor fails the gate (exit 3); a corpus whose fingerprint
changed is a usage error, because floors measured on other pages mean nothing.

`--update-floors` writes the current scores as the new floors (rounded down to two
decimals). It refuses to lower a floor unless `--allow-lower` is given too, so a
regression can only be accepted on purpose, in a reviewed commit.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

# A score must be at least its floor minus this; scores are fractions of small
# counts, so this only absorbs float rounding, never a lost row.
TOLERANCE = 1e-9


class FloorsError(ValueError):
    """The floors file cannot be used for this corpus (unreadable, unknown corpus, other pages)."""


def fingerprint(gold: Path, input_dir: Path) -> str:
    """SHA-256 over the gold file and every input file (relative path and bytes), sorted."""
    digest = hashlib.sha256()
    digest.update(hashlib.sha256(gold.read_bytes()).hexdigest().encode())
    for path in sorted(p for p in input_dir.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(input_dir)).encode("utf-8", "surrogateescape"))
        digest.update(hashlib.sha256(path.read_bytes()).hexdigest().encode())
    return digest.hexdigest()


def load(path: Path) -> dict[str, dict[str, object]]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FloorsError(f"cannot read floors file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise FloorsError(f"floors file {path}: expected an object of corpora")
    return data


def check(path: Path, corpus: str, fp: str, scores: dict[str, float | None]) -> list[str]:
    """The scores below their floors, as messages; FloorsError for a wrong corpus."""
    entry = load(path).get(corpus)
    if entry is None:
        raise FloorsError(f"floors file {path} has no corpus {corpus!r} (add it with --update-floors)")
    if entry.get("fingerprint") != fp:
        raise FloorsError(
            f"corpus {corpus!r} is not the one its floors in {path} were measured on "
            "(fingerprint differs): re-measure with --update-floors --allow-lower"
        )
    floors = entry.get("floors", {})
    assert isinstance(floors, dict)
    failures = []
    for name, floor in sorted(floors.items()):
        value = scores.get(name)
        if value is None:
            failures.append(f"{name} n/a, floor {floor}")
        elif value + TOLERANCE < float(floor):
            failures.append(f"{name} {value:.3f} < floor {floor}")
    return failures


def update(path: Path, corpus: str, fp: str, scores: dict[str, float | None], allow_lower: bool = False) -> list[str]:
    """Write the scores as floors; returns the floors that would go down (and were refused
    unless allow_lower)."""
    data = load(path)
    old = data.get(corpus, {})
    old_floors = old.get("floors", {}) if isinstance(old, dict) else {}
    assert isinstance(old_floors, dict)
    new = {k: math.floor(v * 100) / 100 for k, v in scores.items() if v is not None}
    lowered = [
        f"{k}: {old_floors[k]} -> {v}"
        for k, v in sorted(new.items())
        if k in old_floors and v + TOLERANCE < float(old_floors[k])
    ]
    if lowered and not allow_lower:
        return lowered
    data[corpus] = {"fingerprint": fp, "floors": dict(sorted(new.items()))}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(data.items())), indent=2) + "\n", encoding="utf-8")
    return lowered
