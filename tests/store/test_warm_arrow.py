"""store.db.warm_arrow: Arrow's first-conversion import runs in a thread, and a fork waits
for it (a child forked mid-import could inherit a held import lock)."""

from __future__ import annotations

import os
import threading
import time

import pytest

from narrascope.store import db


def test_a_fork_waits_for_the_background_import(monkeypatch: pytest.MonkeyPatch) -> None:
    done = threading.Event()

    def slow_import() -> None:
        time.sleep(0.3)
        done.set()

    monkeypatch.setattr(db, "_warm", None)
    monkeypatch.setattr(db, "_import_pandas", slow_import)
    db.warm_arrow()
    assert not done.is_set(), "the import runs in the background"
    db.warm_arrow()  # once per process: a second call starts no second thread
    pid = os.fork()
    if pid == 0:  # the child: nothing to do
        os._exit(0)
    os.waitpid(pid, 0)
    assert done.is_set(), "the fork waited for the import to finish"
