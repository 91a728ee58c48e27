"""Other annotation tools' formats (Prodigy, doccano, Label Studio, brat): registered here."""
