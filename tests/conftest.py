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
