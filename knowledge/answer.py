"""Answers with citations: extractive by default, grounded LLM prose when one is configured."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.chunking import split_sentences
from knowledge.messages import I_DONT_KNOW, message
from knowledge.store import StoredChunk
from knowledge.tokens import tokenize

__all__ = [
    "LANGUAGE_NAMES",
    "Answer",
    "Citation",
    "LLMAnswerer",
    "citation_for",
    "extract_passage",
    "refusal",
]

LANGUAGE_NAMES = {"en": "English", "ar": "Arabic", "fa": "Persian", "sw": "Swahili", "pl": "Polish"}
NO_ANSWER = "NO_ANSWER"
MAX_ANSWER_CHARS = 480


@dataclass(frozen=True)
class Citation:
    """Where an answer came from: the title path, the source path or URL, and an anchor."""

    title: str
    source: str
    anchor: str = ""

    @property
    def link(self) -> str:
        return f"{self.source}#{self.anchor}" if self.anchor else self.source


@dataclass(frozen=True)
class Answer:
    """What the conversation engine shows; ``grounded=False`` means "I don't know"."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    score: float = 0.0
    grounded: bool = False
    language: str = "en"
    article: str = ""


def refusal(language: str, score: float = 0.0) -> Answer:
    """The honest "I don't know" in the question's language."""
    return Answer(message(I_DONT_KNOW, language), [], score, False, language)


def citation_for(chunk: StoredChunk) -> Citation:
    meta = chunk.metadata
    return Citation(chunk.title_path, str(meta.get("source", "")), str(meta.get("anchor", "")))


def extract_passage(question: str, text: str, max_chars: int = MAX_ANSWER_CHARS) -> str:
    """A few consecutive sentences of ``text``, starting where the question's words match best."""
    sentences = split_sentences(text)
    if not sentences:
        return text.strip()
    if len(text) <= max_chars:
        return "\n".join(sentences)
    wanted = set(tokenize(question))
    overlaps = [len(wanted & set(tokenize(s))) for s in sentences]
    start = max(range(len(sentences)), key=lambda i: (overlaps[i], -i)) if wanted else 0
    picked: list[str] = []
    size = 0
    for sentence in sentences[start:]:
        if picked and size + len(sentence) > max_chars:
            break
        picked.append(sentence)
        size += len(sentence) + 1
    return "\n".join(picked)


_SYSTEM_PROMPT = """You are the help-centre assistant of the company.
Answer ONLY from the numbered context passages. Never use outside knowledge.
Write {language_name}, in two to four short sentences.
Cite the passages you used with their numbers in square brackets, like [1].
If the passages do not answer the question, reply with exactly {no_answer} and nothing else."""


class LLMAnswerer:
    """Grounded answers through LangChain ``ChatOpenAI`` (any OpenAI-compatible endpoint)."""

    def __init__(
        self,
        model: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        from langchain_openai import ChatOpenAI
        from pydantic import SecretStr

        self._chat = ChatOpenAI(
            model=model,
            api_key=SecretStr(api_key or "not-needed"),
            base_url=base_url,
            temperature=0,
            timeout=timeout,
            max_retries=1,
        )

    def answer(self, question: str, language: str, chunks: Sequence[StoredChunk], score: float) -> Answer:
        """Ask the model; citations are the passages it referenced (never anything else)."""
        from langchain_core.messages import HumanMessage, SystemMessage

        context = "\n\n".join(
            f"[{n}] {chunk.title_path}\n{chunk.text}" for n, chunk in enumerate(chunks, start=1)
        )
        system = _SYSTEM_PROMPT.format(
            language_name=f"in {LANGUAGE_NAMES.get(language, 'English')}", no_answer=NO_ANSWER
        )
        reply = self._chat.invoke(
            [
                SystemMessage(system),
                HumanMessage(f"Context:\n{context}\n\nQuestion: {question}"),
            ]
        )
        text = reply.content if isinstance(reply.content, str) else str(reply.content)
        text = text.strip()
        if not text or NO_ANSWER in text:
            return refusal(language, score)
        used = sorted({int(n) for n in re.findall(r"\[(\d+)\]", text) if 1 <= int(n) <= len(chunks)})
        cited = [chunks[n - 1] for n in used] or [chunks[0]]
        citations = list(dict.fromkeys(citation_for(c) for c in cited))
        return Answer(text, citations, score, True, language, cited[0].article)
