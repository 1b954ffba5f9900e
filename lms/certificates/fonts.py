"""The certificate's Chinese font: found once, checked character by character, cut down per document.

Noto Serif CJK SC (Debian's fonts-noto-cjk) covers the rare characters people have in their
names (𠮷, 䶮, 堃, 喆, 燊, CJK extensions included). Handed to WeasyPrint as a system font it
costs 240–320 KB per PDF: WeasyPrint keeps the original glyph numbering, so the embedded font
carries tens of thousands of empty glyphs. Instead each certificate gets its own subset, made
with HarfBuzz in a few milliseconds from only the characters on the page and handed to
WeasyPrint through `@font-face`; the embedded fonts then weigh a few kilobytes.

Without libharfbuzz-subset the subset is made with fontTools, which is correct but takes about
half a second per face; `system_problems` says how to install the library.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import logging
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from fontTools import subset as fonttools_subset
from fontTools.ttLib import TTCollection, TTFont

LOGGER = logging.getLogger(__name__)

# The families tried through fontconfig, best first.
FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
REGULAR, BOLD = 400, 700
_FONTCONFIG_WEIGHTS = {REGULAR: 80, BOLD: 200}  # fontconfig's scale: regular 80, bold 200
INSTALL_FONT = "sudo apt-get install -y fonts-noto-cjk"
INSTALL_HARFBUZZ_SUBSET = "sudo apt-get install -y libharfbuzz-subset0"
# Tables the page never needs: vertical metrics, glyph substitutions (their closure adds glyphs), hinting.
_DROPPED_TABLES = ("GSUB", "vhea", "vmtx", "VORG", "BASE", "JSTF", "DSIG", "LTSH", "PCLT", "EBDT", "EBLC",
                   "EBSC", "SVG ")


class FontProblem(Exception):
    """No usable Chinese font: the message says what is missing and how to install it."""


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int  # the face's number inside a .ttc collection
    weight: int
    family: str


# ---------------------------------------------------------------- finding the faces


def _fontconfig_faces(family: str) -> list[tuple[str, int, int]]:
    """(file, index, fontconfig weight) of every installed face of this family."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    listing = subprocess.run(  # noqa: S603 (fixed program, the family is one of ours)
        [fc_list, "--format", "%{file}|%{index}|%{weight}|%{family}\n", f"{family}"],
        capture_output=True, text=True, check=False, timeout=30,
    )
    faces = []
    for line in listing.stdout.splitlines():
        path, index, weight, families = (line.split("|", 3) + ["", "", ""])[:4]
        if family not in families.split(","):
            continue
        try:
            faces.append((path, int(index or 0), int(float(weight.strip("[]").split()[0] or 80))))
        except (ValueError, IndexError):
            continue
    return faces


def _closest(faces: list[tuple[str, int, int]], weight: int) -> tuple[str, int] | None:
    if not faces:
        return None
    wanted = _FONTCONFIG_WEIGHTS[weight]
    path, index, _ = min(faces, key=lambda face: (abs(face[2] - wanted), face[0], face[1]))
    return path, index


def _face_in_file(path: str) -> tuple[int, str]:
    """For a configured file: the Simplified Chinese face of a collection, else its first face."""
    if not Path(path).is_file():
        raise FontProblem(_("The certificate font file %(path)s does not exist. Fix LMS_CJK_FONT, or unset it to "
                            "use Noto CJK (%(command)s).", path=path, command=INSTALL_FONT))
    try:
        if Path(path).suffix.lower() in (".ttc", ".otc"):
            fonts = TTCollection(path, lazy=True).fonts
        else:
            fonts = [TTFont(path, lazy=True)]
    except Exception as error:  # noqa: BLE001 (any unreadable file gets the same plain message)
        raise FontProblem(_("The certificate font file %(path)s cannot be read: %(error)s", path=path,
                            error=str(error))) from error
    names = [font["name"].getDebugName(1) or "" for font in fonts]
    for index, name in enumerate(names):
        if name.endswith(" SC") or "Simplified" in name:
            return index, name
    return 0, names[0]


