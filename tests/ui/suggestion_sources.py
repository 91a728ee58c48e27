"""Small suggestion sources for the window's tests (registry.SOURCE_MODULES points at them):
`fixed` proposes every occurrence of a few strings; `related` a claim, its source and the
SAID_BY between them; `broken` raises when it runs; `unbuildable`
cannot be built."""

from __future__ import annotations

import re
from collections.abc import Sequence

from annotator.suggest.base import (
    DocumentInput,
    Proposals,
    SourceContext,
    SuggestedRelation,
    Suggestion,
    SuggestionError,
)

# text -> (label, score, attributes)
WORDS = {
    "Kim Jong Un": ("ACTOR", 1.0, {"kind": "person"}),
    "Putin": ("ACTOR", 0.9, {}),
    "yesterday": ("DATE", 0.7, {"value": "2014-11-13"}),
    "Moscow": ("ACTOR", 0.4, {}),
    "Xi": ("ACTOR", 0.3, {}),
}


class FixedSource:
    name = "fixed"

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        return [
            Proposals(
                document.id,
                [
                    Suggestion(hit.start(), hit.end(), label, score, self.name, attributes)
                    for word, (label, score, attributes) in WORDS.items()
                    for hit in re.finditer(rf"\b{re.escape(word)}\b", document.text)
                ],
            )
            for document in documents
        ]


class RelatedSource:
    """A claim and who made it, with the SAID_BY between them."""

    name = "related"

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        answers = []
        for document in documents:
            claim_start = document.text.index("Putin")
            claim = (claim_start, document.text.index("."), "CLAIM")
            kim = (0, len("Kim Jong Un"), "ACTOR")
            relation = SuggestedRelation("SAID_BY", claim, kim, 0.6, self.name)
            spans = [Suggestion(*claim, 0.6, self.name), Suggestion(*kim, 0.9, self.name)]
            answers.append(Proposals(document.id, spans, [relation]))
        return answers


class BrokenSource:
    name = "broken"

    def propose(self, documents: Sequence[DocumentInput]) -> list[Proposals]:
        raise RuntimeError("the broken source broke")


def make_source(context: SourceContext, argument: str | None) -> FixedSource | RelatedSource | BrokenSource:
    if argument == "related":
        return RelatedSource()
    if argument == "broken":
        return BrokenSource()
    if argument == "unbuildable":
        raise SuggestionError("suggestion source 'layer:unbuildable': no such thing")
    return FixedSource()
