"""Training formats (spaCy DocBin, Hugging Face token classification, CoNLL IOB2): registered here."""
