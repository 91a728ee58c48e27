"""Other annotation tools' formats (Prodigy, doccano, Label Studio, brat): registered here."""

from __future__ import annotations

from annotator.exporters import register
from annotator.exporters.brat import BratWriter
from annotator.exporters.doccano import DoccanoWriter
from annotator.exporters.label_studio import LabelStudioWriter
from annotator.exporters.prodigy import ProdigyWriter

register("prodigy", ProdigyWriter)
register("doccano", DoccanoWriter)
register("label-studio", LabelStudioWriter)
register("brat", BratWriter)
