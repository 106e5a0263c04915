"""A pytest plugin that fails any test reading beside the repository, so the suite passes on a bare clone.

It watches Python's audit events for opening files and listing folders (`open`, `os.listdir`, `os.scandir`,
`glob.glob`) while a test is collected, set up, run or torn down. A path counts as outside the repository
when it lies in one of the entries that stood beside the repository when the session began (`../shared`,
another checkout): the system, site-packages, pytest's temporary folders and anything created during the
session (temporary files) stay allowed. The offending test fails naming the path. A test marked
`reads_outside_repository` is exempt; one test only may carry it (tests/test_self_contained.py checks).

Reads by child processes (a server, a runner) are not seen: only this process's own are.
"""

from __future__ import annotations

import getpass
import os
import site
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

MARKER = "reads_outside_repository"
EVENTS = frozenset({"open", "os.listdir", "os.scandir", "glob.glob"})


class ReadGuard:
    """The audit hook and the pytest hooks around each phase of each test."""

    def __init__(self, root: Path, basetemp: Path | None = None) -> None:
        self.root = root.resolve()
        self.parent = self.root.parent
        try:
            beside = set(os.listdir(self.parent)) - {self.root.name}
        except OSError:  # an unreadable parent: every entry counts as beside the repository
            beside = None
        self.beside = beside
        self.allowed = [area for area in self._allowed_areas(basetemp) if self.parent in area.parents]
        self.active = False
        self.seen: list[str] = []
        self._inside_hook = threading.local()
        sys.addaudithook(self._hook)

    @staticmethod
    def _allowed_areas(basetemp: Path | None) -> Iterator[Path]:
        """Places a test may read even when they lie beside the repository (a virtualenv next to it,
        pytest's temporary folders when the clone sits in the temp folder itself)."""
        for place in (sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages(),
                      site.getusersitepackages(), tempfile.gettempdir(),
                      Path(tempfile.gettempdir()) / f"pytest-of-{getpass.getuser()}", basetemp):
            if place:
                yield Path(os.path.realpath(place))

    def outside(self, path: str) -> bool:
        """Whether `path` lies beside the repository (see the module docstring)."""
        absolute = os.path.abspath(path)
        if not absolute.startswith(str(self.parent) + os.sep):
            return False
        real = Path(os.path.realpath(absolute))
        if self.root == real or self.root in real.parents or self.parent not in real.parents:
            return False
        if any(area == real or area in real.parents for area in self.allowed):
            return False
        first = real.relative_to(self.parent).parts[0]
        return self.beside is None or first in self.beside

    def _hook(self, event: str, args: tuple) -> None:
        if event not in EVENTS or not self.active or getattr(self._inside_hook, "on", False):
            return
        target = args[0] if args else None
        if not isinstance(target, (str, bytes, os.PathLike)):
            return  # a file descriptor, or the current folder
        self._inside_hook.on = True
        try:
            path = os.fsdecode(target)
            if self.outside(path):
                self.seen.append(f"{os.path.abspath(path)} ({event})")
        finally:
            self._inside_hook.on = False

    def _begin(self, item: pytest.Item | None) -> None:
        self.seen = []
        self.active = item is None or item.get_closest_marker(MARKER) is None

    def _end(self) -> str | None:
        """Stop watching; a message naming what was read outside, if anything was."""
        self.active = False
        if not self.seen:
            return None
        paths = "\n  ".join(dict.fromkeys(self.seen))
        return (f"read outside the repository {self.root}:\n  {paths}\n"
                f"the tests must pass on a clone with nothing beside it (only the test marked {MARKER} may)")

    def _watch(self, item: pytest.Item):
        self._begin(item)
        try:
            return (yield)
        finally:
            message = self._end()
            if message:
                pytest.fail(message, pytrace=False)

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", f"{MARKER}(reason): the test may read beside the repository")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item):
        return (yield from self._watch(item))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        return (yield from self._watch(item))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item):
        return (yield from self._watch(item))

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector):
        """A test module that reads beside the repository when imported is a collection error."""
        self._begin(None)
        try:
            report = yield
        finally:
            message = self._end()
        if message and report.outcome != "failed":
            report.outcome = "failed"
            report.longrepr = message
        return report


def install(config: pytest.Config, root: Path) -> ReadGuard:
    """Register the guard for this session (from a conftest's pytest_configure)."""
    basetemp = config.getoption("basetemp", None)
    guard = ReadGuard(root, Path(basetemp) if basetemp else None)
    config.pluginmanager.register(guard, "read-guard")
    return guard
