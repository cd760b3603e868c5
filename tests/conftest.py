"""Shared fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nlp():
    """The packaged spaCy pipeline, loaded once per test session."""
    from narrascope.annotate.models import load_models

    return load_models().nlp
