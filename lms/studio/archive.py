"""ZIP files in and out, in memory only: nothing from an upload is ever written to disk.

Every entry is checked before anything is unpacked: its name (no absolute paths, no `..`, no
backslashes, no links), its declared size, the total declared size, the number of files and the
compression ratio. Headers can lie, so bytes are counted again while reading and a file that
turns out longer than allowed stops the reading at once.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

MAX_ZIP_BYTES = 16 * 1024 * 1024
MAX_FILES = 500
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 40 * 1024 * 1024
MAX_RATIO = 100  # uncompressed : compressed, for entries above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
_CHUNK = 64 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
# Left behind by file managers; silently skipped.
_JUNK_FOLDERS = {"__MACOSX"}
_JUNK_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}
TRACKS_FILE = "tracks.yml"


class ArchiveProblem(Exception):
    """Why an uploaded ZIP was refused, as a short code (and details) the view turns into a sentence."""

    def __init__(self, code: str, **details):
        super().__init__(code, details)
        self.code = code
        self.details = details


@dataclass
class CourseArchive:
    folder: str | None  # the course folder's name when the ZIP holds the folder itself
    files: dict[str, bytes] = field(default_factory=dict)


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _check_name(name: str) -> PurePosixPath:
    if not name or "\\" in name or "\0" in name or name.startswith("/") or _DRIVE.match(name):
        raise ArchiveProblem("unsafe_name", name=name)
    if any(part in ("", ".", "..") for part in name.rstrip("/").split("/")):
        raise ArchiveProblem("unsafe_name", name=name)
    return PurePosixPath(name)


def _is_junk(path: PurePosixPath) -> bool:
    return path.parts[0] in _JUNK_FOLDERS or path.name.lower() in _JUNK_FILES


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """Read one entry, counting bytes: never more than its declared size, the per-file cap or the budget."""
    limit = min(info.file_size, MAX_FILE_BYTES, budget)
    chunks: list[bytes] = []
    total = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    raise ArchiveProblem("bomb", name=info.filename)
                chunks.append(chunk)
    except ArchiveProblem:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise ArchiveProblem("corrupt", name=info.filename) from error
    except NotImplementedError as error:
        raise ArchiveProblem("unsupported", name=info.filename) from error
    if total != info.file_size:
        raise ArchiveProblem("corrupt", name=info.filename)
    return b"".join(chunks)


def read_zip(data: bytes) -> dict[str, bytes]:
    """Every file of a ZIP as {name: bytes}, after the safety checks. Raises ArchiveProblem."""
    if len(data) > MAX_ZIP_BYTES:
        raise ArchiveProblem("too_large", mb=MAX_ZIP_BYTES // (1024 * 1024))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise ArchiveProblem("not_zip") from error
    if len(infos) > MAX_FILES:
        raise ArchiveProblem("too_many_files", count=MAX_FILES)

    wanted: list[tuple[str, zipfile.ZipInfo]] = []
    seen: set[str] = set()
    declared_total = 0
    for info in infos:
        path = _check_name(info.filename)
        if _is_link(info):
            raise ArchiveProblem("link", name=info.filename)
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise ArchiveProblem("encrypted")
        if _is_junk(path):
            continue
        if info.file_size > MAX_FILE_BYTES:
            raise ArchiveProblem("file_too_big", name=info.filename, mb=MAX_FILE_BYTES // (1024 * 1024))
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ArchiveProblem("bomb", name=info.filename)
        declared_total += info.file_size
        if declared_total > MAX_TOTAL_BYTES:
            raise ArchiveProblem("total_too_big", mb=MAX_TOTAL_BYTES // (1024 * 1024))
        key = path.as_posix()
        if key.lower() in seen:
            raise ArchiveProblem("duplicate", name=info.filename)
        seen.add(key.lower())
        wanted.append((key, info))

    files: dict[str, bytes] = {}
    budget = MAX_TOTAL_BYTES
    for key, info in wanted:
        content = _read_entry(archive, info, budget)
        budget -= len(content)
        files[key] = content
    return files


def read_course_zip(data: bytes) -> CourseArchive:
    """A course's files from a ZIP of its folder, or of the folder's contents.

    A `tracks.yml` beside a single course folder (as in a downloaded version) is ignored: tracks
    are set up on the server.
    """
    files = read_zip(data)
    if not files:
        raise ArchiveProblem("empty")
    if "course.md" in files:
        return CourseArchive(folder=None, files=files)
    top = {name.split("/", 1)[0] for name in files if "/" in name}
    loose = [name for name in files if "/" not in name and name != TRACKS_FILE]
    if len(top) == 1 and not loose:
        folder = top.pop()
        prefix = folder + "/"
        return CourseArchive(folder=folder, files={
            name[len(prefix):]: content for name, content in files.items() if name.startswith(prefix)
        })
    if len(top) > 1 and not loose:
        raise ArchiveProblem("several_folders")
    return CourseArchive(folder=None, files=files)
