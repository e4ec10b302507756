"""Stage 3, language: ISO 639-1 code of a text, by py3langid restricted to the languages served."""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib import metadata
from typing import Any

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from py3langid.modelio import load_model

from pipeline.knowledge.diskcache import cache_dir, load_or_build

log = logging.getLogger(__name__)

LANGUAGES = ("nl", "fr", "en", "de")
SAMPLE_CHARS = 5000
MODEL_FORMAT = 1  # bump when the cached model's shape changes


def _restricted_model() -> tuple[Any, ...]:
    """py3langid's model cut down to LANGUAGES: (ptc, pc, classes, nextmove, row, output).
    A LanguageIdentifier built from it classifies as the full model does after
    set_languages(LANGUAGES): the same columns, in the same order."""
    ptc, pc, classes, nextmove, row, output = load_model(MODEL_DIR / MODEL_FILE)
    keep = [i for i, c in enumerate(classes) if c in LANGUAGES]
    return ptc[:, keep], pc[keep], [classes[i] for i in keep], nextmove, row, output


def _cached_model() -> tuple[Any, ...]:
    """The restricted model, decompressed once per py3langid version into the cache directory
    (reading the shipped xz-compressed model costs 0.48 s per process; the cached one 0.02 s)."""
    path = cache_dir() / f"langid-{metadata.version('py3langid')}-{'-'.join(LANGUAGES)}-v{MODEL_FORMAT}.pickle"
    return load_or_build(path, _restricted_model, lambda m: isinstance(m, tuple) and len(m) == 6, "language model")


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    ptc, pc, classes, nextmove, row, output = _cached_model()
    return LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)


def detect_language(text: str, default: str = "") -> str:
    """Most likely of nl/fr/en/de for `text`; `default` when there is too little text to tell."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < 20:
        return default
    lang, _prob = _identifier().classify(sample)
    return str(lang)
