"""Uploaded ZIPs: unpacked in memory, and only after every name and size has been checked."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile

import pytest

from lms.content.versions import pack_files, unpack_files
from lms.studio import archive as archive_module
from lms.studio.archive import ArchiveProblem, read_course_zip, read_zip
from tests.studio.conftest import make_zip
from tests.studio.conftest import pack_files as course_files


def zip_of(entries: list[tuple[zipfile.ZipInfo | str, bytes]], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for info, content in entries:
            archive.writestr(info, content)
    return buffer.getvalue()


def refused(data: bytes) -> ArchiveProblem:
    with pytest.raises(ArchiveProblem) as caught:
        read_course_zip(data)
    return caught.value


def patch_entry(data: bytes, name: str, local_offset: int, central_offset: int, fmt: str, value: int) -> bytes:
    """Rewrite one header field of an entry, in its local header and in the central directory."""
    blob = bytearray(data)
    encoded = name.encode()
    for signature, offset, name_at, length_at in ((b"PK\x03\x04", local_offset, 30, 26),
                                                  (b"PK\x01\x02", central_offset, 46, 28)):
        position = blob.find(signature)
        while position != -1:
            length = struct.unpack_from("<H", blob, position + length_at)[0]
            if bytes(blob[position + name_at: position + name_at + length]) == encoded:
                struct.pack_into(fmt, blob, position + offset, value)
            position = blob.find(signature, position + 4)
    return bytes(blob)


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """Make an entry claim another uncompressed size than it has."""
    return patch_entry(data, name, 22, 24, "<I", size)


def test_a_zip_of_the_course_folder_gives_its_files_and_folder_name():
    result = read_course_zip(make_zip(course_files()))
    assert result.folder == "pack-and-ship"
    assert set(result.files) == {"course.md", "01-packing.md", "02-packing-check.quiz.md"}


def test_a_zip_of_the_folder_contents_is_accepted_too():
    result = read_course_zip(make_zip(course_files(), folder=None))
    assert result.folder is None
    assert "course.md" in result.files


def test_a_downloaded_version_with_tracks_yml_beside_the_folder_reads_as_the_course():
    data = pack_files(course_files(), folder="pack-and-ship", extra={"tracks.yml": b"tracks: []\n"})
    result = read_course_zip(data)
    assert result.folder == "pack-and-ship" and "tracks.yml" not in result.files


def test_file_manager_leftovers_are_skipped():
    data = zip_of([("pack-and-ship/course.md", b"x"), ("__MACOSX/pack-and-ship/._course.md", b"junk"),
                   ("pack-and-ship/Thumbs.db", b"junk")])
    assert read_course_zip(data).files == {"course.md": b"x"}


@pytest.mark.parametrize("name", [
    "pack-and-ship/../../etc/cron.d/evil.md",
    "../evil.md",
    "/etc/passwd",
    "C:/Windows/evil.md",
    "pack-and-ship\\..\\evil.md",
    "pack-and-ship/./course.md",
    "pack-and-ship//course.md",
])
def test_names_leaving_the_course_folder_are_refused(name):
    problem = refused(zip_of([("pack-and-ship/course.md", b"x"), (name, b"evil")]))
    assert problem.code == "unsafe_name" and problem.details["name"] == name


def test_symbolic_links_are_refused():
    link = zipfile.ZipInfo("pack-and-ship/media/secret.svg")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    assert refused(zip_of([("pack-and-ship/course.md", b"x"), (link, b"/etc/passwd")])).code == "link"


def test_password_protected_zips_are_refused():
    data = patch_entry(zip_of([("pack-and-ship/course.md", b"x")]), "pack-and-ship/course.md", 6, 8, "<H", 0x1)
    assert refused(data).code == "encrypted"


def test_a_highly_compressed_file_is_refused_as_a_bomb_before_it_is_unpacked():
    problem = refused(zip_of([("pack-and-ship/course.md", b"x"), ("pack-and-ship/media/zeros.png", bytes(8 << 20))]))
    assert problem.code == "bomb" and problem.details["name"] == "pack-and-ship/media/zeros.png"


def test_a_file_declared_larger_than_the_cap_is_refused_before_reading():
    data = declare_size(zip_of([("pack-and-ship/course.md", b"x" * 100)], zipfile.ZIP_STORED),
                        "pack-and-ship/course.md", 200 << 20)
    assert refused(data).code == "file_too_big"


def test_a_header_that_understates_the_size_is_caught_while_reading():
    real = os.urandom(300_000)
    data = declare_size(zip_of([("pack-and-ship/media/photo.jpg", real)]), "pack-and-ship/media/photo.jpg", 1000)
    problem = refused(data)
    assert problem.code in ("bomb", "corrupt")


def test_the_total_unpacked_size_is_capped(monkeypatch):
    monkeypatch.setattr(archive_module, "MAX_TOTAL_BYTES", 50_000)
    entries = [(f"pack-and-ship/media/{n}.png", os.urandom(20_000)) for n in range(3)]
    assert refused(zip_of(entries)).code == "total_too_big"


def test_the_number_of_files_is_capped():
    entries = [(f"pack-and-ship/{n:03d}-x.md", b"x") for n in range(archive_module.MAX_FILES + 1)]
    problem = refused(zip_of(entries))
    assert problem.code == "too_many_files"


def test_an_oversized_upload_is_refused_without_opening_it(monkeypatch):
    monkeypatch.setattr(archive_module, "MAX_ZIP_BYTES", 1000)
    assert refused(zip_of([("pack-and-ship/media/a.png", os.urandom(5000))])).code == "too_large"


def test_something_that_is_not_a_zip_is_refused():
    assert refused(b"%PDF-1.4 not a zip").code == "not_zip"
    assert refused(zip_of([])).code == "empty"


def test_several_course_folders_at_once_are_refused():
    data = zip_of([("one/course.md", b"x"), ("two/course.md", b"y")])
    assert refused(data).code == "several_folders"


def test_the_same_name_twice_is_refused():
    assert refused(zip_of([("a/course.md", b"x"), ("a/COURSE.md", b"y")])).code == "duplicate"


def test_stored_files_round_trip_byte_for_byte_and_pack_the_same_way_twice():
    files = course_files({"media/a.png": os.urandom(100)})
    assert unpack_files(pack_files(files)) == files
    assert pack_files(files) == pack_files(dict(reversed(list(files.items()))))
    assert read_zip(pack_files(files, folder="x")) == {f"x/{k}": v for k, v in files.items()}
