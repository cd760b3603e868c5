"""Give freed heap memory back to the operating system.

Parsing a batch of articles allocates and frees a few hundred megabytes of small objects;
glibc keeps the freed pages in its arenas, so a worker's resident memory climbs towards its
worst batch and stays there. Measured on one process annotating AllSides articles: RSS went
from 757 MB after 100 articles to 1,031 MB after 1,500, while ``malloc_trim(0)`` after
every 100 brought it back to 396-484 MB (what is live). :func:`release_free_memory` calls it
after each annotated batch and after each link pass; on a C library without ``malloc_trim``
(musl, macOS) it does nothing.

:func:`frozen_heap` keeps the garbage collector off the objects that live through a run
(loaded models, the store): each full collection otherwise walks all of them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
        return lib if hasattr(lib, "malloc_trim") else None
    except OSError:
        return None


def release_free_memory() -> bool:
    """Return the allocator's free pages to the OS; True when ``malloc_trim`` ran."""
    lib = _libc()
    if lib is None:
        return False
    lib.malloc_trim(0)
    return True


_frozen_depth = 0


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Collect, then move every object alive now into the collector's permanent generation
    (``gc.freeze``) for the duration; they go back (``gc.unfreeze``) when the outermost
    ``frozen_heap`` exits. What is created inside is collected as usual.

    Why: in a process holding the spaCy and ONNX models each full collection walks their
    millions of objects, ~85 ms a time. The link passes run many (their own allocations
    trigger them, and :func:`narrascope.link.passes.release_memory` runs one after each
    pass): on a 4-document re-run of a 400-document store full collections took 0.75 s,
    0.27 s frozen. Entered again inside (after loading more models, say), it freezes what
    was added since.
    """
    global _frozen_depth
    gc.collect()
    gc.freeze()
    _frozen_depth += 1
    try:
        yield
    finally:
        _frozen_depth -= 1
        if _frozen_depth == 0:
            gc.unfreeze()
