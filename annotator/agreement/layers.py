"""A document's layers as plain data, as read.py reads them: what tally.py counts and
disagreements.py compares. Apart from tally.py so that reading and comparing layers (the review
board, the disagreement list) never loads numpy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from annotator.agreement.matching import Span

MISSING = object()  # an attribute the span does not have


@dataclass
class Layer:
    """One annotator's layer of one document, as plain data."""

    spans: list[Span] = field(default_factory=list)
    attributes: dict[int, dict[str, Any]] = field(default_factory=dict)  # span id -> name -> value
    relations: list[tuple[str, int, int]] = field(default_factory=list)  # label, head span id, tail span id


@dataclass
class Document:
    text: str
    layers: list[Layer]  # one per annotator, in the Layout's order
