"""scikit-learn's English stop words and word analyser, without importing scikit-learn.

Why: the stories pass counts words the way ``CountVectorizer(stop_words="english")`` does
(its pair model was trained on those counts) and ``ask`` drops the same stop words from a
question. Importing ``sklearn`` to get a word list costs about a second in every process
that does it, which was a tenth of a 1% re-run. The list is read from the pinned
scikit-learn's own source file (``sklearn/feature_extraction/_stop_words.py``, a literal
``frozenset([...])``) with :mod:`ast`, so it is the library's list, not a copy, and a test
checks it against ``sklearn.feature_extraction.text.ENGLISH_STOP_WORDS``.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
from collections.abc import Callable
from pathlib import Path

from narrascope.errors import ModelMissing


def _source() -> Path:
    spec = importlib.util.find_spec("sklearn")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing("scikit-learn is not installed; run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "feature_extraction" / "_stop_words.py"


@functools.cache
def english_stop_words() -> frozenset[str]:
    """scikit-learn's ``ENGLISH_STOP_WORDS`` (318 words)."""
    path = _source()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "ENGLISH_STOP_WORDS"
                and isinstance(node.value, ast.Call) and node.value.args):
            return frozenset(ast.literal_eval(node.value.args[0]))
    raise ModelMissing(f"no ENGLISH_STOP_WORDS literal in {path}; is scikit-learn as pinned?")


@functools.cache
def word_analyzer(token_pattern: str) -> Callable[[str], list[str]]:
    """What ``CountVectorizer(stop_words="english", token_pattern=...).build_analyzer()``
    returns for unigrams: lowercase, find the tokens, drop the stop words."""
    find = re.compile(token_pattern).findall
    stop = english_stop_words()

    def analyse(text: str) -> list[str]:
        return [w for w in find(text.lower()) if w not in stop]

    return analyse
