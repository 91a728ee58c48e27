"""Readers of other annotation tools' exports (Prodigy, doccano, Label Studio, brat): registered here."""
