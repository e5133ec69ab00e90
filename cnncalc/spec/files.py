"""Reading a spec file safely: the size is checked in bytes before anything is read.

A 1 GiB or 8 GiB file is refused from its directory entry (no memory, no time); at most
limit + 1 bytes are ever read, so a file that grows, or a /proc-style file that reports
size 0, cannot get past the limit either. Bytes that are not UTF-8 are reported at their
line and column.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import SpecError
from ..limits import SPEC_BYTES


def is_file(path: str | Path) -> bool:
    """Path.is_file() that says no, instead of raising, for a path too long for the file
    system, one inside a folder that cannot be entered, or one holding a NUL byte."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def read_spec_file(path: str | Path) -> str:
    """The text of a spec file, or SpecError (unreadable, not UTF-8) / LimitError (too big)."""
    file = str(path)
    limit = SPEC_BYTES.value
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise SPEC_BYTES.error(size, file=file)
            data = handle.read(limit + 1)
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the path
        reason = getattr(error, "strerror", None) or str(error)
        raise SpecError(f"cannot read the file: {reason}", file=file) from None
    if len(data) > limit:
        raise SPEC_BYTES.error(f"more than {limit:,}", file=file)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise SpecError(f"byte 0x{data[error.start]:02x} is not UTF-8 text; save the file as "
                        "UTF-8", file=file, line=line, column=column) from None
