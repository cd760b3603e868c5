"""The stop words and word analyser read without importing scikit-learn must be sklearn's."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from narrascope.link.story_features import TOKEN_PATTERN
from narrascope.stopwords import english_stop_words, word_analyzer


def test_stop_words_are_sklearns() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = english_stop_words()
    assert words == ENGLISH_STOP_WORDS
    assert "the" in words and "afterwards" in words and "azerbaijan" not in words


def _sklearn_analyzer():  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(stop_words="english", token_pattern=TOKEN_PATTERN).build_analyzer()


def test_analyzer_matches_countvectorizer_on_news_text() -> None:
    text = ("The French Interior Minister, Gérard Darmanin, said on Wednesday that Baku's "
            "\"interference\" was a fact -- not a rumour; 4 people were killed, 7 by Friday. "
            "It's the pro-independence FLNKS that won't back down. ÉCOLE d'été 2024-05-15")
    ours = word_analyzer(TOKEN_PATTERN)(text)
    assert ours == _sklearn_analyzer()(text)
    assert "darmanin" in ours and "the" not in ours and "pro-independence" in ours


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*list("abcXYZ éÉ'-_09 \n.,"), "the ", "and ", "Ünï"]),
                max_size=40).map("".join))
def test_analyzer_matches_countvectorizer_on_any_text(text: str) -> None:
    assert word_analyzer(TOKEN_PATTERN)(text) == _sklearn_analyzer()(text)


def test_word_counting_and_question_shapes_do_not_import_sklearn() -> None:
    code = (
        "import sys\n"
        "from narrascope.link.story_features import _analyzer\n"
        "from narrascope.ask.shapes import recognise\n"
        "assert _analyzer()('The minister said so') == ['minister', 'said']\n"
        "recognise('Is there proof of Azerbaijani interference?')\n"
        "print('sklearn' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
