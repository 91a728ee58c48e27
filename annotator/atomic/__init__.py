"""Every file and folder the project writes goes through this package, and nothing else in the
project renames over, truncates or removes a file.

- files.py: one output file (a partial renamed over the target when complete; a special file
  written into directly), `atomic_output` for a `with` block, `create_file` that never
  replaces, and `Creation` for all-or-nothing set-ups (`init`).
- folders.py: a folder an export owns, with a record of what it wrote, so that a later export
  replaces only that (brat, --split).
- partials.py: partial names that say which process made them; sweeping those of processes
  that are gone; the mode of published outputs (0666/0777 less the umask).
- signals.py: SIGTERM/SIGHUP take Ctrl+C's path; publishing is not cut half-way by a signal.
"""

from annotator.atomic.files import (
    STDOUT,
    Creation,
    FileOutput,
    atomic_output,
    create_file,
    names_a_folder,
)
from annotator.atomic.folders import RECORD, FolderOutput
from annotator.atomic.partials import MARKER, OutputError, publish_mode, sweep
from annotator.atomic.signals import Interrupted, deferred_signals, interrupt_on_termination

__all__ = [
    "MARKER",
    "RECORD",
    "STDOUT",
    "Creation",
    "FileOutput",
    "FolderOutput",
    "Interrupted",
    "OutputError",
    "atomic_output",
    "create_file",
    "deferred_signals",
    "interrupt_on_termination",
    "names_a_folder",
    "publish_mode",
    "sweep",
]
