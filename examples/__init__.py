"""Every figure of the lecture as a spec file (NAME.yaml) and as a Python script (NAME.py).

Installed with graphjac as the data package ``graphjac.lecture``; :mod:`graphjac.io.gallery`
lists and loads them (``graphjac render lecture:neuron``).
"""
