"""Writing an output folder all at once: files are made in a staging folder and moved into place
only when every one of them was written, so a failure never leaves a half-written result."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class OutputError(Exception):
    """The output folder cannot be written; the message names it and why."""


@contextmanager
def staged_output(target: str | Path) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into ``target`` (replacing old ones)."""
    target = Path(target)
    try:
        target.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".materiel-partial-", dir=target))
    except OSError as exc:
        raise OutputError(f"cannot create output folder {target}: {exc.strerror or exc}") from None
    try:
        yield stage
        for path in sorted(stage.rglob("*")):
            if path.is_file():
                dest = target / path.relative_to(stage)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, dest)
    except OSError as exc:
        raise OutputError(f"cannot write to {target}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_atomic(path: str | Path, text: str) -> Path:
    """Write a text file via a temporary file in the same folder, so it is whole or absent."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
