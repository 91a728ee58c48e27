"""PySide6's ``__feature__`` import hook, without the copy of every module's source it keeps.

A module may switch Qt's API to snake_case names or true properties with ``from __feature__
import ...``. To tell the modules that use Qt from the others, PySide6's import hook
(shibokensupport/feature.py: ``feature_imported`` calls ``_mod_uses_pyside``) looks for the word
"PySide6" in the source of every module imported after PySide6, read with ``inspect.getsource``.
inspect reads through ``linecache``, which keeps every line for the life of the process: opening
a project imports ~350 modules after Qt (SQLAlchemy, PyYAML, the core, the window), which cost
~21 MiB of resident memory and ~100 ms that way. Clearing ``linecache`` afterwards gives back
nothing measurable (what is freed is scattered over pymalloc's arenas), so the lines must not be
kept in the first place.

The answer only matters once some module selects a feature: from then on a module that uses Qt
switches back to none (0) and any other is ignored (-1). Nothing in Annotator selects one, but
the answer stays exactly PySide6's: the same word in the same source, read through the module's
own loader (``get_source``), which keeps no copy.

ui/app.py imports this module before anything else of the window's, so it applies to everything
the window process imports after it. A PySide6 whose hook has no ``_mod_uses_pyside`` (a release
that changed it) is left as it is.
"""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6  # noqa: F401  (installs the hook and the module it lives in)

__all__ = ["FEATURE_MODULE", "SOURCE_TEST", "read_sources_without_keeping", "uses_pyside"]

# shibokensupport.feature, under the name PySide6 gives it.
FEATURE_MODULE = "PySide6.support.feature"
# The function of it that answers "does this module use PySide6?" (PySide6 6.4 to 6.11 at least).
SOURCE_TEST = "_mod_uses_pyside"


def uses_pyside(module: ModuleType) -> bool:
    """PySide6's own test (its source contains "PySide6"), with the source read once and dropped."""
    spec = getattr(module, "__spec__", None)
    get_source = getattr(getattr(spec, "loader", None), "get_source", None)
    if spec is None or get_source is None:
        return False  # built in, or made by hand: inspect finds no source either
    try:
        source = get_source(spec.name)
    except (ImportError, OSError, SyntaxError, UnicodeDecodeError):  # what inspect gives up on too
        return False
    return isinstance(source, str) and "PySide6" in source


def read_sources_without_keeping() -> bool:
    """Give PySide6's hook ``uses_pyside``; False (nothing changed) when this PySide6 has no such hook."""
    feature = sys.modules.get(FEATURE_MODULE)
    if feature is None or not callable(getattr(feature, SOURCE_TEST, None)):
        return False
    setattr(feature, SOURCE_TEST, uses_pyside)
    return True


read_sources_without_keeping()
