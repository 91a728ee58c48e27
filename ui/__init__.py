"""The PySide6 window. Talks to the core only through annotator.service and its values."""
