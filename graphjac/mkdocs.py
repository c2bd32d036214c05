"""The MkDocs fence's public names, for ``mkdocs.yml``: ``!!python/name:graphjac.mkdocs.fence`` (and
``validate``, ``fence_running_python``).

The fence lives in :mod:`graphjac.integrations.mkdocs`.
"""

from graphjac.integrations.mkdocs import fence, fence_running_python, validate

__all__ = ["fence", "fence_running_python", "validate"]
