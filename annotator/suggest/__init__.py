"""Suggestions: spans (and relations) proposed by a source, shown apart from a layer's own spans
until an annotator accepts or rejects them. See base.py for the one interface every source has."""
