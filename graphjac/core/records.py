"""Immutable records: what ``@dataclass(frozen=True)`` makes, for a fraction of its import cost.

Python 3.11's dataclasses compile six methods per class, one ``exec`` each; graphjac defines some
forty records on the way to its first figure, so they were a fifth of a render's start-up.
:func:`record` keeps dataclasses for the fields (``field(...)``, ``dataclasses.fields``,
``replace`` and ``asdict`` work as before) and compiles only ``__init__``; equality, hashing,
``repr`` and the refusal to assign are shared functions that read the class's field names.

>>> @record
... class Point:
...     x: float
...     y: float = 0.0
...     tags: tuple = field(default=(), compare=False, repr=False)
>>> Point(1.0)
Point(x=1.0, y=0.0)
>>> Point(1.0) == Point(1.0, 0.0, ("a",)), hash(Point(1.0)) == hash(Point(1.0, 0.0))
(True, True)
>>> dataclasses.replace(Point(1.0), y=2.0)
Point(x=1.0, y=2.0)
>>> Point(1.0).x = 2.0
Traceback (most recent call last):
  ...
dataclasses.FrozenInstanceError: cannot assign to field 'x'
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, FrozenInstanceError, field
from operator import attrgetter

__all__ = ["field", "record"]

_FACTORY = object()   # the default of an argument whose field has a default_factory


def record(cls):
    """``cls`` as a frozen dataclass (see the module's docstring)."""
    if not cls.__doc__:   # else dataclasses writes one from inspect.signature, which is slow to load
        cls.__doc__ = f"{cls.__name__}({', '.join(cls.__dict__.get('__annotations__', ()))})"
    cls = dataclasses.dataclass(cls, init=False, repr=False, eq=False)
    fields = dataclasses.fields(cls)
    cls.__init__ = _init_of(cls, fields)
    cls.__record_key__ = _getter([f.name for f in fields if f.compare])
    cls.__record_hashed__ = _getter([f.name for f in fields if (f.compare if f.hash is None else f.hash)])
    cls.__record_shown__ = tuple(f.name for f in fields if f.repr)
    cls.__eq__, cls.__hash__, cls.__repr__ = _eq, _hash, _repr
    cls.__setattr__, cls.__delattr__ = _refuse_assignment, _refuse_deletion
    return cls


def _init_of(cls, fields):
    """``cls.__init__``, compiled from a short source (the one ``exec`` a record costs)."""
    scope = {"_set": object.__setattr__, "_FACTORY": _FACTORY}
    parameters, body = [], []
    for k, f in enumerate(fields):
        value = f.name
        if f.default is not MISSING:
            scope[f"_default{k}"] = f.default
            default = f"_default{k}"
        elif f.default_factory is not MISSING:
            scope[f"_factory{k}"] = f.default_factory
            default = "_FACTORY"
            value = f"_factory{k}() if {f.name} is _FACTORY else {f.name}"
        else:
            default = None
        if not f.init:
            if default is None:   # no default: left unset, as dataclasses leaves it
                continue
            value = f"_factory{k}()" if default == "_FACTORY" else default
        else:
            parameters.append(f.name if default is None else f"{f.name}={default}")
        body.append(f"    _set(self, {f.name!r}, {value})")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    source = f"def __init__(self, {', '.join(parameters)}):\n" + ("\n".join(body) or "    pass")
    exec(source, scope)
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init


def _getter(names):
    """A function from a record to the tuple of its ``names``' values."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        single = attrgetter(names[0])
        return lambda self: (single(self),)
    return lambda self: ()


def _eq(self, other):
    if other.__class__ is not self.__class__:
        return NotImplemented
    key = self.__class__.__record_key__
    return key(self) == key(other)


def _hash(self):
    return hash(self.__class__.__record_hashed__(self))


def _repr(self):
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__class__.__record_shown__)
    return f"{self.__class__.__qualname__}({shown})"


def _refuse_assignment(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_deletion(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")
