"""CoNLL / IOB readers: registered here (the reader is in conll.py)."""

from __future__ import annotations

from annotator.importers import register
from annotator.importers.conll import looks_like_conll, read_conll

register("conll", read_conll, looks_like_conll)
