"""Measure the GeoNames placement of partners on a directory of pages (not a test).

    .venv/bin/python scripts/geo_check.py ../shared/seeds ../shared/dev/pages [--sample 30]

For every row: does a name of the partner (its name or a merged spelling, folded as
`pipeline.knowledge.geo` folds) name exactly one town of the 500+ list in the partner's country?
Such rows must carry that town's id. Prints the coverage, the rows placed otherwise,
the duplicates per commune, and a random sample of placed rows to check by hand.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.batch.runner import extract_dir
from pipeline.knowledge.geo import default_resolver, name_keys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("inputs", nargs="+", type=Path)
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    towns = default_resolver().towns
    placed_rows = []
    for directory in args.inputs:
        rows = extract_dir(directory).rows
        exact = hit = 0
        misses = []
        for r in rows:
            if not r.country_code or r.partner_type in ("network", "organisation"):
                continue
            ids: set[int] = set()
            for name in {r.partner, *r.aliases}:
                keys = name_keys(name)
                if keys:
                    ids |= towns.ids(r.country_code, keys[0])
            if len(ids) == 1:
                exact += 1
                if r.partner_geonames_id in ids:
                    hit += 1
                else:
                    misses.append(
                        f"{r.partner} ({r.country_code}) -> {r.partner_geonames_id} "
                        f"{r.partner_geo_match}, expected {ids}"
                    )
        dup = Counter(
            (r.commune_nis or r.commune, r.partner_geonames_id) for r in rows if r.partner_geonames_id is not None
        )
        matches = Counter(r.partner_geo_match for r in rows)
        print(f"== {directory}: {len(rows)} rows; placement {dict(sorted(matches.items()))}")
        print(
            f"   rows naming exactly one 500+ town of their country: {exact}; with that town's id: {hit}"
            f" ({100 * hit / max(exact, 1):.1f} %)"
        )
        for m in misses:
            print("   MISS", m)
        print(f"   duplicate GeoNames ids within a commune: {sum(1 for n in dup.values() if n > 1)}")
        unplaced = [
            f"{r.partner} ({r.country_code or '??'}, {r.partner_type})"
            for r in rows
            if r.partner_geonames_id is None and r.partner_geo_match != "subdivision"
        ]
        print(f"   not placed ({len(unplaced)}): " + "; ".join(unplaced))
        placed_rows += [(directory.name, r) for r in rows if r.partner_geonames_id is not None]
    random.Random(args.seed).shuffle(placed_rows)
    print(f"\n== sample of {min(args.sample, len(placed_rows))} placed partners (check by hand)")
    for corpus, r in sorted(placed_rows[: args.sample], key=lambda x: (x[0], x[1].commune, x[1].partner)):
        gid = r.partner_geonames_id or 0
        town = towns.place(gid)
        name, _, admin1, lat, lon, pop = town or ("?", "", "", 0.0, 0.0, 0)
        print(
            f"{corpus:6} {r.commune[:18]:18} | {r.partner[:28]:28} {r.country_code} -> {gid:>8} "
            f"{name[:24]:24} {r.country_code}.{admin1:5} pop {pop:>9,} ({lat:.2f}, {lon:.2f}) {r.partner_geo_match}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
