"""What changed: the new dataset against the previous one, by partnership_id.

`changes.csv` has the columns `change,partnership_id,field,old,new`:

- `added`: a partnership_id that the previous dataset did not have (`new` = "commune: partner");
- `removed`: one that the new dataset no longer has (`old` = "commune: partner");
- `changed`: one line per field whose value differs, with the old and the new value
  (`last_seen` and `last_changed`, which move with every run, are not listed);
- `kept`: a partnership this run did not find but kept, because its page could not be
  read this run (`new` names the page); its `last_seen` stays as it was.

Values are compared as they are written in partnerships.csv (the same strings, with the
same formula protection). Lines are sorted by change, partnership_id and field. Without a
previous dataset every row is `added`.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.stages.s8_export.tables import csv_bytes, safe_cell

log = logging.getLogger(__name__)

HEADER = ("change", "partnership_id", "field", "old", "new")
KEY = "partnership_id"


@dataclass(frozen=True)
class Change:
    change: str  # added | removed | changed
    partnership_id: str
    field: str = ""
    old: str = ""
    new: str = ""

    def cells(self) -> list[str]:
        return [safe_cell(v) for v in (self.change, self.partnership_id, self.field, self.old, self.new)]


def read_rows(data: bytes, key: str = KEY) -> dict[str, dict[str, str]]:
    """Rows of a partnerships.csv by partnership_id (cells as written); any table by `key`."""
    csv.field_size_limit(1 << 30)  # page texts
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    rows: dict[str, dict[str, str]] = {}
    for row in reader:
        value = row.get(key) or ""
        if value:
            rows[value] = {k: v or "" for k, v in row.items() if k is not None}
    return rows


def read_previous(path: Path | None) -> dict[str, dict[str, str]]:
    """The previous dataset's rows; empty when there is none or it cannot be read."""
    if path is None:
        return {}
    try:
        return read_rows(path.read_bytes())
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        log.warning("%s: previous dataset unreadable, every row counts as added: %s", path, exc)
        return {}


def _label(row: Mapping[str, str]) -> str:
    return f"{row.get('commune', '')}: {row.get('partner', '')}"


def diff(
    old: Mapping[str, Mapping[str, str]],
    new: Mapping[str, Mapping[str, str]],
    columns: Sequence[str],
    ignore: Sequence[str] = (),
) -> list[Change]:
    """Changes from old to new rows (both keyed by partnership_id), sorted; `ignore`: fields
    that change on every run (last_seen) and are not reported."""
    out = [Change("added", pid, new=_label(new[pid])) for pid in new.keys() - old.keys()]
    out += [Change("removed", pid, old=_label(old[pid])) for pid in old.keys() - new.keys()]
    for pid in new.keys() & old.keys():
        before, after = old[pid], new[pid]
        fields = [c for c in columns if c != KEY]
        fields += sorted((before.keys() | after.keys()) - set(columns) - {KEY} - set(ignore))
        out += [
            Change("changed", pid, name, before.get(name, ""), after.get(name, ""))
            for name in fields
            if before.get(name, "") != after.get(name, "")
        ]
    order = {c: i for i, c in enumerate(columns)}
    return sorted(out, key=lambda c: (c.change, c.partnership_id, order.get(c.field, len(order)), c.field))


def changes_csv(changes: Sequence[Change]) -> bytes:
    return csv_bytes(HEADER, (c.cells() for c in changes))


def summary(changes: Sequence[Change]) -> dict[str, int]:
    """Number of partnerships added, removed and changed (not of changed fields)."""
    return {
        "added": sum(1 for c in changes if c.change == "added"),
        "removed": sum(1 for c in changes if c.change == "removed"),
        "changed": len({c.partnership_id for c in changes if c.change == "changed"}),
        "changed_fields": sum(1 for c in changes if c.change == "changed"),
    }
