"""A basic index (ints, slices, tuples of them) as the text a spec file stores, and back.

>>> key_text((0, slice(1, 3)))
'0, 1:3'
>>> key_of("0, 1:3, ::2")
(0, slice(1, 3, None), slice(None, None, 2))
>>> key_text("1 : , -1")
'1:, -1'
"""

from __future__ import annotations

import numbers


def key_text(key) -> str:
    """The canonical text of a basic index given as text or as Python's ints, slices and tuples."""
    if isinstance(key, str):
        key = key_of(key)
    parts = key if isinstance(key, tuple) else (key,)
    if not parts:
        raise ValueError("an index needs at least one int or slice")
    return ", ".join(_part_text(part) for part in parts)


def key_of(text: str):
    """The Python index the text stands for (an int, a slice or a tuple of them)."""
    if not isinstance(text, str):
        raise ValueError(f"an index is ints and slices such as '0, 1:3'; got {text!r}")
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise ValueError(f"an index is ints and slices such as '0, 1:3'; got {text!r}")
    key = tuple(_part_of(p, text) for p in parts)
    return key[0] if len(key) == 1 else key


def _part_text(part) -> str:
    if isinstance(part, slice):
        bounds = [_bound_text(x) for x in (part.start, part.stop, part.step)]
        return ":".join(bounds[:2]) + (":" + bounds[2] if part.step is not None else "")
    if isinstance(part, numbers.Integral) and not isinstance(part, bool):
        return str(int(part))
    raise ValueError(f"graphjac indexes with ints and slices only (basic indexing); got {part!r}")


def _bound_text(x) -> str:
    if x is None:
        return ""
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        return str(int(x))
    raise ValueError(f"a slice's bounds must be whole numbers; got {x!r}")


def _part_of(part: str, text: str):
    try:
        if ":" not in part:
            return int(part)
        bounds = [b.strip() for b in part.split(":")]
        if len(bounds) > 3:
            raise ValueError
        values = [int(b) if b else None for b in bounds]
        if len(values) == 3 and values[2] == 0:
            raise ValueError
        return slice(*values)
    except ValueError:
        raise ValueError(f"cannot read {part!r} in the index {text!r}: use ints and slices such as '0, 1:3'") from None
