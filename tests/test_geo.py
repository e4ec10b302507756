"""Partners placed on the map: GeoNames ids from the 500+ towns, never a guess."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from pipeline.knowledge.geo import Place, Resolver, Towns, load_resolutions, name_keys
from pipeline.models import Candidate
from pipeline.stages.s7_merge import merge

LIEGE, TANGIER = 2792413, 2530335


def cand(partner: str, url: str = "u1", **kw: object) -> Candidate:
    base: dict[str, object] = {
        "partner": partner,
        "partner_type": "city",
        "country_code": "BE",
        "protocol_type": "twinning",
        "protocol_label": "jumelage",
        "year": 2009,
        "date": "2009",
        "status": "active",
        "domains": (),
        "evidence": f"Jumelage avec {partner}.",
        "confidence": 0.8,
        "source_url": url,
        "language": "fr",
        "commune": "Ath",
        "commune_nis": "51004",
    }
    base.update(kw)
    return Candidate(**base)  # type: ignore[arg-type]


class FakeTowns(Towns):
    """Three towns: two comparable 'Twinford's and a dominant 'Bigton' over a hamlet."""

    TOWNS: ClassVar[dict[int, tuple[str, str, str, float, float, int]]] = {
        1: ("Twinford", "ZZ", "01", 1.0, 2.0, 5000),
        2: ("Twinford", "ZZ", "02", 3.0, 4.0, 4000),
        3: ("Bigton", "ZZ", "01", 5.0, 6.0, 900000),
        4: ("Bigton", "ZZ", "03", 7.0, 8.0, 600),
    }

    def __init__(self) -> None:  # no index file
        pass

    def ids(self, country: str, key: str) -> set[int]:
        return {i for i, t in self.TOWNS.items() if t[1] == country and t[0].lower() == key}

    def place(self, gid: int) -> tuple[str, str, str, float, float, int] | None:
        return self.TOWNS.get(gid)


def test_names_in_several_languages_are_one_place() -> None:
    r = Resolver(resolutions={})
    assert {r.resolve([n], "BE").geonames_id for n in ("Luik", "Liège", "Lüttich", "Ville de Liège")} == {LIEGE}
    assert r.resolve(["Tanger"], "MA").geonames_id == r.resolve(["Tangier"], "MA").geonames_id == TANGIER
    place = r.resolve(["Liège"], "BE")
    assert place.match == "unique_name" and place.region == "BE-WAL" and place.admin1 == "BE.WAL"
    assert place.latitude is not None and 50 < place.latitude < 51


def test_no_country_network_or_unknown_name_stays_unplaced() -> None:
    r = Resolver(resolutions={})
    assert r.resolve(["Liège"], "").geonames_id is None
    assert r.resolve(["Liège"], "BE", "network").geonames_id is None
    assert r.resolve(["Qzxwv Vlorpt"], "BE") == Place()


def test_ambiguous_names_are_not_guessed_but_a_dominant_town_is_taken() -> None:
    r = Resolver(towns=FakeTowns(), resolutions={})
    assert r.resolve(["Twinford"], "ZZ").geonames_id is None
    bigton = r.resolve(["Bigton"], "ZZ")
    assert bigton.geonames_id == 3 and bigton.match == "most_populous"


def test_provinces_resolve_to_iso_subdivisions() -> None:
    r = Resolver(resolutions={})
    place = r.resolve(["Regio Oriental"], "MA", "region")
    assert place.match == "subdivision" and place.region == "MA-02" and place.geonames_id is None


def test_reviewed_decisions_override(tmp_path: Path) -> None:
    path = tmp_path / "resolutions.csv"
    path.write_text(
        "partner,country_code,geonames_id,note\nBigton,ZZ,none,not that Bigton\nTwinford,ZZ,2,the one in region 02\n",
        encoding="utf-8",
    )
    r = Resolver(towns=FakeTowns(), resolutions_path=path)
    assert r.resolve(["Bigton"], "ZZ") == Place("reviewed")
    assert r.resolve(["Twinford"], "ZZ").geonames_id == 2
    path.write_text("partner,country_code,geonames_id\nBigton,ZZ,maybe\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"resolutions\.csv:2"):
        load_resolutions(path)


def test_merge_unites_exonyms_by_geonames_id() -> None:
    rows = merge(
        [
            cand("Luik", "https://ath.be/nl", language="nl", confidence=0.6),
            cand("Liège", "https://ath.be/fr"),
            cand("Lüttich", "https://ath.be/de", language="de", confidence=0.7),
            cand("Tanger", country_code="MA"),
            cand("Tangier", "u2", country_code="MA"),
        ]
    )
    assert len(rows) == 2
    liege = next(r for r in rows if r.partner_geonames_id == LIEGE)
    assert liege.partner == "Liège" and len(liege.source_url.split()) == 3
    assert set(liege.aliases) == {"Luik", "Liège", "Lüttich"}
    ids = [r.partner_geonames_id for r in rows]
    assert len(ids) == len(set(ids))


def test_name_keys_drop_type_words_and_articles() -> None:
    assert name_keys("Ville de Liège") == ["ville de liege", "liege"]
    assert name_keys("Tanger (Maroc)") == ["tanger"]


def test_town_index_columns_survive_pickling() -> None:
    """The town index is pickled as its columns and gives the same towns back."""
    import pickle

    from pipeline.knowledge.gazetteer import TownIndex

    towns = [("BE", 12000, 11, "Aarde"), ("FR", 800, 12, "Terre-sur-Mer"), ("", 0, 13, "Nowhere")]
    index = TownIndex.build({"BE": "EU"}, towns, {"aarde": [0], "terre sur mer": [1], "terre": [1, 0], "": [2]})
    back = pickle.loads(pickle.dumps(index))
    for idx in (index, back):
        assert idx.named("terre") == [towns[1], towns[0]] and idx.named("aarde") == [towns[0]]
        assert idx.named("") == [towns[2]] and idx.named("mars") == []
        assert "terre sur mer" in idx and "mars" not in idx and len(idx) == 3
        assert idx.continents == {"BE": "EU"}