@cache
def find_faces(regular_path: str = "", bold_path: str = "") -> tuple[FontFace, FontFace]:
    """The regular and bold faces for certificates: the configured files, else Noto CJK via fontconfig."""
    if regular_path:
        index, family = _face_in_file(regular_path)
        regular = FontFace(regular_path, index, REGULAR, family)
        bold = regular
        if bold_path:
            index, family = _face_in_file(bold_path)
            bold = FontFace(bold_path, index, BOLD, family)
        return regular, FontFace(bold.path, bold.index, BOLD, bold.family)
    for family in FAMILIES:
        faces = _fontconfig_faces(family)
        regular_file, bold_file = _closest(faces, REGULAR), _closest(faces, BOLD)
        if regular_file and bold_file:
            return (FontFace(*regular_file, REGULAR, family), FontFace(*bold_file, BOLD, family))
    raise FontProblem(_("No full Chinese font (Noto CJK) was found, so certificates cannot print Chinese names: "
                        "%(command)s", command=INSTALL_FONT))


def faces_for(config) -> tuple[FontFace, FontFace]:
    return find_faces(config.get("LMS_CJK_FONT") or "", config.get("LMS_CJK_FONT_BOLD") or "")


# ---------------------------------------------------------------- which characters a face has


@cache
def character_map(path: str, index: int) -> frozenset[int]:
    """Every code point the face draws (read once per process: about a tenth of a second)."""
    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def missing_characters(text: str, faces: tuple[FontFace, ...]) -> list[str]:
    """Characters of `text` (spaces aside) that one of the faces cannot draw, in order, once each."""
    maps = [character_map(face.path, face.index) for face in faces]
    missing: list[str] = []
    for char in text:
        if char.isspace() or char in missing:
            continue
        if any(ord(char) not in cmap for cmap in maps):
            missing.append(char)
    return missing


# ---------------------------------------------------------------- subsetting


class _HarfBuzzSubsetter:
    """The few HarfBuzz calls a subset needs, through ctypes (the library WeasyPrint itself uses)."""

    HB_SUBSET_FLAGS_NO_HINTING = 0x1
    HB_SUBSET_SETS_DROP_TABLE_TAG = 3

    def __init__(self, hb: ctypes.CDLL, hb_subset: ctypes.CDLL):
        pointer, uint = ctypes.c_void_p, ctypes.c_uint
        self.hb, self.sub = hb, hb_subset
        signatures = (
            (hb, "hb_blob_create_from_file_or_fail", pointer, [ctypes.c_char_p]),
            (hb, "hb_blob_destroy", None, [pointer]),
            (hb, "hb_blob_get_data", ctypes.POINTER(ctypes.c_char), [pointer, ctypes.POINTER(uint)]),
            (hb, "hb_face_create", pointer, [pointer, uint]),
            (hb, "hb_face_destroy", None, [pointer]),
            (hb, "hb_face_reference_blob", pointer, [pointer]),
            (hb, "hb_set_add", None, [pointer, ctypes.c_uint32]),
            (hb, "hb_tag_from_string", ctypes.c_uint32, [ctypes.c_char_p, ctypes.c_int]),
            (hb_subset, "hb_subset_input_create_or_fail", pointer, []),
            (hb_subset, "hb_subset_input_destroy", None, [pointer]),
            (hb_subset, "hb_subset_input_unicode_set", pointer, [pointer]),
            (hb_subset, "hb_subset_input_set", pointer, [pointer, ctypes.c_int]),
            (hb_subset, "hb_subset_input_set_flags", None, [pointer, uint]),
            (hb_subset, "hb_subset_or_fail", pointer, [pointer, pointer]),
        )
        for library, name, restype, argtypes in signatures:
            function = getattr(library, name)
            function.restype, function.argtypes = restype, argtypes
        self._faces: dict[tuple[str, int], int] = {}

    def _face(self, path: str, index: int) -> int:
        key = (path, index)
        if key not in self._faces:  # kept for the life of the process: the file is memory-mapped
            blob = self.hb.hb_blob_create_from_file_or_fail(path.encode())
            if not blob:
                raise FontProblem(_("The font file %(path)s cannot be read.", path=path))
            self._faces[key] = self.hb.hb_face_create(blob, index)
            self.hb.hb_blob_destroy(blob)
        return self._faces[key]

    def subset(self, face: FontFace, text: str) -> bytes:
        hb, sub = self.hb, self.sub
        plan = sub.hb_subset_input_create_or_fail()
        if not plan:
            raise MemoryError("HarfBuzz could not start a subset")
        try:
            unicodes = sub.hb_subset_input_unicode_set(plan)
            for code_point in sorted({ord(char) for char in text}):
                hb.hb_set_add(unicodes, code_point)
            dropped = sub.hb_subset_input_set(plan, self.HB_SUBSET_SETS_DROP_TABLE_TAG)
            for tag in _DROPPED_TABLES:
                hb.hb_set_add(dropped, hb.hb_tag_from_string(tag.encode(), -1))
            sub.hb_subset_input_set_flags(plan, self.HB_SUBSET_FLAGS_NO_HINTING)
            result = sub.hb_subset_or_fail(self._face(face.path, face.index), plan)
        finally:
            sub.hb_subset_input_destroy(plan)
        if not result:
            raise FontProblem(_("HarfBuzz could not subset %(family)s.", family=face.family))
        try:
            blob = hb.hb_face_reference_blob(result)
            length = ctypes.c_uint()
            data = hb.hb_blob_get_data(blob, ctypes.byref(length))
            content = ctypes.string_at(data, length.value)
            hb.hb_blob_destroy(blob)
        finally:
            hb.hb_face_destroy(result)
        return content


