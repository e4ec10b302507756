"""Stage 5, extraction: a Text in, one Finding per partner named on the page out.

The walk over the page's blocks, in order:

1. a heading that is only a country name sets the country context ("Marokko");
2. a heading, list item or table row that introduces partners ("De stad X",
   "Ville de X (Maroc)", "A – de stad B", "X | Country | 1998") opens a partner
   section: the label lines below it ("Protocol: ...", "Actiedomeinen: ...")
   describe those partners;
3. other headings close the section and set the instrument context ("Programme GIS");
   a heading that names a known partner ("Doelstellingen te X") opens a section
   about that partner;
4. prose is split into sentences; each sentence that introduces partners
   ("met de gemeente X in Marokko", "jumelée avec la ville de X") gives them the
   sentence's year, instrument, status and country, and each partner gets the
   domains of its own clause.

Every value found carries a strength; merging keeps the strongest (see Evidence).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.knowledge import lexicon
from pipeline.knowledge import vocab as v
from pipeline.knowledge.gazetteer import Gazetteer, fold
from pipeline.knowledge.lexicon import nationality_country
from pipeline.knowledge.names import partner_key
from pipeline.knowledge.nlp import PERSON_LABEL, PLACE_LABELS
from pipeline.knowledge.resources import Resources
from pipeline.models import Block, Commune, Extraction, Finding, Text
from pipeline.stages.s5_extract import mentions as mn
from pipeline.stages.s5_extract.decide import TYPE_ADJ_ANYWHERE, Decider, Unit, Weighed, page_units
from pipeline.stages.s5_extract.mentions import Finder, Mention

log = logging.getLogger(__name__)

# Strength of a piece of evidence about a partner: the heading context ("Jumelages"), prose
# in a partner's heading section before any label line, prose that follows a sentence
# naming the partner, and the partner's own heading, label lines and sentences.
CONTEXT, HEADED, SECTION, OWN = 1.0, 1.5, 2.0, 3.0
PAGE = 0.5  # what the page as a whole says (its dominant instrument)
SEGMENT_SPLIT = (" – ", " — ", " - ")
# Evidence: at most this many sentences or lines, and this many characters (CONTRACT.md
# asks for the sentence(s) that state the partnership, not the page).
MAX_EVIDENCE_PARTS = 4
MAX_EVIDENCE_CHARS = 1000
# A dateline stands in the first units of a news item.
MAX_DATELINE_UNITS = 3
# Vetoes that say a candidate is not this partner at all: its other sentences say nothing of it.
NAME_VETOES = frozenset(
    {
        "own authority",
        "person",
        "person (spaCy)",
        "not a name",
        "capital named in passing",
        "part of a longer name",
        "where a partner lies",
        "region of a partner",
    }
)
# Domains: the sentences after a partner's statement that still speak of it, up to the
# next heading (set on the team's pages and the tuning half of ../shared/dev: crossing
# headings or a longer window lowered the seeds' domain precision below 0.85).
DOMAIN_WINDOW = 6
# What a rule's longer name may add around a place to be that place's typed phrase:
# "4de District van Gemeente [Boedapest]" (numbers, type words, lower-case joiners).
TYPED_AROUND = re.compile(
    r"\s*(?:(?:\d+\w*|[a-zà-ÿ'’]+|(?i:"
    + "|".join(sorted((re.escape(w) for w in v.TYPE_WORDS), key=len, reverse=True))
    + r"))\s*)*"
)
# Domains in a sentence naming several partners: the marks that end a clause, and what may
# stand between two partners that share one ("avec X et Y", "X, Y en Z").
CLAUSE_BREAKS = (",", ";", ":")
COORDINATION = re.compile(rf"\s*,?\s*(?:(?:{mn.CONJUNCTION})\s+)?(?:(?:de|la|le|het|the|die|der)\s+)?", re.IGNORECASE)
# How far before a town's name the words that place a sentence in it ("à", "in") are looked
# for: the preposition and a space, with room for a longer preposition (set by hand, not tuned).
ELSEWHERE_CHARS = 20
# A line shorter than this ("Tulle (France)") states nothing alone: its lead-in goes with it.
MIN_STATEMENT_CHARS = 40


@dataclass
class Evidence:
    """What the page says about one partner, each value with the strength of its source."""

    name: str
    partner_type: str
    order: int
    country: tuple[str, float] = ("", 0)
    protocol: tuple[str, str, float] = ("unspecified", "", 0)
    year: tuple[int | None, str, float] = (None, "", 0)
    status: tuple[str, float] = ("", 0)
    domains: dict[str, float] = field(default_factory=dict)
    sentences: list[str] = field(default_factory=list)
    explicit: bool = False
    lang: str = ""
    year_text: str = ""  # the stretch of text the year was taken from
    year_rank: tuple[bool, float] = (False, 0.0)
    statements: list[tuple[int, str]] = field(default_factory=list)  # (unit index, text) the decision kept

    def add_evidence(self, text: str) -> None:
        if text not in self.sentences and len(self.sentences) < MAX_EVIDENCE_PARTS:
            self.sentences.append(text)

    def set_country(self, code: str, strength: float) -> None:
        if code and strength > self.country[1]:
            self.country = (code, strength)

    def add_text(self, text: str, strength: float, evidence: bool = False, domains: bool = True) -> None:
        """Take instrument, date, status and domains from a stretch of text about this partner."""
        proto = mn.protocol_in(text)
        if proto and strength > self.protocol[2]:
            self.protocol = (proto[0], proto[1], strength)
        dates = mn.start_dates_in(text, self.lang)
        rank = (bool(v.COOPERATION.search(text)), strength)  # a year beside partnership words first
        if dates and rank > self.year_rank:
            best = mn.best_start_date(text, dates)
            self.year = (best.year, best.date, strength)
            self.year_text = text
            self.year_rank = rank
        status = mn.status_in(text) if strength >= OWN else ""
        if status and strength > self.status[1]:
            self.status = (status, strength)
        for d in mn.domains_in(text, self.lang) if domains else ():
            self.domains[d] = max(self.domains.get(d, 0), strength)
        if evidence:
            self.add_evidence(text)


@dataclass
class Section:
    keys: list[str]
    level: int
    after_label: bool = False
    about_only: bool = False  # "Doelstellingen te X": domains only
    prose: bool = False  # opened by a sentence, not by a heading

    @property
    def strength(self) -> float:
        if self.after_label:
            return OWN
        return SECTION if self.prose else HEADED


class PageExtractor:
    """Walks one page; `run` returns its candidates."""

    def __init__(
        self,
        text: Text,
        gazetteer: Gazetteer,
        commune: Commune | None,
        entities: dict[str, list[tuple[str, int, int]]] | None = None,
        persons: dict[str, list[tuple[str, int, int]]] | None = None,
    ) -> None:
        self.text = text
        self.entities = entities or {}
        self.persons = persons or {}
        self.gaz = gazetteer
        own = (commune.name_nl, commune.name_fr) if commune else ()
        self.finder = Finder(gazetteer, own, text.language)
        self.commune = commune
        self.partners: dict[str, Evidence] = {}
        self.country_ctx = ""
        self.protocol_ctx: list[tuple[int, str]] = []  # heading stack: (level, text)
        self.section: Section | None = None
        self.lead_in = ""  # "X is twinned with the following cities:" before a list or table
        self.considered: list[str] = []
        self._page_countries: set[str] = set()
        self.weighed: list[Weighed] = []  # every candidate with its features (for `explain`)
        self.dropped: dict[str, Evidence] = {}
        self.partnership_page = any(v.COOPERATION.search(b.text) for b in text.blocks if b.kind == "heading")

    # -- bookkeeping -------------------------------------------------------
    def _partner(self, m: Mention) -> Evidence:
        key = partner_key(m.name)
        ev = self.partners.get(key)
        if ev is None:
            ev = Evidence(m.name, m.partner_type, len(self.partners), lang=self.text.language)
            self.partners[key] = ev
        elif m.typed and ev.partner_type == "other":
            ev.partner_type = m.partner_type
        if m.country:
            ev.set_country(m.country, OWN)
            ev.explicit = True
        if ev.partner_type != "network" and self.country_ctx:
            ev.set_country(self.country_ctx, SECTION)
        return ev

    def _context_protocol(self, ev: Evidence) -> None:
        for _, heading in [(0, self.lead_in), *reversed(self.protocol_ctx)]:
            proto = mn.protocol_in(heading)
            if proto:
                if ev.protocol[2] < CONTEXT:
                    ev.protocol = (proto[0], proto[1], CONTEXT)
                return

    def _push_heading(self, block: Block) -> None:
        self.lead_in = ""
        level = block.level or 7
        self.protocol_ctx = [(lv, t) for lv, t in self.protocol_ctx if lv < level or (level == 7 and lv != 7)]
        self.protocol_ctx.append((level, block.text))

    # -- block handlers -----------------------------------------------------
    def heading_partners(self, text: str, list_context: bool, bare_ok: bool = False) -> list[Mention]:
        """Partners a heading, item or row introduces; the last dash-separated segment names them."""
        if v.NETWORK_WORDS.match(text) and len(text.split()) >= 3 and not text.rstrip().endswith("en"):
            name = mn.clean_name(text)
            return [Mention(name, "network", 0, len(text), typed=True)]
        segments = [text]
        for sep in SEGMENT_SPLIT:
            if sep in text:
                segments = [s for s in text.split(sep) if s.strip()]
                break
        found: list[Mention] = []
        for i in range(len(segments) - 1, -1, -1):  # the most specific segment comes last
            found = self._segment_partners(segments[i], list_context, bare_ok)
            if found:
                segments = segments[: i + 1]
                break
        if found and len(segments) > 1:
            for parent in segments[:-1]:
                code = self.finder.country_heading(parent)
                if code:
                    found = [Mention(m.name, m.partner_type, m.start, m.end, m.country or code, m.typed) for m in found]
                elif partner_key(parent) in self.partners:
                    found.append(Mention(self.partners[partner_key(parent)].name, "region", 0, 0))
        return found

    def _segment_partners(self, segment: str, list_context: bool, bare_ok: bool) -> list[Mention]:
        found = self.finder.mentions(segment, allow_untyped=False)
        if found:
            return found
        related = mn.HEADING_RELATION.search(segment)  # "Einde van de verbroedering met X"
        if related and v.COOPERATION.search(segment[: related.start()]):
            name = mn.clean_name(related.group("name"))
            if self.finder.acceptable(name):
                return [Mention(name, self.finder.place_type(name), related.start("name"), related.end())]
        whole = mn.clean_name(segment)
        if "," in whole:  # "Saint-Lambert, Quebec (2011)": the name, then where it is
            whole = mn.clean_name(whole.split(",")[0])
        if len(whole.split()) > 5 or not self.finder.acceptable(whole):
            return []
        # A bare name is a partner when the gazetteer knows it as a foreign place and it
        # stands in a list of partners or under a country heading; an unknown name only
        # as an entry of such a list, and only if it is shaped like a proper name.
        if self.finder.is_place(whole):
            ok = list_context or bool(self.country_ctx)
        else:
            ok = bare_ok and list_context and self.finder.proper_name(whole)
        return [Mention(whole, self.finder.place_type(whole), 0, len(segment))] if ok else []

    def _in_partner_list(self) -> bool:
        """Are we under a heading about partnerships ("Nos villes jumelles", "Stedenbanden")?"""
        return bool(self.protocol_ctx) and bool(v.COOPERATION.search(self.protocol_ctx[-1][1]))

    def open_section(self, found: list[Mention], block: Block) -> None:
        keys = []
        for m in found:
            ev = self._partner(m)
            self._context_protocol(ev)
            ev.add_text(block.text, OWN, evidence=True)
            keys.append(partner_key(m.name))
        self.section = Section(keys, block.level)

    def on_heading(self, block: Block) -> None:
        if v.LABEL_LINE.match(block.text):
            self.on_prose(block)
            return
        code = self.finder.country_heading(block.text)
        if code:
            self.country_ctx = code
            self.section = None
            return
        found = self.heading_partners(block.text, list_context=self._in_partner_list())
        if found:
            self.open_section(found, block)
            return
        about = self._known_in(block.text)
        if len(about) == 1:  # "Doelstellingen te X", "Einde van de verbroedering met X"
            status = mn.status_in(block.text)
            if status:
                self.partners[about[0]].status = (status, OWN)
            self.section = Section(about, block.level, after_label=True, about_only=True)
            return
        if self.section is None or block.level <= self.section.level or block.level == 0:
            self.section = None
        self._push_heading(block)

    @staticmethod
    def _title_like(text: str) -> bool:
        return len(text.split()) <= 25 and not text.rstrip().endswith((".", "!", "?", ";", ","))

    def _known_in(self, text: str) -> list[str]:
        """Keys of the partners already found that `text` names."""
        padded = f" {partner_key(text)} "
        return [key for key in self.partners if f" {key} " in padded]

    def _section_text(self, text: str, strength: float, evidence: bool = False, domains: bool = True) -> None:
        if self.section is None:
            return
        for key in self.section.keys:
            ev = self.partners[key]
            if self.section.about_only:
                for d in mn.domains_in(text, self.text.language) if domains else ():
                    ev.domains[d] = max(ev.domains.get(d, 0), strength)
            else:
                ev.add_text(text, strength, evidence, domains)

    def _names_other_town(self, sentence: str, keys: list[str]) -> bool:
        """Does a sentence in a partner's section place itself in a foreign town that is not
        that partner ("a school built in [another town]")? What it does there is that
        town's, not the partner's."""
        elsewhere = lexicon.domain_context("elsewhere", self.text.language)
        for m in mn.NAME_RE.finditer(sentence):
            name = mn.clean_name(m.group(0))
            key = partner_key(name)
            if (
                not elsewhere.search(sentence[max(0, m.start() - ELSEWHERE_CHARS) : m.start()])
                or any(key in k or k in key for k in keys)
                or not self.finder.acceptable(name)
            ):
                continue
            if any(
                p.kind == "city" and p.country_code != "BE" and fold(p.name) == fold(name)  # as written
                for p in self.gaz.place(name)
            ):
                return True
        return False

    def on_list_entry(self, block: Block) -> bool:
        """A list item or table row naming partners; True when it did."""
        text = block.text
        code = self.finder.country_heading(text)
        if code:  # a nested list: "<li>Canada<ul><li>Saint-Lambert, Quebec (2011)</li></ul></li>"
            self.country_ctx = code
            self.section = None
            return True
        cells = [c.strip() for c in text.split(" | ")] if block.kind == "row" else [text]
        if len(cells) > 1:
            found = self.row_partners(cells)
        else:
            list_context = self.section is None and self._in_partner_list()
            found = self.heading_partners(text, list_context=list_context, bare_ok=True)
            if not found:
                found = self.finder.mentions(text, allow_untyped=self.partnership_page)
        untyped = [m for m in found if not m.typed]
        found = [m for m in found if m.typed or m is untyped[0]]  # "X, Region (1988)": one partner
        if not found:
            return False
        for m in found:
            ev = self._partner(m)
            self._context_protocol(ev)
            ev.add_text(text, OWN, evidence=True)
        return True

    def row_partners(self, cells: list[str]) -> list[Mention]:
        """A table row: the partner is the first cell that is a name; a country cell gives its country."""
        cells = [self._visible_text(c) for c in cells]
        codes = [self.finder.country_heading(c) for c in cells]
        country = next((c for c in codes if c), "")
        if not country and not any(ch.isdigit() for ch in "".join(cells)):
            return []  # a header row: "Stad | Land | Jaar"
        for cell, code in zip(cells, codes, strict=True):
            if code or not cell or not cell[:1].isupper():
                continue
            name = mn.clean_name(cell)
            found = self.finder.typed_mentions(cell)
            if (
                not found
                and self.finder.acceptable(name)
                and len(name.split()) <= 5
                and (country or self.finder.is_place(name) or self.finder.proper_name(name))
            ):
                found = [Mention(name, self.finder.place_type(name), 0, len(cell))]  # the cell is the name
            if found:
                return [Mention(m.name, m.partner_type, m.start, m.end, m.country or country, m.typed) for m in found]
        return []

    @staticmethod
    def _visible_text(cell: str) -> str:
        """What a spreadsheet would show for a pasted formula cell ('=HYPERLINK(u,"X")', '@X')."""
        label = v.FORMULA_LABEL.match(cell)
        return label.group(1) if label else cell.lstrip("=+@")

    def on_prose(self, block: Block) -> None:
        code = self.finder.country_heading(block.text) if self.section and not self.section.about_only else ""
        if code and self.section is not None:  # a card: "<h3>Tulle</h3><p>France</p><p>Depuis 1992</p>"
            for key in self.section.keys:
                if self.partners[key].partner_type != "network":
                    self.partners[key].set_country(code, OWN)
            return
        label = v.LABEL_LINE.match(block.text)
        if label and self.section is not None:
            self.section.after_label = True
            self._section_text(block.text, OWN, evidence=True)
            code = self.finder.country_heading(mn.clean_name(label.group("value")))
            for key in self.section.keys if code and not self.section.about_only else ():
                self.partners[key].set_country(code, OWN)  # "Land: Frankrijk (Vaucluse)"
            return
        if not label and self._title_like(block.text):
            found = self.heading_partners(block.text, list_context=False)
            if found:  # a bold or standalone line that names partners acts as their heading
                self.open_section(found, Block("heading", block.text, self.section.level if self.section else 0))
                return
        before = len(self.partners)
        for sentence in mn.split_sentences(block.text):
            self.on_sentence(sentence)
        if len(self.partners) == before and self.section is None and mn.protocol_in(block.text):
            self.lead_in = block.text
        if self.section is not None and self.section.prose and len(self.section.keys) > 1:
            self.section = None  # which of several partners the next paragraph is about is unclear

    def on_sentence(self, sentence: str) -> None:
        cooperative = bool(v.COOPERATION.search(sentence))
        allow_untyped = cooperative and (self.partnership_page or mn.protocol_in(sentence) is not None)
        found = [
            m
            for m in self.finder.mentions(sentence, allow_untyped, self.entities.get(sentence), prose=True)
            if cooperative or m.typed
        ]
        if not cooperative and self.section is None:
            found = []
        known_mentions = self._known_in(sentence)
        if not found and not known_mentions:
            if self.section is not None:
                self._section_text(
                    sentence, self.section.strength, domains=not self._names_other_town(sentence, self.section.keys)
                )
            return
        bounds = sorted(
            {m.start for m in found}
            | {sentence.find(self.partners[k].name) for k in known_mentions if self.partners[k].name in sentence}
            | {len(sentence)}
        )
        countries = {c for c, _, _ in self.finder.countries(sentence)}
        years = mn.dates_in(sentence, self.text.language) if v.RESPECTIVELY.search(sentence) else []
        n_partners = len({partner_key(m.name) for m in found} | set(known_mentions))
        spans = sorted(
            {(m.start, m.end) for m in found}
            | {
                (
                    sentence.find(self.partners[k].name),
                    sentence.find(self.partners[k].name) + len(self.partners[k].name),
                )
                for k in known_mentions
                if self.partners[k].name in sentence
            }
        )
        for i, m in enumerate(found):
            ev = self._partner(m)
            self._context_protocol(ev)
            if len(countries) == 1 and not self._own_country_of_other(next(iter(countries)), m.name):
                ev.set_country(next(iter(countries)), 1.5)
            if n_partners == 1:
                ev.add_text(sentence, OWN, evidence=True)
                continue
            ev.add_text(self._clause(sentence, m.start, bounds), OWN, domains=False)
            ev.add_text(self._domain_clause(sentence, m.start, spans), OWN)
            ev.add_evidence(sentence)  # the whole sentence, not the clause: a reader checks it
            ev.add_text(sentence, SECTION, domains=False)  # instrument shared by the enumeration
            if len(years) == len(found):
                ev.year = (years[i].year, years[i].date, OWN)
        mentioned = [partner_key(m.name) for m in found]
        for key in known_mentions:
            ev = self.partners[key]
            if ev.name in sentence and key not in mentioned:
                ev.add_text(self._clause(sentence, sentence.find(ev.name), bounds), OWN, domains=False)
                ev.add_text(self._domain_clause(sentence, sentence.find(ev.name), spans), OWN)
                mentioned.append(key)
        if mentioned:  # the sentences that follow go on about these partners
            level = self.section.level if self.section else (self.protocol_ctx[-1][0] if self.protocol_ctx else 0)
            self.section = Section(list(dict.fromkeys(mentioned)), level, prose=True)

    @staticmethod
    def _clause(sentence: str, start: int, bounds: list[int]) -> str:
        """The part of a sentence about the partner named at `start`: from the last clause
        break after the previous partner (or the sentence start) to where the next one's begins."""
        nxt = min((b for b in bounds if b > start), default=len(sentence))
        prev = max((b for b in bounds if b < start), default=-1)
        if prev < 0:
            return sentence[:nxt]
        gap = sentence[prev:start]
        cut = max(gap.rfind(";"), gap.rfind(","), gap.rfind(":"))
        return sentence[(prev + cut + 1 if cut >= 0 else start) : nxt]

    @staticmethod
    def _domain_clause(sentence: str, start: int, spans: list[tuple[int, int]]) -> str:
        """What a sentence naming several partners says of the one at `start`: between two
        partners, the words before the last clause break go with the first ("Tulle pour la
        culture, et Fès pour la santé"), those after it lead to the second ("..., our clubs
        play in X"); partners joined by a bare "and" or comma share their clause ("exchanges
        with X and Y")."""
        at = next((i for i, (s, _) in enumerate(spans) if s == start), None)
        if at is None:
            return sentence
        lo = hi = at
        while lo > 0 and COORDINATION.fullmatch(sentence[spans[lo - 1][1] : spans[lo][0]]):
            lo -= 1
        while hi < len(spans) - 1 and COORDINATION.fullmatch(sentence[spans[hi][1] : spans[hi + 1][0]]):
            hi += 1
        begin, end = 0, len(sentence)
        if lo > 0:
            gap_start = spans[lo - 1][1]
            cut = max(sentence.rfind(ch, gap_start, spans[lo][0]) for ch in CLAUSE_BREAKS)
            begin = cut + 1 if cut >= 0 else spans[lo][0]
        if hi < len(spans) - 1:
            gap_end = spans[hi + 1][0]
            cut = max(sentence.rfind(ch, spans[hi][1], gap_end) for ch in CLAUSE_BREAKS)
            end = cut if cut >= 0 else gap_end
        return sentence[begin:end]

    # -- the walk -------------------------------------------------------------
    # -- the decision ------------------------------------------------------------
    def _own_keys(self) -> set[str]:
        if self.commune is None:
            return set()
        return {fold(n) for n in (self.commune.name_nl, self.commune.name_fr) if n}

    def _partnership_unit(self, unit: Unit) -> bool:
        """May unknown capitalised names here be partners? In partnership wording, under a
        partnership heading, after a lead-in about partners (list lines), or where authorities
        are introduced with their nationality ("les communes marocaines de X et Y")."""
        if v.COOPERATION.search(unit.text) or v.PARTNERSHIP_PAGE.search(unit.text):
            return True
        if v.PARTNERSHIP_PAGE.search(unit.heading) or mn.protocol_in(unit.heading):
            return True
        if unit.list_line and (v.PARTNERSHIP_PAGE.search(unit.lead) or mn.protocol_in(unit.lead)):
            return True
        return any(nationality_country(m.group("adj")) for m in TYPE_ADJ_ANYWHERE.finditer(unit.text))

    def decide(self) -> None:
        """Weigh every candidate of the page (the rules' partners included) and keep the partners."""
        decider = Decider(self.gaz, self._own_keys(), self.text.language, self.commune.nis if self.commune else "")
        units = [
            u
            for u in page_units(self.text.blocks)
            if not (len(u.text) < 120 and (v.PAGE_DATE_LINE.search(u.text) or v.CONTACT_LINE.search(u.text)))
        ]
        per_unit: list[list[Weighed]] = []
        rule_keys = set(self.partners)
        absorbed: dict[str, str] = {}
        for unit in units:
            cands = decider.candidates(unit, self._partnership_unit(unit), self.entities.get(unit.text))
            for _, start, end in self.persons.get(unit.text, ()):
                for c in cands:
                    if c.start < end and start < c.end:
                        c.person = True
            lowered = fold(unit.text)
            for key in rule_keys:  # where the rules' partners stand in this unit
                ev = self.partners[key]
                pos = unit.text.find(ev.name)
                if pos < 0 or any(c.start <= pos < c.end or pos <= c.start < pos + len(ev.name) for c in cands):
                    for c in cands if pos >= 0 else ():
                        if pos <= c.start < pos + len(ev.name) and c.end <= pos + len(ev.name):
                            if partner_key(c.name) == key:
                                c.features.add("rule")  # "Provincie Kongo-Central" is "Kongo-Central"
                            elif TYPED_AROUND.fullmatch(ev.name[: c.start - pos] + " " + ev.name[c.end - pos :]):
                                c.vetoes.add("inside a longer partner name")  # "4de District van ... Boedapest"
                                c.features.add("inside_rule")
                            elif c.start == pos and c.known:
                                c.features.add("rule")
                                absorbed[key] = partner_key(c.name)  # "Wittenberg Kristof Pieters": the rule ran on
                        elif c.start <= pos < c.end:
                            c.features.add("rule")
                            if c.known and len(c.name) < len(ev.name) and pos == c.start:
                                absorbed[key] = partner_key(c.name)  # "Wittenberg Kristof Pieters": the rule ran on
                    continue
                if f" {fold(ev.name)} " in f" {lowered} ":
                    c = Weighed(ev.name, pos, pos + len(ev.name), unit, known=bool(self.gaz.place(ev.name)))
                    c.features.add("rule")
                    cands.append(c)
            per_unit.append(cands)
        confirmed = {fold(self.partners[k].name) for k in rule_keys if self.partners[k].explicit}
        for _ in range(2):  # a second pass lets enumerations lean on the partners the first found
            for cands in per_unit:
                for c in cands:
                    inside = "inside_rule" in c.features
                    c.features = {f for f in c.features if f == "rule"}
                    c.vetoes = {"inside a longer partner name"} if inside else set()
                    decider.weigh(c, cands, confirmed)
                    if inside:
                        c.features.add("inside_rule")
            confirmed |= {fold(c.name) for cands in per_unit for c in cands if c.accepted}
        self.considered = sorted(
            {c.name for cands in per_unit for c in cands} | {e.name for e in self.partners.values()}
        )
        self.weighed = [c for cands in per_unit for c in cands]
        per_unit_of = {cands[0].unit.index: cands for cands in per_unit if cands}
        by_key: dict[str, list[Weighed]] = {}
        for cands in per_unit:
            for c in cands:
                by_key.setdefault(partner_key(c.name), []).append(c)
        for key in list(self.partners):  # the rules' partners: vetoed, or weighed too low, they go
            seen = by_key.get(key, [])
            own = key in {partner_key(n) for n in self._own_keys()} or decider.is_own(fold(self.partners[key].name))
            vetoed = not seen and bool(decider.name_vetoes(self.partners[key].name) - {"own authority"})
            if (
                own
                or vetoed
                or (seen and not any(c.accepted for c in seen))
                or (not seen and key in absorbed and any(c.accepted for c in by_key.get(absorbed[key], [])))
            ):
                self.dropped[key] = self.partners.pop(key)
        for key, seen in by_key.items():
            accepted = [c for c in seen if c.accepted]
            if key in self.dropped or not accepted:
                continue
            if key not in self.partners:
                self._add_decided(accepted)
            ev = self.partners[key]
            for c in seen:  # the other sentences naming only it that speak of the partnership
                others = {partner_key(o.name) for o in per_unit_of.get(c.unit.index, []) if o.accepted} - {key}
                if not c.accepted and not others and not (c.vetoes & NAME_VETOES) and v.COOPERATION.search(c.unit.text):
                    ev.add_text(c.unit.text, SECTION)
            for c in sorted(accepted, key=lambda c: c.unit.index):
                self._unit_context(ev, c.unit)
                if c.country and ev.partner_type != "network":
                    ev.set_country(c.country, SECTION)  # "het Peruaanse San Jerónimo", "AUBENAS (F)"
                context = c.unit.lead or (
                    c.unit.heading
                    if len(c.unit.heading.split()) >= 3 and v.PARTNERSHIP_PAGE.search(c.unit.heading)
                    else ""
                )
                if c.unit.list_line and context and len(c.unit.text) < MIN_STATEMENT_CHARS:
                    ev.statements.append((c.unit.index - 1, context))  # "Leuven heeft de volgende partnersteden:"
                ev.statements.append((c.unit.index, c.unit.text))
        self._merge_same_place()
        self._domains_around(units, by_key)
        self._page_protocol(units)
        self._dateline_year(units, by_key)

    def _dateline_year(self, units: list[Unit], by_key: dict[str, list[Weighed]]) -> None:
        """A news item reporting a signature or a decision as it happens ("Arlon and Trier ink
        a twinning deal"): a partner with no year of its own takes the item's date."""
        dated = next(
            (v.DATELINE_PREFIX.match(u.text) for u in units[:MAX_DATELINE_UNITS] if v.DATELINE_PREFIX.match(u.text)),
            None,
        )
        if dated is None:
            return
        date = mn.dates_in(dated.group(0), self.text.language, keep_dateline=True)
        if not date:
            return
        for key, seen in by_key.items():
            ev = self.partners.get(key)
            if ev is None or ev.year[0] is not None:
                continue
            if any(c.accepted and mn.protocol_in(c.unit.text) and v.SIGNING_NOW.search(c.unit.text) for c in seen):
                ev.year, ev.year_text = (date[0].year, date[0].date, PAGE), ""

    @staticmethod
    def _unit_context(ev: Evidence, unit: Unit) -> None:
        """The instrument of the list a line belongs to: its lead-in sentence, its heading."""
        for context in (unit.lead, unit.heading):
            proto = mn.protocol_in(context) if context else None
            if proto and ev.protocol[2] < CONTEXT:
                ev.protocol = (proto[0], proto[1], CONTEXT)
                return

    def _page_protocol(self, units: list[Unit]) -> None:
        """A partner whose own sentences name no instrument takes the page's: the one its
        partnership sentences name most often ("verbroedering" in the title of a report)."""
        counts: dict[tuple[str, str], int] = {}
        for unit in units:
            proto = mn.protocol_in(unit.text)
            if proto and proto[0] != "network_membership":
                counts[proto] = counts.get(proto, 0) + 1
        if not counts:
            return
        best = max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
        for ev in self.partners.values():
            if ev.protocol[0] == "unspecified" and ev.partner_type != "network":
                ev.protocol = (best[0], best[1], PAGE)

    def _merge_same_place(self) -> None:
        """One partner per town: "Wittenberg" and "Lutherstadt Wittenberg", "Luik" and "Liège"
        are one GeoNames place; the longer name keeps the other's evidence."""
        by_place: dict[int, str] = {}
        for key in sorted(self.partners, key=lambda k: (-len(self.partners[k].name), k)):
            ev = self.partners[key]
            towns = [
                p
                for p in self.gaz.place(ev.name)
                if p.kind == "city" and (not ev.country[0] or p.country_code == ev.country[0])
            ]
            if not towns:
                continue
            town = max(towns, key=lambda p: p.population).geonameid
            if town not in by_place:
                by_place[town] = key
                continue
            keep = self.partners[by_place[town]]
            for text in ev.sentences:
                keep.add_evidence(text)
            keep.statements.extend(ev.statements)
            for d, strength in ev.domains.items():
                keep.domains[d] = max(keep.domains.get(d, 0), strength)
            if ev.year[2] > keep.year[2]:
                keep.year, keep.year_text = ev.year, ev.year_text
            if ev.protocol[2] > keep.protocol[2]:
                keep.protocol = ev.protocol
            self.dropped[key] = self.partners.pop(key)

    def _domains_around(self, units: list[Unit], by_key: dict[str, list[Weighed]]) -> None:
        """Domains stated in the sentences that follow a partner's statement, up to the next
        heading or the next sentence naming another partner ("De verzustering zou cultureel
        van aard zijn ... onderwijs, sport en toerisme")."""
        named: dict[int, set[str]] = {}
        for key, seen in by_key.items():
            if key in self.partners:
                for c in seen:
                    if c.accepted or "rule" in c.features:
                        named.setdefault(c.unit.index, set()).add(key)
        position = {u.index: i for i, u in enumerate(units)}
        if len(self.partners) == 1:  # a page about one partnership: what it says of "the partnership"
            key, ev = next(iter(self.partners.items()))
            first = min((c.unit.index for c in next(iter(by_key.values()), []) if c.accepted), default=0)
            first = min([first, *(c.unit.index for seen in by_key.values() for c in seen if c.accepted)])
            for unit in units:  # from the partner's first statement on, the page speaks of it
                if (
                    unit.kind != "heading"
                    and (unit.index >= first or v.COOPERATION.search(unit.text))
                    and not self._names_other_town(unit.text, [key])
                ):
                    for d in mn.domains_in(unit.text, self.text.language):
                        ev.domains[d] = max(ev.domains.get(d, 0), SECTION)
                if ev.year[0] is None and (mn.protocol_in(unit.text) or mn.protocol_in(unit.heading)):
                    dates = mn.start_dates_in(unit.text, self.text.language)
                    if dates:
                        best = mn.best_start_date(unit.text, dates)
                        ev.year, ev.year_text = (best.year, best.date, PAGE), unit.text
            return
        for key, seen in by_key.items():
            partner = self.partners.get(key)
            if partner is None:
                continue
            for c in seen:
                if not c.accepted or c.unit.index not in position:
                    continue
                for unit in units[position[c.unit.index] + 1 : position[c.unit.index] + 1 + DOMAIN_WINDOW]:
                    if unit.kind == "heading" or named.get(unit.index, {key}) - {key}:
                        break  # a new section, or another partner's statement
                    for d in mn.domains_in(unit.text, self.text.language) if v.COOPERATION.search(unit.text) else ():
                        partner.domains[d] = max(partner.domains.get(d, 0), SECTION)
                    if partner.year[0] is None and mn.protocol_in(unit.text):  # "Ce jumelage, datant de 1979, ..."
                        dates = mn.start_dates_in(unit.text, self.text.language)
                        if dates:
                            best = mn.best_start_date(unit.text, dates)
                            partner.year, partner.year_text = (best.year, best.date, CONTEXT), unit.text

    def _add_decided(self, accepted: list[Weighed]) -> None:
        best = max(accepted, key=lambda c: c.score)
        typed = "typed" in best.features
        m = Mention(best.name, self.finder.place_type(best.name), best.start, best.end, best.country, typed)
        ev = self._partner(m)
        for c in accepted:
            ev.add_text(c.unit.text, OWN, evidence=True)

    def run(self) -> list[Finding]:
        for block in self.text.blocks:
            if len(block.text) < 120 and (v.PAGE_DATE_LINE.search(block.text) or v.CONTACT_LINE.search(block.text)):
                continue
            if block.kind == "heading":
                self.on_heading(block)
            elif block.kind in ("item", "row"):
                if not self.on_list_entry(block):
                    self.on_prose(block)
            else:
                self.on_prose(block)
        self.decide()
        return list(self.findings())

    def findings(self) -> Iterable[Finding]:
        self._page_countries = self.page_countries()
        for ev in sorted(self.partners.values(), key=lambda e: e.order):
            yield self.to_finding(ev)

    @staticmethod
    def evidence_of(ev: Evidence) -> str:
        """The sentences or lines that state the partnership (with the lead-in of a bare list
        line), in page order, then the one that gives the year when it is another."""
        parts = list(dict.fromkeys(text for _, text in sorted(set(ev.statements))))
        if not parts or sum(map(len, parts)) < MIN_STATEMENT_CHARS:
            parts = list(dict.fromkeys([*parts, *ev.sentences]))
        parts = parts[:MAX_EVIDENCE_PARTS]
        if ev.year_text and ev.year[0] is not None and not any(ev.year_text in p for p in parts):
            parts.append(ev.year_text)
        return " … ".join(parts)[:MAX_EVIDENCE_CHARS]

    def _own_country_of_other(self, code: str, name: str) -> bool:
        """ "Kupang in East Nusa Tenggara and Arlon in Belgium": the own authority's country, said of it,
        is not a foreign partner's (a partner in the same country names itself as such)."""
        own = self.commune.country_code if self.commune else ""
        if code != own:
            return False
        return not any(p.country_code == own for p in self.gaz.place(name)) and (
            own != "BE" or self.gaz.belgian_municipality(name) is None
        )

    def page_countries(self) -> set[str]:
        """The foreign countries the page's partnership sentences name."""
        own = self.commune.country_code if self.commune else ""
        found = set()
        for block in self.text.blocks:
            if v.COOPERATION.search(block.text) or v.PARTNERSHIP_PAGE.search(block.text):
                found |= {c for c, _, _ in self.finder.countries(block.text)}
        return found - {own}

    def to_finding(self, ev: Evidence) -> Finding:
        prefer = {e.country[0] for e in self.partners.values() if e.country[0]} | self._page_countries
        country = ev.country[0] or self.gaz.place_country(ev.name, prefer=prefer)
        protocol, label, p_strength = ev.protocol
        top = max(ev.domains.values(), default=0)
        domains = tuple(sorted(d for d, s in ev.domains.items() if s >= min(top, SECTION)))
        year, date, _ = ev.year
        return Finding(
            partner=ev.name,
            partner_type=ev.partner_type,
            country_code=country,
            protocol_type=protocol,
            protocol_label=label,
            instrument_near=p_strength >= SECTION,
            instrument_own=p_strength >= OWN,
            year=year,
            date=date,
            status=ev.status[0],
            domains=domains,
            evidence=self.evidence_of(ev),
            explicit=ev.explicit,
            source_url=self.text.source_url,
            language=self.text.language,
            commune=self.commune.name if self.commune else "",
            commune_nis=self.commune.nis if self.commune else "",
        )


