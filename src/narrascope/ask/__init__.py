"""Ask the corpus: answers built only from cited sentences (``narrascope ask``)."""

from narrascope.ask.core import Asker, AskOptions, ask, bench_ask
from narrascope.ask.llm import LLMBackend, checked_rewrite

__all__ = ["AskOptions", "Asker", "LLMBackend", "ask", "bench_ask", "checked_rewrite"]
