"""The exceptions graphjac raises: all derive from :class:`GraphjacError`."""


class GraphjacError(Exception):
    """Base class of every error graphjac raises on purpose.

    The message names the node, file, option or argument at fault and says what was
    expected, so that it can be shown to a user as it is.
    """


class ShapeError(GraphjacError, ValueError):
    """An operand has a shape its operation cannot take."""


class NodeError(GraphjacError, KeyError):
    """A node name or handle that the graph does not know."""

    def __str__(self):  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ValueDomainError(GraphjacError, ValueError):
    """A value outside the domain of its operation (NaN, ŷ ∉ [0, 1], a bad class index)."""


class SpecError(GraphjacError, ValueError):
    """A spec file or spec dictionary that does not follow the schema."""


class RenderError(GraphjacError, RuntimeError):
    """Graphviz is missing, failed, or timed out."""


class FontError(RenderError):
    """The math font that typeset labels are drawn in is missing or cannot be read (no label's fault)."""


class LayoutFailed(RenderError):
    """Graphviz's dot ran and could not lay the figure out (it exited with an error)."""


class OutputError(RenderError):
    """A figure or table that could not be written: a full disk, a folder without permission, a
    file system that takes no files (exit code 1, as for standard output that is full)."""


class CheckFailed(GraphjacError):
    """A check that did not pass: a gradient check, or training whose loss stopped being finite."""


class TrainingDiverged(CheckFailed, ArithmeticError):
    """Gradient steps drove the loss J to infinity or NaN (``value``) at step ``step``."""

    def __init__(self, message, step=None, value=None):
        super().__init__(message)
        self.step, self.value = step, value


def line_column(text: str, index: int) -> tuple:
    """The (line, column) of character ``index`` of ``text``, both from 1."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def close_matches(word: str, choices) -> list:
    """The one of ``choices`` closest to a mistyped ``word`` (a list of one, or empty), for a
    message's "did you mean"; difflib is loaded only when a word is wrong.

    >>> close_matches("sigmod", ["sigmoid", "tanh"]), close_matches("x", ["sigmoid"])
    (['sigmoid'], [])
    """
    import difflib
    return difflib.get_close_matches(word, choices, n=1)
