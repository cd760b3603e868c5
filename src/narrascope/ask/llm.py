"""Optional LLM backends that rewrite a composed answer into prose, under a citation check.

Why a check and not trust: a model may merge, drop or invent. The composed answer is
already correct and cited; the model only gets to reword it, and its output is kept only
if every sentence carries at least one ``[n]`` marker naming a citation of the composed
answer (each of which is a stored span). Anything else falls back to the composed answer.

Two backends: an OpenAI-compatible chat endpoint (httpx; ``--llm-endpoint``/``--llm-model``
or ``NARRASCOPE_LLM_ENDPOINT``, ``NARRASCOPE_LLM_MODEL``, ``NARRASCOPE_LLM_KEY``) and a
local GGUF file through llama-cpp-python, imported only when asked for (not a dependency).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from narrascope.errors import OptionInvalid
from narrascope.records import Answer, AnswerSentence

if TYPE_CHECKING:
    from narrascope.ask.core import AskOptions

LOGGER = logging.getLogger(__name__)
_MARK_RE = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_SENT_RE = re.compile(r"(?<=[.!?…”\]])\s+(?=[A-Z“\"‘(])")

SYSTEM_PROMPT = (
    "You rewrite a cited answer into clear prose. Use only the facts in the numbered "
    "sentences. Keep every claim attributed to the source that makes it; never state a "
    "contested claim as fact. End every sentence with the [n] markers of the citations it "
    "rests on, using only the numbers given."
)


class LLMBackend(Protocol):
    """Anything that turns a prompt into text."""

    name: str

    def complete(self, system: str, prompt: str) -> str: ...


def prompt_for(answer: Answer) -> str:
    lines = [f"Question: {answer.question}", "", "Cited answer:"]
    for s in answer.sentences:
        lines.append(f"- {s.text} " + "".join(f"[{c}]" for c in s.citations))
    lines += ["", "Sources:"]
    lines += [f"[{c.id}] {c.outlet or c.doc}, {c.published or 'undated'}: {c.text}"
              for c in answer.citations]
    return "\n".join(lines)


def parse_cited(text: str, valid: set[int]) -> list[AnswerSentence] | None:
    """Split model output into sentences with their ``[n]`` ids; None if any sentence lacks
    a valid citation (or cites an id that is not in ``valid``)."""
    out: list[AnswerSentence] = []
    for raw in _SENT_RE.split(" ".join(text.split())):
        raw = raw.strip()
        if not raw:
            continue
        ids = [int(x) for m in _MARK_RE.finditer(raw) for x in re.split(r"[,;]", m.group(1))]
        if not ids or any(i not in valid for i in ids):
            return None
        body = _MARK_RE.sub("", raw).strip()
        body = re.sub(r"\s+([.,;:!?])", r"\1", body)
        if not body:
            continue
        out.append(AnswerSentence(body, tuple(dict.fromkeys(ids))))
    return out or None


def checked_rewrite(backend: LLMBackend, answer: Answer) -> Answer:
    """The backend's rewrite of ``answer`` if every sentence keeps a real citation, else
    ``answer`` unchanged."""
    try:
        text = backend.complete(SYSTEM_PROMPT, prompt_for(answer))
    except Exception as exc:  # any backend failure falls back to the composed answer
        LOGGER.warning("ask: LLM backend %s failed (%s); using the composed answer",
                       backend.name, exc)
        return answer
    sentences = parse_cited(text, {c.id for c in answer.citations})
    if sentences is None:
        LOGGER.info("ask: LLM output dropped a citation; using the composed answer")
        return answer
    return replace(answer, sentences=tuple(sentences), backend=backend.name)


class OpenAICompatible:
    """Chat completions on an OpenAI-compatible HTTP endpoint (vLLM, llama.cpp server, ...)."""

    name = "openai"

    def __init__(self, endpoint: str, model: str, api_key: str | None = None,
                 timeout: float = 60.0) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.model, self.api_key, self.timeout = model, api_key, timeout

    def complete(self, system: str, prompt: str) -> str:
        import httpx

        url = self.endpoint if self.endpoint.endswith("/chat/completions") else \
            f"{self.endpoint}/chat/completions"
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        r = httpx.post(url, headers=headers, timeout=self.timeout, json={
            "model": self.model, "temperature": 0,
            "messages": [{"role": "system", "content": system},
                         {"role": "user", "content": prompt}],
        })
        r.raise_for_status()
        data: Any = r.json()
        return str(data["choices"][0]["message"]["content"])


class LlamaCpp:
    """A local GGUF model through llama-cpp-python (install it yourself; not a dependency)."""

    name = "gguf"

    def __init__(self, model_path: str) -> None:
        try:
            from llama_cpp import Llama
        except ModuleNotFoundError as exc:
            raise OptionInvalid(
                "--llm gguf needs llama-cpp-python (`pip install llama-cpp-python`)") from exc
        if not os.path.isfile(model_path):
            raise OptionInvalid(f"GGUF model file not found: {model_path}")
        self._llm = Llama(model_path=model_path, n_ctx=4096, verbose=False)

    def complete(self, system: str, prompt: str) -> str:
        out: Any = self._llm.create_chat_completion(
            messages=[{"role": "system", "content": system}, {"role": "user", "content": prompt}],
            temperature=0,
        )
        return str(out["choices"][0]["message"]["content"])


def backend_from_options(opts: AskOptions) -> LLMBackend | None:
    """The backend ``opts.llm`` names, or None for "none"."""
    if opts.llm == "none":
        return None
    if opts.llm == "openai":
        endpoint = opts.llm_endpoint or os.environ.get("NARRASCOPE_LLM_ENDPOINT")
        model = opts.llm_model or os.environ.get("NARRASCOPE_LLM_MODEL")
        if not endpoint or not model:
            raise OptionInvalid("--llm openai needs --llm-endpoint and --llm-model "
                                "(or NARRASCOPE_LLM_ENDPOINT / NARRASCOPE_LLM_MODEL)")
        return OpenAICompatible(endpoint, model, os.environ.get("NARRASCOPE_LLM_KEY"))
    if not opts.llm_model:
        raise OptionInvalid("--llm gguf needs --llm-model PATH.gguf")
    return LlamaCpp(opts.llm_model)
