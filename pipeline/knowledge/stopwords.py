"""spaCy's stop-word lists of the four served languages, without importing spaCy.

`from spacy.lang.fr.stop_words import STOP_WORDS` runs `spacy/__init__.py` and
`spacy/lang/fr/__init__.py` first: importing spaCy and compiling the French tokenizer's
exception patterns cost 2.3 s of start-up (python -X importtime, spaCy 3.8), for four
sets of words. Each `stop_words.py` is one set literal with no imports, so it is read
and run here on its own; the sets are the same objects' contents spaCy would give.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

LANGUAGES = ("de", "en", "fr", "nl")


def _spacy_lang_dir() -> Path:
    spec = importlib.util.find_spec("spacy")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("spaCy is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "lang"


def load_stop_words(lang: str) -> frozenset[str]:
    """STOP_WORDS of spacy/lang/<lang>/stop_words.py."""
    path = _spacy_lang_dir() / lang / "stop_words.py"
    namespace: dict[str, object] = {"__name__": f"spacy.lang.{lang}.stop_words", "__file__": str(path)}
    exec(compile(path.read_bytes(), str(path), "exec"), namespace)
    words = namespace["STOP_WORDS"]
    if not isinstance(words, set | frozenset):
        raise ImportError(f"{path}: STOP_WORDS is not a set")
    return frozenset(words)


DE_STOP, EN_STOP, FR_STOP, NL_STOP = (load_stop_words(lang) for lang in LANGUAGES)
