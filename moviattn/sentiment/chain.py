"""Phrases per review, not only sums (seed 003's closing comment): 스토리, 부자연, 억지 → 지루함 → 부정.

For one review: a shipped classifier's explanation picks the words that carry its verdict (the
top-importance content words); the three-label Target2Vec says which way each leans
(``cos(context vector, 긍정) - cos(context vector, 부정)``) and which of the review's other content
words it is about (the review's words the model most expects around it: cosine of the verdict
word's input vector with their output vectors). Words absent from the shipped vectors (seen fewer
than 20 times) cannot be placed and are left out of the "about" lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .artifacts import shipped_target2vec3
from .data import CONTENT_TAGS
from .explain import explain_sentiment


@dataclass
class ChainLink:
    """One verdict word, its explanation weight, its polarity lean, and the review words it is about."""

    word: str
    importance: float
    lean: float | None
    about: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class PhraseChain:
    """The chain of one review under one model: links and the verdict."""

    model: str
    label: str
    positive_probability: float
    links: list[ChainLink]
    notice: str | None = None

    def text(self) -> str:
        """``스토리, 억지 → 지루 → 부정`` per link, one line each."""
        verdict = "긍정" if self.label == "positive" else "부정"
        lines = []
        for link in self.links:
            about = ", ".join(w.rsplit("/", 1)[0] for w, _ in link.about)
            lines.append(f"{about + ' → ' if about else ''}{link.word.rsplit('/', 1)[0]} → {verdict}")
        return "\n".join(lines)


def _lean(word: str) -> float | None:
    t2v = shipped_target2vec3()
    i = t2v.index.get(word)
    if i is None or t2v.contexts is None or i >= len(t2v.contexts):
        return None
    return float(t2v.contexts[i] @ t2v.vector("긍정") - t2v.contexts[i] @ t2v.vector("부정"))


def phrase_chain(text: str, model: str = "bilstm_attention", links: int = 3, about: int = 3) -> PhraseChain:
    """The verdict words of ``text`` under ``model`` (at most ``links``) and what each is about (at most ``about``)."""
    result = explain_sentiment(text, model)
    t2v = shipped_target2vec3()
    content = [i for i, t in enumerate(result.tokens) if t.rsplit("/", 1)[-1] in CONTENT_TAGS]
    ranked = sorted(content, key=lambda i: (-result.importance[i], i))
    chosen = [i for i in ranked if result.importance[i] > 0][:links]
    chain = []
    for i in chosen:
        word = result.tokens[i]
        link = ChainLink(word, round(result.importance[i], 3), _lean(word))
        others = dict.fromkeys(result.tokens[j] for j in content if j not in chosen and result.tokens[j] != word)
        if word in t2v.index and t2v.contexts is not None:
            placed = [w for w in others if w in t2v.index and t2v.index[w] < len(t2v.contexts)]
            scores = [float(t2v.vector(word) @ t2v.contexts[t2v.index[w]]) for w in placed]
            order = np.argsort(-np.asarray(scores), kind="stable")[:about] if placed else []
            link.about = [(placed[j], round(scores[j], 3)) for j in order]
        chain.append(link)
    return PhraseChain(model, result.label, result.positive_probability, chain, result.notice)
