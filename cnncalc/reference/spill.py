"""Feature maps kept on disk, for a full pass larger than --max-memory (SPEC §11).

A `Spilled` map is a channels-first (C, H, W) float array whose rows live in a temporary
file, stored row by row along H ((H, C, W) order): a strip of rows [a, b) is then one
contiguous read, so a layer computed in strips (reference/tiles.py) never needs the whole
map in memory. Reads and writes go through the file itself rather than a memory map: the
pages of a mapped file count as the process's memory while mapped, plain reads do not.
The file is removed when the last reference to its map goes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref

import numpy as np

# Spilling stops, with a clear note, rather than fill the disk: this much must stay free.
DISK_RESERVE = 512 << 20


class DiskFull(OSError):
    """Not enough free disk for the next strip of a spilled map."""


def spill_directory() -> str:
    """A fresh directory under the system's temporary directory (TMPDIR moves it)."""
    return tempfile.mkdtemp(prefix="cnncalc-spill-")


def _close(file, path: str) -> None:
    file.close()
    try:
        os.remove(path)
    except OSError:
        pass  # the whole directory is removed at the end of the pass anyway


class Spilled:
    """A (C, H, W) map on disk that grows by whole rows (`append`) and is read in strips."""

    ndim = 3

    def __init__(self, directory: str, expected_bytes: int = 0) -> None:
        """`expected_bytes`: the map's planned size, checked against the free disk now."""
        self.directory = directory
        self._check_room(expected_bytes)
        descriptor, path = tempfile.mkstemp(dir=directory, suffix=".rows")
        self._file = os.fdopen(descriptor, "w+b")
        self._finalizer = weakref.finalize(self, _close, self._file, path)
        self.channels = self.height = self.width = 0
        self.dtype = np.dtype(np.float32)

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.channels, self.height, self.width)

    @property
    def nbytes(self) -> int:
        return self.channels * self.height * self.width * self.dtype.itemsize

    def append(self, block: np.ndarray) -> None:
        """Add the rows of a (C, r, W) block below those already written."""
        if self.height == 0:
            self.channels, _, self.width = block.shape
            self.dtype = block.dtype
        self._check_room(block.nbytes)
        self._file.seek(0, os.SEEK_END)
        np.ascontiguousarray(block.transpose(1, 0, 2), dtype=self.dtype).tofile(self._file)
        self.height += block.shape[1]

    def _check_room(self, size: int) -> None:
        free = shutil.disk_usage(self.directory).free
        if free < size + DISK_RESERVE:
            raise DiskFull(f"a map of {size:,} bytes does not fit the {free:,} bytes free "
                           f"in {self.directory} (not enough free disk to keep it out of "
                           "memory); free some space or point TMPDIR elsewhere")

    def rows(self, start: int, stop: int) -> np.ndarray:
        """Rows [start, stop) as a fresh (C, stop − start, W) array in memory."""
        stop = min(stop, self.height)
        count = max(stop - start, 0)
        row = self.channels * self.width
        self._file.seek(start * row * self.dtype.itemsize)
        data = np.fromfile(self._file, dtype=self.dtype, count=count * row)
        return np.ascontiguousarray(data.reshape(count, self.channels, self.width)
                                    .transpose(1, 0, 2))

    def load(self) -> np.ndarray:
        return self.rows(0, self.height)


class ChannelRange:
    """Channels [first, last) of a spilled map, read through it (a split's part)."""

    ndim = 3

    def __init__(self, whole: Spilled | ChannelRange, first: int, last: int) -> None:
        self.whole, self.first, self.last = whole, first, last
        self.dtype = whole.dtype

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.last - self.first, *self.whole.shape[1:])

    def rows(self, start: int, stop: int) -> np.ndarray:
        return np.ascontiguousarray(self.whole.rows(start, stop)[self.first:self.last])

    def load(self) -> np.ndarray:
        return self.rows(0, self.shape[1])


OnDisk = (Spilled, ChannelRange)


def in_memory(x):
    """The array itself, or a map on disk read back whole."""
    return x.load() if isinstance(x, OnDisk) else x


def remove_directory(directory: str) -> None:
    shutil.rmtree(directory, ignore_errors=True)
