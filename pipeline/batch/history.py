"""Across runs: first_seen, last_seen, last_changed, and partnerships whose page failed.

The previous dataset (`OUTPUT/current/partnerships.csv`) is the memory:

- `first_seen`: kept from the previous row (today for a new partnership, or for a row of
  a dataset written before the column existed);
- `last_seen`: today for every partnership this run found;
- `last_changed`: today when a published value other than the three dates differs from
  the previous row, else kept;
- a previous partnership that this run did not find, one of whose pages failed this run
  (unreadable, parse error, time limit), is **kept** as it was (last_seen unchanged): a
  page that could not be read says nothing about the partnership. `changes.csv` lists it
  as `kept`.

The run's date is injectable (`today`) so that tests and backfills control it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from pipeline.models import Partnership
from pipeline.schema import PARTNERSHIPS
from pipeline.stages.s8_export.tables import FORMULA_START, row_cells

DATE_COLUMNS = ("first_seen", "last_seen", "last_changed")
RUN_DATE_ENV = "PIPELINE_RUN_DATE"


def run_date(value: str | None = None) -> str:
    """The run's date (ISO): `value`, else $PIPELINE_RUN_DATE, else today in UTC."""
    text = value or os.environ.get(RUN_DATE_ENV, "")
    if text:
        return date.fromisoformat(text).isoformat()
    return datetime.now(UTC).date().isoformat()


def unguard(cell: str) -> str:
    """Undo the CSV formula guard (the apostrophe before a formula character)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def parse_row(cells: Mapping[str, str]) -> Partnership:
    """A Partnership from a previous partnerships.csv row (columns it lacks get their defaults)."""
    values: dict[str, Any] = {}
    for col in PARTNERSHIPS.columns:
        if col.name not in cells:
            continue
        raw = cells[col.name]
        if col.type == "integer":
            values[col.name] = int(raw) if raw else None
        elif col.type == "number":
            values[col.name] = float(raw) if raw else (0.0 if col.name == "confidence" else None)
        elif col.type == "list":
            values[col.name] = tuple(d for d in unguard(raw).split(";") if d)
        else:
            values[col.name] = unguard(raw) if col.is_text else raw
    if not values.get("partner_geo_match"):
        values["partner_geo_match"] = "unresolved"
    return Partnership(**values)


@dataclass(frozen=True)
class Kept:
    """A previous partnership kept because its page failed this run."""

    row: Partnership
    failed_urls: tuple[str, ...]


def _comparable(cells: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in cells.items() if k not in DATE_COLUMNS and k in PARTNERSHIPS.names}


def with_history(
    rows: Iterable[Partnership], previous: Mapping[str, Mapping[str, str]], failed_urls: set[str], today: str
) -> tuple[list[Partnership], list[Kept]]:
    """This run's rows with their dates, plus the kept rows of failed pages (sorted as merge sorts)."""
    out: list[Partnership] = []
    for row in rows:
        prev = previous.get(row.partnership_id)
        if prev is None:
            out.append(replace(row, first_seen=today, last_seen=today, last_changed=today))
            continue
        now = dict(zip(PARTNERSHIPS.names, row_cells(row), strict=True))
        before = _comparable(prev)
        changed = any(now.get(k, "") != v for k, v in before.items()) or any(
            k not in before for k in _comparable(now) if now[k]
        )
        out.append(
            replace(
                row,
                first_seen=prev.get("first_seen") or today,
                last_seen=today,
                last_changed=today if changed or not prev.get("last_changed") else prev["last_changed"],
            )
        )
    found = {r.partnership_id for r in out}
    kept: list[Kept] = []
    for pid, cells in sorted(previous.items()):
        if pid in found:
            continue
        urls = tuple(u for u in cells.get("source_url", "").split() if u in failed_urls)
        if urls:
            kept.append(Kept(parse_row(cells), urls))
    return out + [k.row for k in kept], kept