def cooperative_sentences(text: Text) -> list[str]:
    """The prose sentences worth a spaCy pass: those with cooperation vocabulary."""
    out: dict[str, None] = {}
    for block in text.blocks:
        if block.kind == "heading" or not v.COOPERATION.search(block.text):
            continue
        for sentence in mn.split_sentences(block.text):
            if v.COOPERATION.search(sentence):
                out.setdefault(sentence)
    return list(out)


def mentions_page(text: Text) -> bool:
    """Cheap pre-filter: a page that never uses partnership wording cannot state a partnership."""
    return any(v.PARTNERSHIP_PAGE.search(b.text) for b in text.blocks)


def extract_page(text: Text, commune: Commune | None, resources: Resources) -> Extraction:
    """The page's partners as it states them, and every name the extraction weighed (for
    candidate recall). spaCy's place entities (`resources.use_nlp`) add candidates; its
    persons veto names."""
    if not mentions_page(text):
        return Extraction()
    spans: dict[str, list[tuple[str, int, int]]] = {}
    persons: dict[str, list[tuple[str, int, int]]] = {}
    if resources.use_nlp:
        sentences = cooperative_sentences(text)
        for sentence, ents in zip(sentences, resources.entities(sentences, text.language or "en"), strict=True):
            spans[sentence] = [(e.text, e.start, e.end) for e in ents if e.label in PLACE_LABELS]
            persons[sentence] = [(e.text, e.start, e.end) for e in ents if e.label == PERSON_LABEL]
    extractor = PageExtractor(text, resources.gazetteer, commune, spans, persons)
    found = extractor.run()
    return Extraction(tuple(found), tuple(extractor.considered), tuple(extractor.weighed))
