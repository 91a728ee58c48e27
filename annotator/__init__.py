"""Annotator core: schema, store, service, import and export. Never imports Qt."""

__version__ = "0.1.0"
