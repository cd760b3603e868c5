"""release_free_memory gives pages freed in the middle of the heap back to the OS;
frozen_heap keeps the collector off what was alive before it, and only that."""

from __future__ import annotations

import subprocess
import sys

import pytest

from narrascope.allocator import _libc, frozen_heap

_PROBE = """
import gc
from narrascope.allocator import release_free_memory

def rss_mb():
    with open("/proc/self/status") as f:
        return next(int(x.split()[1]) // 1024 for x in f if x.startswith("VmRSS"))

# 300 MB of 4 kB blocks (above pymalloc's limit, so glibc's heap), every 50th kept so the
# freed space is fragmented and glibc's automatic trimming of the heap top cannot return it
blocks = [bytearray(4096) for _ in range(75_000)]
kept = blocks[::50]
del blocks
gc.collect()
before = rss_mb()
assert release_free_memory()
after = rss_mb()
print(before, after, len(kept))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or _libc() is None,
                    reason="needs glibc's malloc_trim")
def test_freed_fragmented_heap_is_returned() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                         check=True).stdout.split()
    before, after = int(out[0]), int(out[1])
    assert before - after > 150, (before, after)


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_frozen_heap_freezes_what_lives_and_still_collects_new_cycles() -> None:
    import gc
    import weakref

    assert gc.get_freeze_count() == 0
    old = _Node()
    with frozen_heap():
        frozen = gc.get_freeze_count()
        assert frozen > 0
        new = _Node()
        alive = weakref.ref(new)
        del new
        gc.collect()
        assert alive() is None  # a cycle made inside is collected as usual
        # an old cycle dropped inside stays until the heap is unfrozen
        was = weakref.ref(old)
        del old
        gc.collect()
        assert was() is not None
        with frozen_heap():  # nested: freezes what was added, unfreezes nothing on exit
            assert gc.get_freeze_count() >= frozen
        assert gc.get_freeze_count() >= frozen
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert was() is None
