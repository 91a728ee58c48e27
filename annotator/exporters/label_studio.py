"""Label Studio: one JSON file holding the task list, and its labelling config beside it.

- One task per document: ``data.text``, and one entry in ``annotations`` per annotator layer
  (a layer's records arrive one after another, so a task is complete when the id changes).
  The file is always a JSON array, whatever the name given (``-o tasks.jsonl`` too): that is
  the form Label Studio imports, and ours reads it back by its content.
- Spans are ``labels`` regions (``from_name: "label"``, ``to_name: "text"``); relations are
  ``relation`` items (``direction: "right"``, head -> tail).
- Offsets are Unicode code points. Label Studio has counted both ways: before the 2022 fix
  (label-studio issues #1008 and #1347, label-studio-frontend PR #308) it stored JavaScript
  string indices (UTF-16), which differ after astral characters such as emoji; it stores code
  points since. ``value.text`` is always written, so a reader can tell; ours retries UTF-16.
- Attributes are per-region controls, as Label Studio models them: a choice or boolean
  attribute is a ``choices`` result, a text or date attribute a ``textarea`` result, both with
  the region's id and ``from_name`` ``<LABEL>_<attribute>``. Document labels are a document-level
  ``choices`` result from ``document``.
- Who and how far. Label Studio drops annotation keys it does not know and credits every
  imported annotation to the user who imports the file, but keeps a task's ``meta`` as given.
  So the task's ``meta.layers`` lists each annotation's ``annotator`` and ``status`` (and
  ``empty`` for a layer with no results), in annotation order, and every region id starts with
  its layer's number there (``2:s5``: layer 2's span s5), which survives edits in Label Studio
  and tells the reader which annotation is which layer (importers/label_studio.py).
  ``was_cancelled`` is set for skipped layers. The document id, its meta and the schema are in
  ``meta`` too.
- The labelling config (``<output>.config.xml``) is made from the schema: Labels with their
  colours, Relations, the per-region controls and the document choices.
- With --include-suggestions, a task's ``predictions`` hold them: one prediction per source
  (``model_version``: the source's name, ``score``: the mean of its regions' scores), its regions
  as an annotation's, each with its ``score``, region ids ``p:`` + position. A suggestion one of the
  task's layers rejected is left out. Label Studio shows predictions as pre-annotations to accept
  or correct; the importer here does not read them back (they are not anyone's annotations).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import orjson

from annotator.exporters.base import ExportOptions, FormatReport, FormatWriter
from annotator.exporters.tool_support import schema_line, schema_stamp
from annotator.project import Project
from annotator.schema import Schema

LABELS, TEXT, DOCUMENT = "label", "text", "document"


def config_path(target: Path) -> Path:
    stem = target.name.removesuffix(".json")
    return target.with_name(f"{stem}.config.xml")


class LabelStudioWriter(FormatWriter):
    suffix = ".json"

    def __init__(self, target: Path, project: Project, options: ExportOptions, report: FormatReport) -> None:
        super().__init__(target, project, options, report)
        self.config = self.side_file(config_path(target), lambda data: data.startswith(CONFIG_START))
        self.task: dict[str, Any] | None = None
        self.suggested: dict[tuple[Any, ...], dict[str, Any]] | None = None  # the task's, by source and span
        self.suggested_relations: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.count = 0
        self.stream.write(b"[")

    def add(self, record: dict[str, Any]) -> None:
        if self.task is None or self.task["meta"]["id"] != record["id"]:
            self._flush()
            self.task = {
                "data": {TEXT: record["text"]},
                "meta": {
                    "id": record["id"],
                    "document": record["meta"],
                    "schema": schema_stamp(self.project),
                    "layers": [],
                },
                "annotations": [],
            }
        if "suggestions" in record:
            self._suggested(record)
        if record["annotator"] is None:
            return  # a document nobody annotated: a task without annotations, as Label Studio shows it
        layers = self.task["meta"]["layers"]
        result = self._result(record, f"{len(layers) + 1}:")
        layers.append({"annotator": record["annotator"], "status": record["status"], "empty": not result})
        self.task["annotations"].append(
            {"result": result, "was_cancelled": record["status"] == "skipped", "ground_truth": False}
        )

    def _result(self, record: dict[str, Any], tag: str) -> list[dict[str, Any]]:
        """The layer's results; every region id starts with the layer's tag ("2:")."""
        schema = self.project.schema
        result: list[dict[str, Any]] = []
        for span in record["spans"]:
            where = {"start": span["start"], "end": span["end"]}
            region = tag + span["id"]
            result.append(_item(region, LABELS, "labels", {**where, "text": span["text"], "labels": [span["label"]]}))
            spec = schema.label(span["label"])
            for name, value in span["attributes"].items():
                attribute = spec.attribute(name) if spec else None
                kind = attribute.type if attribute else "text"
                control = f"{span['label']}_{name}"
                if kind in ("choice", "boolean"):
                    shown = value if kind == "choice" else str(value).lower()
                    result.append(_item(region, control, "choices", {**where, "choices": [shown]}))
                else:
                    result.append(_item(region, control, "textarea", {**where, "text": [value]}))
        for relation in record["relations"]:
            result.append(
                {
                    "from_id": tag + relation["head"],
                    "to_id": tag + relation["tail"],
                    "type": "relation",
                    "direction": "right",
                    "labels": [relation["label"]],
                }
            )
        if record.get("document_labels"):
            result.append(_item(tag + "document", DOCUMENT, "choices", {"choices": record["document_labels"]}))
        return result

    def _suggested(self, record: dict[str, Any]) -> None:
        """Keep the suggestions that none of the task's layers rejected (each record has lost its layer's)."""
        spans = {(s["source"], s["start"], s["end"], s["label"]): s for s in record["suggestions"]}
        relations = {(r["source"], r["label"], *r["head"], *r["tail"]): r for r in record["suggested_relations"]}
        if self.suggested is None:
            self.suggested, self.suggested_relations = spans, relations
            return
        self.suggested = {key: value for key, value in self.suggested.items() if key in spans}
        self.suggested_relations = {key: value for key, value in self.suggested_relations.items() if key in relations}

    def _predictions(self) -> list[dict[str, Any]]:
        by_source: dict[str, list[dict[str, Any]]] = {}
        for suggestion in (self.suggested or {}).values():
            by_source.setdefault(suggestion["source"], []).append(suggestion)
        predictions = []
        for source, suggestions in by_source.items():
            number = {(s["start"], s["end"], s["label"]): f"s{n}" for n, s in enumerate(suggestions, start=1)}
            spans = [{**s, "id": number[s["start"], s["end"], s["label"]]} for s in suggestions]
            relations = [
                {"label": r["label"], "head": number[tuple(r["head"])], "tail": number[tuple(r["tail"])]}
                for r in self.suggested_relations.values()
                if r["source"] == source and tuple(r["head"]) in number and tuple(r["tail"]) in number
            ]
            result = self._result({"spans": spans, "relations": relations}, "p:")
            scores = {f"p:{span['id']}": span["score"] for span in spans}
            for item in result:
                if item.get("type") == "labels":
                    item["score"] = scores[item["id"]]
            predictions.append({"model_version": source, "score": sum(scores.values()) / len(scores), "result": result})
        self.suggested, self.suggested_relations = None, {}
        return predictions

    def _flush(self) -> None:
        if self.task is not None:
            if self.suggested is not None:
                self.task["predictions"] = self._predictions()
            self.stream.write((b",\n" if self.count else b"\n") + orjson.dumps(self.task))
            self.count += 1
            self.task = None

    def close_output(self) -> None:
        self._flush()
        self.stream.write(b"\n]\n")
        self.config.write(labelling_config(self.project.schema, schema_line(self.project)).encode("utf-8"))

    def finish(self) -> None:
        super().finish()
        self.config.finish()

    def abort(self) -> None:
        super().abort()
        self.config.abort()


def _item(region: str, control: str, kind: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"id": region, "from_name": control, "to_name": TEXT, "type": kind, "value": value}


# How every labelling config this project writes starts: an existing one that does not is not ours.
CONFIG_START = b"<View>\n  <!-- annotator schema "


def labelling_config(schema: Schema, stamp: str) -> str:
    """The Label Studio labelling config XML for a schema."""
    lines = ["<View>", f"  <!-- {escape(stamp)} -->", f'  <Labels name="{LABELS}" toName="{TEXT}">']
    lines += [f"    <Label value={quoteattr(s.name)} background={quoteattr(s.color)}/>" for s in schema.labels]
    lines += ["  </Labels>", f'  <Text name="{TEXT}" value="$text"/>']
    if schema.relations:
        lines.append("  <Relations>")
        lines += [
            f"    <Relation value={quoteattr(r.name)}" + (f" background={quoteattr(r.color)}" if r.color else "") + "/>"
            for r in schema.relations
        ]
        lines.append("  </Relations>")
    for label in schema.labels:
        for attribute in label.attributes:
            shown = (
                f'perRegion="true" whenTagName="{LABELS}" whenLabelValue={quoteattr(label.name)}'
                f" name={quoteattr(f'{label.name}_{attribute.name}')}"
            )
            if attribute.type in ("choice", "boolean"):
                values = attribute.values if attribute.type == "choice" else ("true", "false")
                lines.append(f'  <Choices {shown} toName="{TEXT}" choice="single">')
                lines += [f"    <Choice value={quoteattr(v)}/>" for v in values]
                lines.append("  </Choices>")
            else:
                lines.append(f'  <TextArea {shown} toName="{TEXT}" maxSubmissions="1" editable="true"/>')
    if schema.document_labels:
        lines.append(f'  <Choices name="{DOCUMENT}" toName="{TEXT}" choice="multiple">')
        lines += [f"    <Choice value={quoteattr(d.name)}/>" for d in schema.document_labels]
        lines.append("  </Choices>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"