def _load_library(name: str) -> ctypes.CDLL | None:
    for candidate in (ctypes.util.find_library(name), f"lib{name}.so.0"):
        if not candidate:
            continue
        try:
            return ctypes.CDLL(candidate)
        except OSError:
            continue
    return None


@cache
def harfbuzz_subsetter() -> _HarfBuzzSubsetter | None:
    """HarfBuzz's subsetter when libharfbuzz-subset (2.9 or later) is installed, else None."""
    hb, hb_subset = _load_library("harfbuzz"), _load_library("harfbuzz-subset")
    if hb is None or hb_subset is None:
        return None
    try:
        hb.hb_version_atleast.restype = ctypes.c_int
        hb.hb_version_atleast.argtypes = [ctypes.c_uint, ctypes.c_uint, ctypes.c_uint]
        if not hb.hb_version_atleast(2, 9, 1):
            return None
        return _HarfBuzzSubsetter(hb, hb_subset)
    except AttributeError:  # a library too old to have one of the functions
        return None


def _fonttools_subset(face: FontFace, text: str) -> bytes:
    options = fonttools_subset.Options()
    options.drop_tables += [tag.strip() for tag in _DROPPED_TABLES]
    options.hinting = False
    options.name_IDs = ["*"]
    subsetter = fonttools_subset.Subsetter(options)
    subsetter.populate(text=text)
    font = TTFont(face.path, fontNumber=face.index)
    try:
        subsetter.subset(font)
        output = io.BytesIO()
        font.save(output)
    finally:
        font.close()
    return output.getvalue()


def subset_font(face: FontFace, text: str) -> bytes:
    """An OpenType font holding only the glyphs of `text` (plus .notdef), glyphs renumbered from 1."""
    subsetter = harfbuzz_subsetter()
    if subsetter is not None:
        return subsetter.subset(face, text)
    return _fonttools_subset(face, text)


# ---------------------------------------------------------------- what the machine lacks

# Rare characters of real names that a "full" CJK font must have (CJK extensions A and B included).
RARE_NAME_CHARACTERS = "𠮷䶮堃喆燊"


def system_problems(config) -> list[str]:
    """What stops certificates from rendering well here, each with the command that fixes it."""
    problems = []
    if harfbuzz_subsetter() is None:
        problems.append(_("HarfBuzz subsetting is missing, so each certificate takes about a second instead of a "
                          "tenth of one: %(command)s", command=INSTALL_HARFBUZZ_SUBSET))
    try:
        faces = faces_for(config)
    except FontProblem as problem:
        problems.append(str(problem))
    else:
        missing = missing_characters(RARE_NAME_CHARACTERS, faces)
        if missing:
            problems.append(_("The certificate font %(family)s lacks %(characters)s, so some names cannot be "
                              "printed: %(command)s", family=faces[0].family, characters="".join(missing),
                              command=INSTALL_FONT))
    seal = config.get("LMS_SEAL_IMAGE")
    if seal and not Path(seal).is_file():
        problems.append(_("The seal image %(path)s (LMS_SEAL_IMAGE) does not exist, so certificates cannot be made.",
                          path=seal))
    return problems
