"""Readers of other annotation tools' exports (Prodigy, doccano, Label Studio, brat): registered here."""

from __future__ import annotations

from annotator.importers import register
from annotator.importers.brat import read_brat, sniff_brat
from annotator.importers.doccano import read_doccano, sniff_doccano
from annotator.importers.label_studio import read_label_studio, sniff_label_studio
from annotator.importers.prodigy import read_prodigy, sniff_prodigy

register("prodigy", read_prodigy, sniff_prodigy)
register("doccano", read_doccano, sniff_doccano, takes_offsets=True)
register("label-studio", read_label_studio, sniff_label_studio)
register("brat", read_brat, sniff_brat, takes_schema=True)
