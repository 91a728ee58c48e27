"""Make sure Qt's system libraries are there: install them as root, or name the packages.

Run by `make` after pip (python -m ui.system_libs). PyPI's PySide6 wheels bring Qt itself
but not the libraries Qt loads from the system (OpenGL, fontconfig, xkbcommon, ...); on a
bare machine `import PySide6.QtWidgets` fails with "libEGL.so.1: cannot open shared object
file". This module tries the import in a child process, maps each missing library to its
Debian package, installs it with apt-get when running as root, and tries again.

It says what it does, one line per step (an install takes a while), and exits 1 when a step
fails, so that `make` writes no done-stamp and the next run tries again.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# Library file -> Debian/Ubuntu package providing it (those PySide6-Essentials needs).
DEBIAN_PACKAGES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libgssapi_krb5.so.2": "libgssapi-krb5-2",
}
FONT_PACKAGE = "fonts-dejavu-core"  # offscreen rendering needs at least one font
MISSING = re.compile(r"(lib[\w.+-]+\.so[.\d]*): cannot open shared object file")
PROBE = (
    "import os; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
    "from PySide6.QtWidgets import QApplication, QLabel\n"
    "app = QApplication([]); label = QLabel('Kim Jong Un'); label.grab()\n"
)


def missing_library() -> tuple[bool, str | None, str]:
    """(works, the first missing library or None, the child's error output)."""
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
    found = MISSING.search(result.stderr)
    return result.returncode == 0, found.group(1) if found else None, result.stderr.strip()


def missing_for_display() -> list[str]:
    """Libraries the X11 (xcb) platform plugin needs and the system lacks.

    The offscreen probe does not load that plugin, so its libraries are found with ldd; and
    libxcb-cursor is loaded at run time (Qt 6.5+ refuses to start without it), so it is looked
    up by name.
    """
    if sys.platform != "linux" or shutil.which("ldd") is None:
        return []
    where = subprocess.run(
        [sys.executable, "-c", "import PySide6, os; print(os.path.dirname(PySide6.__file__))"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    qt = Path(where) / "Qt"
    missing: set[str] = set()
    for binary in (qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6"):
        if binary.is_file():
            listing = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
            missing.update(re.findall(r"^\s*(\S+) => not found", listing, re.MULTILINE))
    if ctypes.util.find_library("xcb-cursor") is None:
        missing.add("libxcb-cursor.so.0")
    return sorted(missing)


def has_fonts() -> bool:
    return any(Path(folder).is_dir() and any(Path(folder).rglob("*.ttf")) for folder in ("/usr/share/fonts",))


def can_install() -> bool:
    return sys.platform == "linux" and os.geteuid() == 0 and shutil.which("apt-get") is not None


def say(line: str) -> None:
    """One line per step on stderr, at once: an install can take a minute and must not look hung."""
    print(line, file=sys.stderr, flush=True)


def install(packages: list[str]) -> bool:
    """apt-get install the packages; True only if apt-get says it installed them."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    say("  apt-get update (the package lists)")
    update = subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    if update.returncode != 0:  # the lists already there may still hold the packages
        say(f"  apt-get update failed (exit {update.returncode}); trying the install with the lists there are")
    say(f"  apt-get install {' '.join(packages)}")
    done = subprocess.run(["apt-get", "install", "-y", "-qq", *packages], env=env, check=False)
    if done.returncode != 0:
        say(f"apt-get could not install {' '.join(packages)} (exit {done.returncode}); run it by hand to see why:")
        say(f"  sudo apt-get install {' '.join(packages)}")
        return False
    return True


def main() -> int:
    """0 when Qt starts offscreen and nothing it needs is left uninstalled that could be installed."""
    installed: list[str] = []
    say("checking that Qt starts (offscreen)")
    while True:
        works, library, output = missing_library()
        if works:
            break
        package = DEBIAN_PACKAGES.get(library or "")
        if package is None or package in installed:
            say(f"Qt does not start, and not for a library this script knows how to install:\n{output}")
            return 1
        if not can_install():  # the child stops at the first missing library, so name that one
            say(f"Qt needs {library}; install it with:  sudo apt-get install {package}")
            return 1
        say(f"Qt needs {library}: installing {package}")
        if not install([package]):
            return 1
        installed.append(package)
    say("checking the libraries of Qt's X11 platform (for a window on a display)")
    display_packages = sorted({DEBIAN_PACKAGES.get(lib, lib) for lib in missing_for_display()})
    if display_packages:
        if not can_install():  # tests and screenshots run offscreen without them; a window on a screen does not
            say("To show the window on a display, install:  sudo apt-get install " + " ".join(display_packages))
        else:
            say(f"Qt's X11 platform needs {', '.join(display_packages)}: installing")
            if not install(display_packages):
                return 1
            still = missing_for_display()
            if still:
                say(f"after apt-get, Qt's X11 platform still misses {', '.join(still)}")
                return 1
    if sys.platform == "linux":
        say("checking for fonts")
        if not has_fonts():
            if not can_install():  # the window still runs, but offscreen text would render as empty boxes
                say(f"No fonts found; for readable screenshots: sudo apt-get install {FONT_PACKAGE}")
            elif not install([FONT_PACKAGE]) or not has_fonts():
                say(f"no fonts after installing {FONT_PACKAGE}")
                return 1
    say("Qt's system libraries are there")
    return 0


if __name__ == "__main__":
    sys.exit(main())
