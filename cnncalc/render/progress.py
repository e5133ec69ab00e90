"""A transient progress bar on stderr for long passes, shown only once one takes a while.

A pass that reports each row advances the bar; one long call (ONNX's shape inference, which
runs the whole graph at once) gets an indeterminate bar, started by a timer thread when the
call outlasts SHOW_AFTER.
"""

from __future__ import annotations

import threading
import time

SHOW_AFTER = 0.5  # seconds: a quick pass shows no bar at all


class ProgressBar:
    """Call it with (done, total, label) as work advances; close() removes the bar."""

    def __init__(self, description: str, enabled: bool = True) -> None:
        self.description = description
        self.enabled = enabled
        self.start = time.perf_counter()
        self.bar = None
        self.task = None
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()

    def __call__(self, done: int, total: int, label: str) -> None:
        if not self.enabled:
            return
        if self.bar is None and time.perf_counter() - self.start > SHOW_AFTER:
            self._show(total, done)
        if self.bar is not None:
            self.bar.update(self.task, completed=done, description=label[-30:])

    def wait(self, label: str) -> None:
        """One long call follows: an indeterminate bar if it outlasts SHOW_AFTER."""
        if self.enabled:
            self.description = label
            self.timer = threading.Timer(SHOW_AFTER, self._show, args=(None, 0))
            self.timer.daemon = True
            self.timer.start()

    def _show(self, total: int | None, done: int) -> None:
        from rich.console import Console
        from rich.progress import Progress

        with self.lock:
            if self.bar is None:
                self.bar = Progress(console=Console(stderr=True), transient=True)
                self.bar.start()
                self.task = self.bar.add_task(self.description, total=total, completed=done)

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        with self.lock:
            if self.bar is not None:
                self.bar.stop()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
