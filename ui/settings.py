"""What the window remembers between runs: annotator name, recent projects, layout, zoom."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8


class WindowSettings:
    """Typed access to QSettings; the keys live here and nowhere else."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings or QSettings()

    @property
    def annotator(self) -> str | None:
        value = self._settings.value("annotator/name")
        return str(value) if value else None

    @annotator.setter
    def annotator(self, name: str) -> None:
        self._settings.setValue("annotator/name", name)

    @property
    def recent_projects(self) -> list[Path]:
        value = self._settings.value("projects/recent") or []
        items = [value] if isinstance(value, str) else list(value)
        return [Path(item) for item in items if item]

    def add_recent_project(self, path: Path) -> None:
        resolved = path.resolve()
        recent = [resolved, *(p for p in self.recent_projects if p != resolved)][:MAX_RECENT]
        self._settings.setValue("projects/recent", [str(p) for p in recent])

    def last_document(self, project: Path) -> str | None:
        value = self._settings.value(f"documents/{_key(project)}")
        return str(value) if value else None

    def set_last_document(self, project: Path, external_id: str) -> None:
        self._settings.setValue(f"documents/{_key(project)}", external_id)

    @property
    def geometry(self) -> QByteArray | None:
        value = self._settings.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    @property
    def state(self) -> QByteArray | None:
        value = self._settings.value("window/state")
        return value if isinstance(value, QByteArray) else None

    def save_layout(self, geometry: QByteArray, state: QByteArray) -> None:
        self._settings.setValue("window/geometry", geometry)
        self._settings.setValue("window/state", state)

    @property
    def zoom(self) -> int:
        # An int set in this run, a string once read back from the settings file.
        value = self._settings.value("view/zoom", 0)
        return int(value) if isinstance(value, int | str) else 0

    @zoom.setter
    def zoom(self, steps: int) -> None:
        self._settings.setValue("view/zoom", steps)

    @property
    def snap_to_words(self) -> bool:
        return str(self._settings.value("view/snap", "true")).lower() == "true"

    @snap_to_words.setter
    def snap_to_words(self, on: bool) -> None:
        self._settings.setValue("view/snap", "true" if on else "false")

    @property
    def other_layer(self) -> str | None:
        """The annotator whose layer is shown read-only beside the own one, on every document that has it."""
        value = self._settings.value("view/other_layer")
        return str(value) if value else None

    @other_layer.setter
    def other_layer(self, name: str | None) -> None:
        self._settings.setValue("view/other_layer", name or "")

    @property
    def suggestions_shown(self) -> bool:
        """Whether suggestions are drawn in the text (Ctrl+Alt+S)."""
        return str(self._settings.value("suggestions/shown", "true")).lower() == "true"

    @suggestions_shown.setter
    def suggestions_shown(self, on: bool) -> None:
        self._settings.setValue("suggestions/shown", "true" if on else "false")

    @property
    def suggestion_threshold(self) -> float:
        """The last score asked for by "accept all above a score" (Ctrl+Shift+T)."""
        try:
            return min(max(float(str(self._settings.value("suggestions/threshold", 0.8))), 0.0), 1.0)
        except ValueError:
            return 0.8

    @suggestion_threshold.setter
    def suggestion_threshold(self, score: float) -> None:
        self._settings.setValue("suggestions/threshold", score)

    @property
    def arc_mode(self) -> str:
        """Relation arcs: "all", "selected" (the selected relation and span's only) or "hidden"."""
        value = str(self._settings.value("view/arcs", "all"))
        return value if value in ("all", "selected", "hidden") else "all"

    @arc_mode.setter
    def arc_mode(self, mode: str) -> None:
        self._settings.setValue("view/arcs", mode)

    @property
    def label_tags(self) -> bool:
        return str(self._settings.value("view/label_tags", "false")).lower() == "true"

    @label_tags.setter
    def label_tags(self, on: bool) -> None:
        self._settings.setValue("view/label_tags", "true" if on else "false")

    def sync(self) -> None:
        self._settings.sync()


def _key(project: Path) -> str:
    # QSettings treats "/" as a group separator; one flat key per project folder.
    return str(project.resolve()).replace("/", "|")
