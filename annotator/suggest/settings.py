"""The `suggestions:` section of project.yaml: which sources run, where their files are, and
whether "next unfinished" follows the model's uncertainty. Read with the rest of project.yaml
(config.py), so a typo is refused when the project opens, not when a source first runs.

    suggestions:
      sources: [patterns, memory, dates]   # what the window and `annotator suggest` run
      patterns: [patterns.jsonl]           # spaCy pattern files, relative to the project folder
      model: models/news                   # a spaCy pipeline directory (`annotator train -o`)
      on_open: true                        # the window proposes for a document it opens
      order: uncertainty                   # next unfinished: least confident model proposals first
      dates_label: WHEN                    # the label the dates source proposes (default: DATE)

No section (or no sources) means no suggestions: the tool behaves as before this existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from annotator.errors import ProjectError

# The built-in sources; "layer:NAME" (another layer's spans as proposals) is the one with an argument.
SOURCE_NAMES = ("patterns", "memory", "dates", "model")
LAYER_SOURCE_PREFIX = "layer:"
ORDERS = ("document", "uncertainty")
KNOWN_KEYS = {"sources", "patterns", "model", "on_open", "order", "dates_label"}

Order = Literal["document", "uncertainty"]


@dataclass(frozen=True)
class SuggestionSettings:
    sources: tuple[str, ...] = ()
    patterns: tuple[Path, ...] = ()  # absolute (resolved against the project folder)
    model: Path | None = None
    on_open: bool = False
    order: Order = "document"
    dates_label: str | None = None  # None: the schema's DATE


NO_SUGGESTIONS = SuggestionSettings()


def check_source_name(name: str, where: str) -> str:
    """A source name as written, or a ProjectError that lists the known ones."""
    if name in SOURCE_NAMES:
        return name
    if name.startswith(LAYER_SOURCE_PREFIX) and name[len(LAYER_SOURCE_PREFIX) :].strip():
        return name
    known = ", ".join((*SOURCE_NAMES, "layer:NAME"))
    raise ProjectError(f"{where}: unknown suggestion source {name!r} (known: {known})")


def parse_suggestion_settings(value: object, root: Path, where: str) -> SuggestionSettings:
    """`where` names project.yaml in messages."""
    if value is None:
        return NO_SUGGESTIONS
    if not isinstance(value, dict):
        raise ProjectError(f"{where}: 'suggestions' must be a mapping (sources, patterns, model, on_open, order)")
    unknown = sorted(set(value) - KNOWN_KEYS, key=str)  # YAML keys may be numbers too
    if unknown:
        key = str(unknown[0]) if str(unknown[0]).isprintable() else repr(unknown[0])  # one line, whatever the key
        raise ProjectError(f"{where}: unknown key suggestions.{key} (allowed: {', '.join(sorted(KNOWN_KEYS))})")
    sources = _names(value.get("sources"), "sources", where)
    for name in sources:
        check_source_name(name, where)
    patterns = tuple(root / item for item in _names(value.get("patterns"), "patterns", where))
    model = value.get("model")
    if model is not None and (not isinstance(model, str) or not model.strip()):
        raise ProjectError(f"{where}: suggestions.model must be the path of a spaCy pipeline folder")
    on_open = value.get("on_open", False)
    if not isinstance(on_open, bool):
        raise ProjectError(f"{where}: suggestions.on_open must be true or false")
    order = value.get("order", "document")
    if order not in ORDERS:
        raise ProjectError(f"{where}: suggestions.order must be one of {', '.join(ORDERS)}")
    dates_label = value.get("dates_label")
    if dates_label is not None and (not isinstance(dates_label, str) or not dates_label.strip()):
        raise ProjectError(f"{where}: suggestions.dates_label must be the name of a label of the schema")
    return SuggestionSettings(
        sources=sources,
        patterns=patterns,
        model=root / model if isinstance(model, str) else None,
        on_open=on_open,
        order="uncertainty" if order == "uncertainty" else "document",
        dates_label=dates_label,
    )


def _names(value: object, key: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ProjectError(f"{where}: suggestions.{key} must be a list of names")
    return tuple(value)
