"""The example project, shipped inside the package (annotator/example/).

Its schema is what `annotator init` gives a new project when none is named, and a copy of
it is what the window opens when no project is named. The package folder itself is never
written to: an installed one may be read-only and is replaced by every upgrade, and a
database there would be lost with it. So the window's example lives in the user's data
folder, copied on first use and kept from then on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import as_file, files
from pathlib import Path

from annotator.config import PROJECT_FILE
from annotator.errors import ProjectError

EXAMPLE = files("annotator") / "example"
SCHEMA_FILE = "news.yaml"
# project.yaml comes last: once it is there, the copy is whole.
EXAMPLE_FILES = (SCHEMA_FILE, "north-korea-russia-ties.txt", "reference.jsonl", "patterns.jsonl", PROJECT_FILE)


@contextmanager
def default_schema() -> Iterator[Path]:
    """The news schema as a file, while the block runs (the installed file itself, unless zipped)."""
    with as_file(EXAMPLE / SCHEMA_FILE) as path:
        yield path


def user_example_folder() -> Path:
    """Where the window's example project lives: $XDG_DATA_HOME/annotator/example."""
    data_home = os.environ.get("XDG_DATA_HOME", "")
    if not os.path.isabs(data_home):  # unset, empty or relative: the XDG default
        data_home = str(Path.home() / ".local" / "share")
    return Path(data_home) / "annotator" / "example"


def copy_example(folder: Path) -> Path:
    """`folder` made a copy of the example project, unless it is a project already (kept as it is).

    Nothing there is overwritten: a file of the example's name with other bytes is refused. A
    copy that fails is removed again; one cut short by a kill is completed by the next call.
    """
    if (folder / PROJECT_FILE).exists():
        return folder
    from annotator.atomic import Creation  # only a first start copies; the others go straight to the window

    with Creation() as made:
        made.folder(folder)
        for name in EXAMPLE_FILES:
            data = (EXAMPLE / name).read_bytes()
            target = folder / name
            if not os.path.lexists(target):
                made.file(target, data)
            elif not target.is_file() or target.read_bytes() != data:
                raise ProjectError(f"{target} exists and is not the example project's {name}; move it away")
    return folder
