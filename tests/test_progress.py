"""The referee's progress bar: nothing for a quick pass, a bar once a pass takes a while —
row by row for the NumPy referees, indeterminate for ONNX's single inference call."""

from __future__ import annotations

import time

from cnncalc.render import progress
from cnncalc.render.progress import ProgressBar


def test_a_quick_pass_shows_no_bar():
    with ProgressBar("referee numpy") as bar:
        bar(1, 10, "conv1")
        bar.wait("ONNX shape inference")
        assert bar.bar is None


def test_a_slow_row_by_row_pass_shows_the_rows(monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    with ProgressBar("referee full") as bar:
        bar(3, 10, "layer3.conv1")
        task = bar.bar.tasks[0]
        assert (task.completed, task.total, task.description) == (3, 10, "layer3.conv1")


def test_one_long_call_gets_an_indeterminate_bar(monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.01)
    with ProgressBar("referee onnx") as bar:
        bar.wait("ONNX shape inference")
        time.sleep(0.3)  # the call runs; the timer thread shows the bar meanwhile
        task = bar.bar.tasks[0]
        assert task.total is None and task.description == "ONNX shape inference"


def test_disabled_bars_never_start(monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    with ProgressBar("referee numpy", enabled=False) as bar:
        bar(1, 2, "x")
        bar.wait("y")
        time.sleep(0.05)
        assert bar.bar is None
