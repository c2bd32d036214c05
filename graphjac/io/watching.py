"""Watching a spec: which files a figure is made from, and whether any of them changed.

A spec file is one file; a Python model is its script and the modules it imports from its own
folder (re-imported on each change, so an edit to a helper shows too).

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> spec = folder / "m.yaml"; _ = spec.write_text("nodes: []")
>>> files = Sources(str(spec))
>>> files.changed()            # the first look sees everything as new
True
>>> files.changed()
False
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from graphjac.io.loaders import source_file


class Sources:
    """The files of one SPEC and the state (modification time, size) they had when last looked at."""

    def __init__(self, spec: str):
        self.spec = spec
        self.main = source_file(spec)
        self.modules = {}     # module name -> file, for a Python model's own imports
        self._seen = None

    @property
    def files(self) -> list:
        return [self.main] + sorted(set(self.modules.values()) - {self.main})

    def _state(self, paths=None):
        state = {}
        for path in self.files if paths is None else paths:
            try:
                info = os.stat(path)
                state[path] = (info.st_mtime_ns, info.st_size)
            except OSError:
                state[path] = None   # missing for now (an editor between delete and rename)
        return state

    def changed(self) -> bool:
        """Whether a file changed (or appeared, or vanished) since the last call."""
        state = self._state()
        changed, self._seen = state != self._seen, state
        return changed

    def before_load(self) -> set:
        """Forget the model's own modules so that loading imports them afresh; returns the
        modules loaded before (to tell the model's new imports apart)."""
        for name in self.modules:
            sys.modules.pop(name, None)
        return set(sys.modules)

    def after_load(self, before: set) -> None:
        """Note the modules a Python model imported from its folder (to watch them too)."""
        if self.main.suffix.lower() != ".py":
            return
        folder = self.main.resolve().parent
        for name in set(sys.modules) - before:
            path = getattr(sys.modules[name], "__file__", None)
            if path and Path(path).resolve().parent == folder and name not in self.modules:
                self.modules[name] = Path(path)
                self._seen.update(self._state([Path(path)]))
