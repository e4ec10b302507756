"""Stage 6, normalise: a Finding (a partner as one page states it) in, a Candidate in the
contract's vocabulary out.

1. the name: one written in capitals ("AUBENAS") as the gazetteer writes it;
2. the instrument: a Flemish "stedenband" is development cooperation with a town of the
   Global South and a twinning elsewhere; a network the page only names in passing is a
   network membership;
3. the status: what the page says, else "active" when an instrument or a year is stated;
4. the confidence: how much of the row the page states near the partner.

The merge key of a partner (`pipeline.knowledge.names.partner_key`) is shared with the
extraction and the merge.
"""

from __future__ import annotations

import re

from pipeline.knowledge import vocab as v
from pipeline.knowledge.gazetteer import Gazetteer, fold
from pipeline.models import Candidate, Finding

# Confidence: a base for a partner the decision kept, plus what the page states of it (set
# by hand so that a partner with its instrument, country and year stated near it, found by
# a wording rule, reaches the cap; not fitted on any corpus).
BASE_CONFIDENCE = 0.5
CONFIDENCE_INSTRUMENT, CONFIDENCE_COUNTRY, CONFIDENCE_YEAR, CONFIDENCE_RULE = 0.15, 0.15, 0.1, 0.05
MAX_CONFIDENCE = 0.99
ROMAN_NUMERALS = ("II", "III", "IV")


def display_name(name: str, gazetteer: Gazetteer | None = None) -> str:
    """A name written in capitals ("AUBENAS", "SANKT-WENDEL") as the gazetteer writes it, else
    with each word capitalised; other names as the source writes them."""
    letters = [ch for ch in name if ch.isalpha()]
    if len(letters) <= 3 or not all(ch.isupper() for ch in letters):
        return name
    for place in gazetteer.place(name) if gazetteer else ():
        if fold(place.name) == fold(name):
            return place.name
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0) if m.group(0) in ROMAN_NUMERALS else m.group(0).capitalize(), name)


def protocol_type(finding: Finding, gazetteer: Gazetteer) -> str:
    """The instrument in the contract's vocabulary."""
    protocol = finding.protocol_type
    if protocol in ("cooperation_agreement", "twinning") and v.STEDENBAND.search(finding.protocol_label):
        protocol = "development_cooperation" if gazetteer.is_global_south(finding.country_code) else "twinning"
    if finding.partner_type == "network" and not finding.instrument_own:
        protocol = "network_membership"
    return protocol


def confidence(finding: Finding) -> float:
    score = (
        BASE_CONFIDENCE
        + CONFIDENCE_INSTRUMENT * finding.instrument_near
        + CONFIDENCE_COUNTRY * bool(finding.country_code)
        + CONFIDENCE_YEAR * bool(finding.year)
        + CONFIDENCE_RULE * finding.explicit
    )
    return round(min(score, MAX_CONFIDENCE), 2)


def normalise(finding: Finding, gazetteer: Gazetteer) -> Candidate:
    """The Candidate row of a Finding."""
    protocol = protocol_type(finding, gazetteer)
    status = finding.status or ("active" if protocol != "unspecified" or finding.year else "unknown")
    return Candidate(
        partner=display_name(finding.partner, gazetteer),
        partner_type=finding.partner_type,
        country_code=finding.country_code,
        protocol_type=protocol,
        protocol_label=finding.protocol_label,
        year=finding.year,
        date=finding.date,
        status=status,
        domains=finding.domains,
        evidence=finding.evidence,
        confidence=confidence(finding),
        source_url=finding.source_url,
        language=finding.language,
        commune=finding.commune,
        commune_nis=finding.commune_nis,
    )
