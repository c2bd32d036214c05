"""Shared fixtures of the test suite."""

import warnings

import numpy as np
import pytest


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
