"""Stage 7, merge: Candidates from all pages in, one Partnership per
(commune, partner) out, with a stable content-derived id, sorted.

A partnership named on several pages (the French and the Dutch page of a commune), or
under several names of one place (Luik, Liège, Lüttich: one GeoNames id, see `geo`),
becomes one row: every source URL is kept, values are taken from the strongest
candidate, domains are the union.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import urlsplit

from pipeline.knowledge.geo import Place, Resolver, default_resolver
from pipeline.knowledge.names import partner_key
from pipeline.models import Candidate, Partnership
from pipeline.schema import DOMAINS, PARTNER_TYPES, PROTOCOL_TYPES, STATUSES

__all__ = ["DOMAINS", "PARTNER_TYPES", "PROTOCOL_TYPES", "STATUSES", "merge", "partnership_id"]


def commune_key(c: Candidate) -> str:
    """Who owns the partnership: the NIS code, else the foreign authority's name, else the
    site's host, else the page."""
    if c.commune_nis:
        return c.commune_nis
    if c.commune:
        return partner_key(c.commune)
    return urlsplit(c.source_url).hostname or c.source_url


def partnership_id(commune: str, partner: str) -> str:
    digest = hashlib.sha256(f"{commune}|{partner_key(partner)}".encode()).hexdigest()
    return f"p{digest[:15]}"


def _rank(c: Candidate) -> tuple[float, int, str]:
    return (-c.confidence, -len(c.date), c.source_url)


def merge_group(cands: list[Candidate]) -> Partnership:
    ordered = sorted(cands, key=_rank)
    best = ordered[0]

    def first(attr: str, empty: object = "") -> object:
        return next((getattr(c, attr) for c in ordered if getattr(c, attr) not in (empty, None)), empty)

    protocol = next((c for c in ordered if c.protocol_type != "unspecified"), best)
    dated = [c for c in ordered if c.year is not None]
    year = dated[0].year if dated else None
    date = max((c.date for c in dated if c.year == year), key=len, default="")
    statuses = {c.status for c in ordered}
    status = next((s for s in ("ended", "planned", "active") if s in statuses), "unknown")
    urls = sorted({c.source_url for c in cands})
    languages = sorted({c.language for c in cands if c.language})
    evidence = " | ".join(dict.fromkeys(c.evidence for c in ordered if c.evidence))
    partner_types = [c.partner_type for c in ordered if c.partner_type not in ("other", "")]
    return Partnership(
        partnership_id=partnership_id(commune_key(best), best.partner),
        commune=str(first("commune")),
        commune_nis=str(first("commune_nis")),
        partner=best.partner,
        partner_type=partner_types[0] if partner_types else "other",
        country_code=str(first("country_code")),
        protocol_type=protocol.protocol_type,
        protocol_label=protocol.protocol_label,
        year=year,
        date=date,
        status=status,
        domains=tuple(sorted({d for c in cands for d in c.domains})),
        language=" ".join(languages),
        source_url=" ".join(urls),
        evidence=evidence[:2000],
        confidence=max(c.confidence for c in cands),
        aliases=tuple(sorted({c.partner for c in cands})),
    )


def validate(row: Partnership) -> Partnership:
    """Every coded column holds a code of the contract's vocabularies (CONTRACT.md)."""
    problems = [
        f"{name}={value!r}"
        for name, value, allowed in (
            ("partner_type", row.partner_type, PARTNER_TYPES),
            ("protocol_type", row.protocol_type, PROTOCOL_TYPES),
            ("status", row.status, STATUSES),
        )
        if value not in allowed
    ]
    problems += [f"domain={d!r}" for d in row.domains if d not in DOMAINS]
    if problems:
        raise ValueError(
            f"{row.partner} ({row.source_url}): outside the contract's vocabularies: " + ", ".join(problems)
        )
    return row


def place_row(row: Partnership, place: Place) -> Partnership:
    return replace(
        row,
        partner_geonames_id=place.geonames_id,
        partner_latitude=place.latitude,
        partner_longitude=place.longitude,
        partner_admin1=place.admin1,
        partner_region=place.region,
        partner_geo_match=place.match,
    )


def _locate(row: Partnership, resolver: Resolver) -> Place:
    names = [row.partner, *(a for a in row.aliases if a != row.partner)]
    return resolver.resolve(names, row.country_code, row.partner_type)


def merge(candidates: Iterable[Candidate], resolver: Resolver | None = None) -> list[Partnership]:
    """One Partnership per (commune, partner), sorted by commune then partner then id.

    Partners are placed with `geo` (`resolver`, default the process's); names of one commune
    that resolve to the same GeoNames town (Luik, Liège, Lüttich) are one partnership."""
    resolver = resolver or default_resolver()
    groups: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for c in candidates:
        groups[(commune_key(c), partner_key(c.partner))].append(c)
    by_place: dict[tuple[str, int | str], list[Candidate]] = defaultdict(list)
    places: dict[tuple[str, int | str], Place] = {}
    for (owner, key), cands in sorted(groups.items()):
        place = _locate(merge_group(cands), resolver)
        slot: tuple[str, int | str] = (owner, place.geonames_id if place.geonames_id is not None else key)
        by_place[slot].extend(cands)
        places[slot] = place
    return sort_rows([validate(place_row(merge_group(cands), places[slot])) for slot, cands in by_place.items()])


def sort_rows(rows: Iterable[Partnership]) -> list[Partnership]:
    """The dataset's order: commune NIS, commune, partner, id."""
    return sorted(rows, key=lambda p: (p.commune_nis, p.commune, partner_key(p.partner), p.partnership_id))
