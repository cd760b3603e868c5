"""release_free_memory gives pages freed in the middle of the heap back to the OS."""

from __future__ import annotations

import subprocess
import sys

import pytest

from narrascope.allocator import _libc

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
