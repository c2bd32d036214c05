"""The Sphinx extension's public name: ``extensions = ["graphjac.sphinxext"]`` in ``conf.py``.

The directive lives in :mod:`graphjac.integrations.sphinx`.
"""

from graphjac.integrations.sphinx import GraphjacDirective, setup

__all__ = ["GraphjacDirective", "setup"]
