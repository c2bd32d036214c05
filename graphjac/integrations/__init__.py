"""graphjac inside other tools: Sphinx, MkDocs, Jupyter, and PyTorch models."""
