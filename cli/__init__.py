"""The graphjac command line (installed as the ``graphjac`` command and ``python -m graphjac``)."""
