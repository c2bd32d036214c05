"""The commands of ``graphjac``, each with its one-line summary.

Command NAME is ``command`` in this package's module NAME. The summaries live here, apart from
the commands, so that ``graphjac --help`` lists every command without importing one (a command's
module loads the engine and the renderers).
"""

SUMMARIES = {
    "build": "Render every spec in a folder, skipping unchanged figures.",
    "check": "Check ∂J/∂· against finite differences (exit 1 on a mismatch).",
    "examples": "List the built-in lecture figures (lecture:NAME).",
    "frames": "Draw the forward and backward passes step by step into a folder (-o DIR).",
    "render": "Draw SPEC as SVG, PNG, PDF, DOT, … (-o OUT).",
    "run": "Print every node's value and ∂J/∂·, and every edge's share.",
    "schema": "Print the JSON Schema of spec files (for editors).",
    "sheet": "A printable worksheet of SPEC's figures with numbered blanks, and its key (PDF).",
    "train": "Gradient descent on the params, with J per step.",
    "watch": "Re-render SPEC on every save (-o OUT), optionally with a live preview.",
}
