"""View options of the text: Snap to Words and zoom, applied to the view and remembered."""

from __future__ import annotations

from ui.menus import Handler, Toggle
from ui.settings import WindowSettings
from ui.text_view import AnnotationTextView


class ViewOptions:
    """Applies the remembered options to the text view on start, and remembers every change."""

    def __init__(self, view: AnnotationTextView, settings: WindowSettings) -> None:
        self._view = view
        self._settings = settings
        view.snap_to_words = settings.snap_to_words
        view.zoom(settings.zoom)
        view.zoom_changed.connect(self._remember_zoom)  # Ctrl+wheel zooms too

    def commands(self) -> dict[str, Handler]:
        """Handlers of the View menu's commands (ui/shortcuts.py)."""
        return {
            "snap": Toggle(self._view.snap_to_words, self.set_snap),
            "zoom_in": lambda: self._view.zoom(1),
            "zoom_out": lambda: self._view.zoom(-1),
            "zoom_reset": lambda: self._view.zoom(-self._settings.zoom),
        }

    def set_snap(self, on: bool) -> None:
        self._view.snap_to_words = on
        self._settings.snap_to_words = on

    def _remember_zoom(self, total: int) -> None:
        self._settings.zoom = total
