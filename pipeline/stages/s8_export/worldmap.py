"""World country outlines for the report's map, as small SVG paths.

The outlines are the GeoJSON shapes shipped in the `countryinfo` package (one JSON file
per country, Natural Earth-derived, low resolution). They are projected
equirectangularly (x = longitude, y = -latitude, `SCALE` px per degree), simplified with
Douglas-Peucker (`TOLERANCE` px) and rounded to whole pixels, which keeps the whole
world to a few tens of kB of inline SVG.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

log = logging.getLogger(__name__)

SCALE = 2.0  # px per degree
TOLERANCE = 0.8  # px
LAT_TOP, LAT_BOTTOM = 84.0, -58.0  # Antarctica and the far north left out
WIDTH = int(360 * SCALE)
HEIGHT = int((LAT_TOP - LAT_BOTTOM) * SCALE)
MIN_RING_AREA = 2.0  # px², smaller islands dropped

Point = tuple[float, float]


def project(lon: float, lat: float) -> Point:
    return (lon + 180.0) * SCALE, (LAT_TOP - lat) * SCALE


def _perpendicular(p: Point, a: Point, b: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return float(((x - x1) ** 2 + (y - y1) ** 2) ** 0.5)
    return float(abs(dy * x - dx * y + x2 * y1 - y2 * x1) / (dx * dx + dy * dy) ** 0.5)


def simplify(points: Sequence[Point], tolerance: float = TOLERANCE) -> list[Point]:
    """Douglas-Peucker, iterative."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, -1
        for i in range(first + 1, last):
            d = _perpendicular(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if index >= 0 and best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _area(points: Sequence[Point]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, [*points[1:], points[0]], strict=True))) / 2


def ring_path(ring: Iterable[Sequence[float]]) -> str:
    pts = [project(float(lon), float(lat)) for lon, lat, *_ in ring]
    pts = [(round(x), round(y)) for x, y in simplify(pts)]
    pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
    if len(pts) < 3 or _area(pts) < MIN_RING_AREA:
        return ""
    (x0, y0), rest = pts[0], pts[1:]
    return f"M{x0} {y0}" + "".join(f"L{x} {y}" for x, y in rest) + "Z"


def _polygons(geometry: dict) -> list[list[list[Sequence[float]]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return [coords]
    if kind == "MultiPolygon":
        return list(coords)
    return []


@cache
def country_paths() -> tuple[tuple[str, str], ...]:
    """(ISO alpha-2, SVG path) of every country with an outline, sorted by code."""
    out: dict[str, str] = {}
    try:
        folder = resources.files("countryinfo").joinpath("data")
        files = sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        log.warning("no country outlines (countryinfo): %s", exc)
        return ()
    for f in files:
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
            code = str((data.get("ISO") or {}).get("alpha2") or "").upper()
            features = (data.get("geoJSON") or {}).get("features") or []
        except (ValueError, AttributeError) as exc:
            log.debug("%s: unreadable outline: %s", f.name, exc)
            continue
        if len(code) != 2 or code in out:
            continue
        path = "".join(
            ring_path(polygon[0])
            for feature in features
            for polygon in _polygons(feature.get("geometry") or {})
            if polygon
        )
        if path:
            out[code] = path
    return tuple(sorted(out.items()))
