"""Writing files and folders so that a reader sees the old version or the new one, never a mix,
and no file materiel did not write is lost (docs/cli.md, "Output folders").

An output folder is replaced as one unit: the new run is built in a staging folder next to it
(``.<name>.materiel-partial-<run>``), the entries of the old folder that the previous run did not
write (a user's notes, the nested folders of other commands) are carried over by rename, and the
two folders are swapped with one atomic ``renameat2(RENAME_EXCHANGE)``. A manifest in the folder
(``.materiel-run.json``) lists what each run wrote, so the next run knows which files are stale.
A lock file next to the folder (``.<name>.materiel-lock``) keeps two writers apart. Whatever a
killed run leaves behind is sorted out by the next run into the same place.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

MANIFEST = ".materiel-run.json"
_BUILDING = ".materiel-building"  # marks a staging folder whose outputs are not all written yet
_LOCK_WAIT = 60.0  # seconds a writer waits for another one to finish replacing the folder


class OutputError(Exception):
    """An output cannot be written as asked; the message names the file or folder and why."""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


# -- single files --------------------------------------------------------------------------------


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write a file via a temporary name in the same folder, so it is whole or absent; it gets the
    usual permissions (0666 less the umask), like any file the user makes."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    return path


def refuse_inputs(target: Path, inputs: Iterable[str | Path], inside: bool, outputs: Iterable[str] = ()) -> None:
    """Refuse to write ``target`` over a file the scenario reads or, with ``inside``, to replace a
    folder that holds one (naming first a file an output of the same name would overwrite)."""
    real = target.resolve()
    names = set(outputs)
    found = [
        Path(f) for f in inputs if Path(f).resolve() == real or (inside and Path(f).resolve().is_relative_to(real))
    ]
    if not found:
        return

    def overwritten(f: Path) -> bool:
        return f.resolve() == real or (f.resolve().parent == real and f.name in names)

    f = min(found, key=lambda f: not overwritten(f))
    if overwritten(f):
        why = f"this would write over {f}, which the scenario reads"
    else:
        why = f"the folder holds {f}, which the scenario reads, and materiel replaces the folder as a whole"
    raise OutputError(f"{target}: {why}; choose another output (e.g. -o out/NAME)")


# -- locks ---------------------------------------------------------------------------------------

# (thread, lock file) -> [fd, depth]: a thread may re-enter its own lock; another thread of the
# process (a web server's) takes the lock on its own descriptor, so it waits like another process
_held: dict[tuple[int, str], list[int]] = {}


def _drop_inherited_locks() -> None:
    """In a forked child (a sweep worker, a chart worker): close the copies of the parent's lock
    files. A flock is held while any copy of its descriptor is open, so a worker outliving a
    killed parent would otherwise keep the folder locked and a resumed run would be refused."""
    for fd, _ in _held.values():
        with suppress(OSError):
            os.close(fd)
    _held.clear()


os.register_at_fork(after_in_child=_drop_inherited_locks)


def lock_path(folder: Path) -> Path:
    """The lock file of a folder: next to it, so it survives the folder being swapped."""
    return folder.parent / f".{folder.name}.materiel-lock"


@contextmanager
def folder_lock(folder: str | Path, wait: float | None = None) -> Iterator[None]:
    """Hold the folder's lock; wait up to ``wait`` seconds (default a minute) for another holder,
    then fail naming the folder and the process that holds it."""
    folder = Path(folder).resolve()
    path = lock_path(folder)
    key = (threading.get_ident(), str(path))
    if key in _held:
        _held[key][1] += 1
        try:
            yield
        finally:
            _held[key][1] -= 1
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise OutputError(f"cannot write to {folder}: {_reason(exc)} ({path})") from None
    try:
        _acquire(fd, folder, _LOCK_WAIT if wait is None else wait)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        _held[key] = [fd, 1]
        try:
            yield
        finally:
            _held.pop(key, None)
    finally:
        os.close(fd)  # closing releases the lock


def _acquire(fd: int, folder: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
                raise OutputError(
                    f"{folder} is being written by another materiel run (process {holder}); "
                    "wait for it to finish or choose another output folder"
                ) from None
            time.sleep(0.05)


# -- folders -------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict | None:
    """The manifest of the run that wrote ``folder`` (None: none, or unreadable)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return None
    return data


def _outputs_of(folder: Path, legacy: frozenset[str]) -> set[str]:
    """Top-level names a previous run wrote: from its manifest, or for a folder written before
    manifests existed, the names materiel writes."""
    manifest = read_manifest(folder)
    if manifest is None:
        return {p.name for p in folder.iterdir() if p.name in legacy} if folder.is_dir() else set()
    return {str(f).split("/")[0] for f in manifest["files"]} | {MANIFEST}


def _free_name(folder: Path, name: str) -> Path:
    dest, n = folder / name, 1
    while dest.exists() or dest.is_symlink():
        dest, n = folder / f"{name}.recovered-{n}", n + 1
    return dest


def _carry(src: Path, dest: Path, keep: set[str]) -> None:
    """Move every entry of ``src`` not in ``keep`` into ``dest`` (by rename; never overwrite)."""
    for entry in sorted(os.listdir(src)):
        if entry not in keep:
            os.rename(src / entry, _free_name(dest, entry))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux renameat2); False where that is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    fn = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if fn is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def _swap_in(target: Path, stage: Path, run: str) -> Path:
    """Put ``stage`` in the place of ``target``; returns where the old folder now is."""
    if _exchange(target, stage):
        return stage
    old = target.parent / f".{target.name}.materiel-old-{run}"
    os.rename(target, old)  # a kill between these two renames is undone by ``recover``
    try:
        os.rename(stage, target)
    except OSError:
        os.rename(old, target)
        raise
    return old


