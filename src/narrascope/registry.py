"""Resolving "module:function" targets of the stage registries.

Components, link passes, eval sections and report sections are registered by name so a
stage can be built on its own; a target whose module is not there yet resolves to None
and that stage is skipped. An import error *inside* an existing module still raises.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from typing import Any


@cache
def load_target(target: str) -> Callable[..., Any] | None:
    """The callable named by ``"package.module:function"``, or None when the module is absent."""
    mod_name, fn_name = target.split(":")
    try:
        mod = importlib.import_module(mod_name)
    except ModuleNotFoundError as exc:
        if exc.name == mod_name:
            return None
        raise
    fn = getattr(mod, fn_name, None)
    return fn if callable(fn) else None
