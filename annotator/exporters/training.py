"""Training formats (spaCy DocBin, Hugging Face token classification, CoNLL IOB2): registered here.

The modules import spaCy only inside the writers, so `annotator export --format jsonl`
never loads it.
"""

from __future__ import annotations

from annotator.exporters import register
from annotator.exporters.conll import ConllWriter
from annotator.exporters.hf import HuggingFaceWriter
from annotator.exporters.spacy_docbin import SpacyWriter

register("spacy", SpacyWriter)
register("hf", HuggingFaceWriter)
register("conll", ConllWriter)