def _leftovers(target: Path) -> list[Path]:
    prefixes = (f".{target.name}.materiel-partial-", f".{target.name}.materiel-old-")
    if not target.parent.is_dir():
        return []
    return [target.parent / e for e in sorted(os.listdir(target.parent)) if e.startswith(prefixes)]


def _claim(folder: Path) -> int | None:
    """Lock a staging folder (a directory fd); None if a live run holds it."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def recover(target: Path, legacy: frozenset[str]) -> None:
    """Sort out what a killed run into ``target`` left next to it (call with the folder's lock
    held): entries that are no run's outputs go back into ``target``; the rest is deleted. A
    staging folder that a live run is still writing is left alone."""
    leftovers = _leftovers(target)
    old = [d for d in leftovers if ".materiel-old-" in d.name]
    if old and not target.exists():  # killed between the two renames of the fallback swap
        os.rename(old[0], target)
        leftovers.remove(old[0])
    for d in leftovers:
        fd = _claim(d)
        if fd is None:
            continue
        try:
            _sort_out(d, target, legacy)
        finally:
            os.close(fd)


def _sort_out(d: Path, target: Path, legacy: frozenset[str]) -> None:
    """Move what in ``d`` is no run's output back into ``target``, then delete ``d``."""
    if not d.is_dir():
        return
    outputs = set(os.listdir(d)) if (d / _BUILDING).exists() else _outputs_of(d, legacy)
    if set(os.listdir(d)) - outputs:
        target.mkdir(parents=True, exist_ok=True)
        _carry(d, target, outputs)
    shutil.rmtree(d, ignore_errors=True)


def staged_files(stage: Path) -> list[Path]:
    """The files written so far into a staging folder, relative to it."""
    return sorted(p.relative_to(stage) for p in stage.rglob("*") if p.is_file() and p.name != _BUILDING)


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise OutputError(f"cannot create output folder {target}: a file of that name exists; choose another (-o DIR)")
    cwd = Path.cwd().resolve()
    if cwd == target or cwd.is_relative_to(target):
        raise OutputError(
            f"{target}: materiel replaces its output folder as a whole and cannot replace the folder "
            "you are working in; write into a subfolder (e.g. -o out)"
        )


def check_output_folder(folder: str | Path, inputs: Iterable[str | Path] = (), outputs: Iterable[str] = ()) -> None:
    """Refuse, before any work is done, an output folder that could not be replaced as asked."""
    target = Path(folder).resolve()
    refuse_inputs(target, inputs, inside=True, outputs=outputs)
    _check_target(target)
    existing = next(p for p in (target, *target.parents) if p.exists())
    place = target.parent if existing == target else existing
    if not place.is_dir():
        raise OutputError(f"{folder}: {place} is not a folder")
    if not os.access(place, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to {folder}: {place} is not writable")


@contextmanager
def replace_folder(
    folder: str | Path,
    describe: dict | None = None,
    inputs: Iterable[str | Path] = (),
    legacy: Iterable[str] = (),
) -> Iterator[Path]:
    """Yield a staging folder to write a run's outputs into; on success it replaces ``folder`` as
    one unit. Entries of the old folder that the previous run did not write are kept; a file of
    the scenario (``inputs``) inside the folder, or a file of the user in the way of an output,
    is refused. ``legacy`` names the outputs of folders written before manifests existed."""
    target = Path(folder).resolve()
    names = frozenset(legacy)
    inputs = list(inputs)
    refuse_inputs(target, inputs, inside=True, outputs=names)
    _check_target(target)
    run = uuid.uuid4().hex[:12]
    stage = target.parent / f".{target.name}.materiel-partial-{run}"
    claim = None
    try:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # under the folder's lock, which a run recovering leftovers holds: it never finds this
            # staging folder made but not yet claimed (another thread or process writing here)
            with folder_lock(target):
                stage.mkdir()
                (stage / _BUILDING).touch()
                claim = _claim(stage)  # tells a run recovering leftovers that this one is alive
        except OSError as exc:
            raise OutputError(f"cannot create output folder {target}: {_reason(exc)}") from None
        yield stage
        manifest = {"run": run, **(describe or {}), "files": [str(p) for p in staged_files(stage)]}
        with folder_lock(target):
            _commit(target, stage, manifest, names, inputs)
    except OSError as exc:
        raise OutputError(f"cannot write to {target}: {_reason(exc)}") from None
    finally:
        if claim is not None:
            os.close(claim)
        _sort_out(stage, target, names)  # after a failure, carried entries go back


def _commit(target: Path, stage: Path, manifest: dict, legacy: frozenset[str], inputs: list) -> None:
    """Swap the finished staging folder in (with the lock held)."""
    recover(target, legacy)
    refuse_inputs(target, inputs, inside=True, outputs=legacy)
    _check_target(target)
    if not target.exists():
        target.mkdir()
    old_outputs = _outputs_of(target, legacy)
    new = {f.split("/")[0] for f in manifest["files"]}
    for entry in sorted(set(os.listdir(target)) - old_outputs):
        if entry in new:
            raise OutputError(
                f"{target / entry} was not written by materiel (it is not listed in {target / MANIFEST}); "
                "move it away or choose another output folder"
            )
    stage.chmod(target.stat().st_mode & 0o7777)
    (stage / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (stage / _BUILDING).unlink()  # from here a leftover is sorted by its manifest
    _carry(target, stage, old_outputs)
    old = _swap_in(target, stage, manifest["run"])
    _carry(old, target, _outputs_of(old, legacy))  # anything that arrived during the swap
    shutil.rmtree(old, ignore_errors=True)
