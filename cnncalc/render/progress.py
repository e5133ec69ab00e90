"""A transient progress bar on stderr for long passes, shown only once one takes a while."""

from __future__ import annotations

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

    def __call__(self, done: int, total: int, label: str) -> None:
        if not self.enabled:
            return
        if self.bar is None and time.perf_counter() - self.start > SHOW_AFTER:
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.description, total=total, completed=done)
        if self.bar is not None:
            self.bar.update(self.task, completed=done, description=label[-30:])

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
