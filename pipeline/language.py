"""Stage 3, language: ISO 639-1 code of a text, by py3langid restricted to the languages served."""

from __future__ import annotations

from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

LANGUAGES = ("nl", "fr", "en", "de")
SAMPLE_CHARS = 5000


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def detect_language(text: str, default: str = "") -> str:
    """Most likely of nl/fr/en/de for `text`; `default` when there is too little text to tell."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < 20:
        return default
    lang, _prob = _identifier().classify(sample)
    return str(lang)
