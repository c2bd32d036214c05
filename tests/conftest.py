"""Shared fixtures of the test suite."""

import warnings

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# Property tests: "ci" (scripts/test.sh) draws the same examples every run; "dev" explores anew.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", print_blob=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def rng():
    """A seeded random generator: the same numbers on every run."""
    return np.random.default_rng(20240501)


@pytest.fixture
def strict_numerics():
    """Any numpy warning or floating-point overflow/invalid/division is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield


@pytest.fixture(autouse=True, scope="session")
def _private_formula_cache(tmp_path_factory):
    """The suite's typeset formulas are cached in a folder of its own, never in the user's."""
    import os
    base = tmp_path_factory.getbasetemp()
    # pytest-xdist's workers share one folder (the cache's writes are atomic): each formula is set once
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / "formula-cache"
    folder.mkdir(exist_ok=True)
    os.environ["GRAPHJAC_CACHE_DIR"] = str(folder)
    os.environ.pop("GRAPHJAC_NO_CACHE", None)
    yield


def pytest_sessionfinish(session, exitstatus):
    """Where every tool is installed (``scripts/test.sh`` sets GRAPHJAC_NO_SKIPS=1), a skipped
    test fails the run: a missing extra must not turn into green."""
    import os
    if os.environ.get("GRAPHJAC_NO_SKIPS") != "1" or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and session.exitstatus == 0:
        names = ", ".join(report.nodeid for report in skipped[:5])
        reporter.write_line(f"{len(skipped)} skipped where nothing may be ({names}): failing the run", red=True)
        session.exitstatus = 1


SLOW = frozenset(line.strip() for line in (Path(__file__).parent / "slow.txt").read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#"))


def pytest_collection_modifyitems(config, items):
    """Mark the tests listed in ``tests/slow.txt`` slow: ``-m "not slow"`` is the inner loop."""
    for item in items:
        if item.nodeid.split("[", 1)[0] in SLOW:
            item.add_marker(pytest.mark.slow)
