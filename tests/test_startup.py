"""Start-up: nothing heavy at import time, spaCy only when a page needs it."""

from __future__ import annotations

import subprocess
import sys

from pipeline.knowledge.stopwords import DE_STOP, EN_STOP, FR_STOP, NL_STOP


def test_importing_the_pipeline_does_not_import_spacy() -> None:
    code = "import sys, pipeline.batch.runner, pipeline.cli; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_stop_words_are_spacys() -> None:
    from spacy.lang.de import stop_words as de
    from spacy.lang.en import stop_words as en
    from spacy.lang.fr import stop_words as fr
    from spacy.lang.nl import stop_words as nl

    assert (de.STOP_WORDS, en.STOP_WORDS, fr.STOP_WORDS, nl.STOP_WORDS) == (DE_STOP, EN_STOP, FR_STOP, NL_STOP)


def test_no_text_loads_no_pipeline() -> None:
    code = (
        "import sys; from pipeline.knowledge.nlp import load; "
        "from pipeline.knowledge.resources import process_resources; "
        "process_resources().entities([], 'fr'); print(load.cache_info().currsize, 'spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0 False"


def test_without_nlp_no_pipeline_is_loaded() -> None:
    code = (
        "import sys; from pipeline.knowledge.resources import process_resources; "
        "print(process_resources(use_nlp=False).entities(['La ville de Namur.'], 'fr'), 'spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[[]] False"


def test_cached_language_model_classifies_as_py3langid(tmp_path: object, monkeypatch: object) -> None:
    import pytest
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from pipeline.stages import s3_language as language

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path))
    language._identifier.cache_clear()
    try:
        built, cached = language._identifier(), None
        language._identifier.cache_clear()
        cached = language._identifier()  # read back from the cache file
        reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        reference.set_languages(list(language.LANGUAGES))
        texts = [
            "De gemeente heeft een stedenband met Nicaragua.",
            "La commune est jumelée avec Dole.",
            "Our town is twinned with Leeds.",
            "Die Partnerschaft mit Montreuil besteht seit 1970.",
            "Jumelage",
        ]
        for text in texts:
            assert built.classify(text) == cached.classify(text) == reference.classify(text)
    finally:
        language._identifier.cache_clear()


def test_compiled_regexes_are_kept_and_given_back(tmp_path: object) -> None:
    """What `re` compiled a tokenizer pattern into is kept on disk and rebuilt equal
    (Pattern equality compares the pattern, the flags and the compiled code)."""
    import re

    from pipeline.knowledge import nlp

    pattern = re.compile("(?iu)" + "|".join(f"^{w}[-'’][a-zà-ÿ]+$" for w in ("aujourd", "entr", "saint")))
    entry = nlp._entry(pattern)
    assert entry is not None and nlp._rebuild(entry) == pattern
    assert nlp._rebuild(entry).match("Saint-Ghislain") and not nlp._rebuild(entry).match("Ath")


def test_french_tokenizer_from_kept_regexes_tokenizes_alike(tmp_path: object) -> None:
    """The French pipeline loaded with a fresh cache directory (compiling its regexes and
    keeping them) and again (from the kept ones) tokenizes the same way."""
    code = (
        "import sys; from pathlib import Path; from pipeline.knowledge import nlp; "
        "from pipeline.knowledge.resources import process_resources; "
        "nlp.cache_dir = lambda: Path(sys.argv[2]); "
        "tokens = nlp.load('fr', process_resources().gazetteer).make_doc(sys.argv[1]); "
        "print(nlp._regex_cache_path('fr').is_file(), [t.text for t in tokens])"
    )
    text = "Aujourd'hui, l'arc-en-ciel d'entr'abat à Saint-Ghislain: www.ath.be et Rochefort-sur-Mer."
    first, second = (
        subprocess.run(
            [sys.executable, "-c", code, text, str(tmp_path)], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    )
    assert first.startswith("True") and first == second


def test_languages_without_a_statistical_model_load_no_pipeline() -> None:
    code = (
        "import sys; from pipeline.knowledge.nlp import load; "
        "from pipeline.knowledge.resources import process_resources; "
        "print(process_resources().entities(['De stad Gent heeft een stedenband met Mechelen.'], 'nl'), "
        "load.cache_info().currsize, 'spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[[]] 0 False"
