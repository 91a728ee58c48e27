"""Agreement between annotators' layers: spans, tokens, relations and attributes, with intervals.

measure_agreement(project, AgreementOptions(...)) returns the report that `annotator agreement
--json` prints. Only documents that every compared annotator finished (status `done` by
default) count. Its form, stable:

    {"annotators": ["alice", "bob"], "statuses": ["done"], "labels": ["ACTOR", ...],
     "documents": {"compared": 90, "finished": {"alice": 120, "bob": 98}},
     "tokens": {"count": 31240, "tokenizer": "spacy",
                "misaligned": {"alice": 0, ...}, "overlaps_left_out": {"alice": 13, ...}},
     "matching": {"exact": "...", "overlap": "..."},
     "bootstrap": {"samples": 1000, "seed": 0, "confidence": 0.95, "resampled": "documents"},
     "pairs": [{"first": "alice", "second": "bob",
                "spans": {"exact": {"ACTOR": COUNTS, ..., "all": COUNTS}, "overlap": {...}},
                "tokens_agreed": 30112, "cohen_kappa": ESTIMATE,
                "relations": {"SAID_BY": COUNTS, ..., "all": COUNTS},
                "attributes": {"ACTOR.kind": {"compared": 40, "agreed": 38, "agreement": ESTIMATE}, ...}}, ...],
     "all": {"fleiss_kappa": ESTIMATE, "krippendorff_alpha": ESTIMATE}}

    COUNTS = {"first": 57, "second": 50, "matched": 45,
              "precision": ESTIMATE, "recall": ESTIMATE, "f1": ESTIMATE}
    ESTIMATE = {"value": 0.87, "low": 0.83, "high": 0.9}   (null where undefined; low/high null with 0 samples)

"misaligned": spans off token boundaries, tagged as the whole tokens they touch;
"overlaps_left_out": spans inside or across a longer one, which IOB cannot hold, left out of
the tags (the hf export's rules). Relations are those whose ends' labels are compared.
Pairs are every two annotators in the order given (the first is the reference: precision
is matched / second's spans, recall matched / first's). "all" rows sum the counts of every
label (micro average). Span matching is in matching.py; tokens and tags in token_tags.py;
the coefficients' formulas in coefficients.py; relations match when their label matches and
both ends are overlap-matched spans; attributes are compared on overlap-matched spans, for
each attribute either span has.

numpy (which spaCy brings) is the one library it needs beyond the core's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotator.agreement.measure import AgreementOptions, measure_agreement

__all__ = ["AgreementOptions", "measure_agreement"]


def __getattr__(name: str) -> Any:
    """measure.py (and numpy) loads on first use: the review board and the disagreement list import
    matching.py and read.py from this package and need neither (numpy costs ~0.9 s cold)."""
    if name in __all__:
        from annotator.agreement import measure

        return getattr(measure, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
