"""Start-up: nothing heavy at import time, spaCy only when a page needs it."""

from __future__ import annotations

import subprocess
import sys

from pipeline.nlp import entities
from pipeline.stopwords import DE_STOP, EN_STOP, FR_STOP, NL_STOP


def test_importing_the_pipeline_does_not_import_spacy() -> None:
    code = "import sys, pipeline.runner, pipeline.cli; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_stop_words_are_spacys() -> None:
    from spacy.lang.de.stop_words import STOP_WORDS as de
    from spacy.lang.en.stop_words import STOP_WORDS as en
    from spacy.lang.fr.stop_words import STOP_WORDS as fr
    from spacy.lang.nl.stop_words import STOP_WORDS as nl

    assert (DE_STOP, EN_STOP, FR_STOP, NL_STOP) == (de, en, fr, nl)


def test_no_text_loads_no_pipeline() -> None:
    code = ("import sys; from pipeline.nlp import entities, load; entities([], 'fr'); "
            "print(load.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
    assert entities([], "nl") == []
