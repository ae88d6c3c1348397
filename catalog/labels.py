"""Record label standardization and name slugs: pure functions, importable without Django.

An album's raw label string ("Darkroom/Interscope Records", "2018 YG Entertainment, distributed
through Interscope Records", or a cleaned ℗ copyright line) is split into co-labels, and each
co-label gets a standardized *key*; albums whose pieces share a key belong to the same label page.
This follows the original generator (seed-system.md §7) with its defects fixed (design.md §4):

- Split on ``,`` ``/`` ``;`` (and ``\\``, a typo for ``/`` in real data). "Republic Records - <artist>"
  (any dash) is "Republic Records", as in the original. "distributed by/through …" and
  "under exclusive licence/license to …" inside a string also separate two labels, so
  "ITModels under exclusive license to D-Music" is two labels like the original's
  "YG Entertainment, distributed through Interscope Records". ", a division of …" is dropped.
- Key: NFKC, upper-cased (Unicode aware), whitespace collapsed. Leading noise is removed repeatedly:
  ℗/©/(P)/(C) marks, a leading year (1900-2099, or a range/list of years), "distributed by",
  "distributed through", "under exclusive licence/license to", Korean "(주)"/"주식회사" (Co., Ltd.).
- Trailing company suffixes are removed repeatedly as WHOLE WORDS only (the original used a plain
  "ends with", so "ZINC" became "Z", "THEBLACKLABEL" became "THEBLACK", "88RISINGMUSIC" became
  "88RISING"): RECORDS, RECORDING(S), LABEL(S), MUSIC, LIMITED, LLC, INC, LTD, CO, CORP, GMBH, PTY,
  PVT, SRL, S.L., a trailing parenthesised code such as "(DG)", "(CAP)", "(NEK)", "(UMO)", and the
  punctuation ``*`` ``,`` ``.``. Only trailing words go: "Decca Music Group Ltd." is DECCA MUSIC GROUP.
  Nothing is removed if it would leave nothing, so a label called "Records" or "Music" keeps its name;
  nor after a joining word ("ABKCO Music and Records"); a year stays if only suffixes follow it
  ("1985 Records" is 1985).
  A trailing "Ent." is read as "Entertainment" ("Starship Ent." groups with "Starship Entertainment").
- Junk pieces are dropped: no letter or digit ("", "-", "*"), placeholders ("N/A", "none", "[no label]",
  "Not specified", "unknown", "Copyright Control"), and lone legal forms left by splitting
  "RBW, Inc." or "ICONIX CO., LTD." on the comma. "Independent" and "Self Released" are kept: they are
  what Spotify says, and a page of self-released albums is still a useful grouping.

Checked against the original's output for the reference library (shared/reference-library: albums.csv,
tracks.csv, seed-output/labels/): the same 90 labels reach 10 tracks and get a page, with the same
display names. 80 pages have the same track count and the same "Appears as" list (darkroom: 12
"Darkroom/Interscope Records" + 3 "Darkroom"). The other 10 differ only where these rules fix the
original: 88rising Music loses "Feel Ghood Music/88risingMusic" (the original stripped "MUSIC" from
"88RISINGMUSIC" without a word boundary); Republic Records gains the two "Republic Records – …" strings
written with an en dash; Interscope gains "Gracie Abrams, under exclusive license to …" (the original
only knew the "licence" spelling); Legacy gains "Legacy Recordings", Def Jam Recordings gains
"RBMG/Def Jam" (RECORDINGS is a suffix now); Capitol Records gains "(CAP)"/"(US1A)", Universal Music
LLC gains "Universal (MT)" (trailing codes); EMI gains "Chrysalis\\EMI Records (USA)" (backslash);
RBW Inc. gains "㈜RBW"; Starship Entertainment gains "Starship Ent.".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "LabelPiece",
    "MAX_KEY_LENGTH",
    "MAX_SLUG_LENGTH",
    "display_name_for",
    "label_from_copyrights",
    "slugify_label",
    "slugify_name",
    "split_label_string",
    "standardize_label",
    "unique_slug",
]

MAX_SLUG_LENGTH = 100
MAX_KEY_LENGTH = 300


@dataclass(frozen=True)
class LabelPiece:
    """One co-label of an album's label string."""

    raw: str  # the piece as it appeared, stripped, without leading ℗/year/"distributed by" noise
    key: str  # standardized grouping key (e.g. "INTERSCOPE"); never empty


# -- splitting ---------------------------------------------------------------------------------

_REPUBLIC = re.compile(r"^\s*republic records\s+[-–—]\s+", re.IGNORECASE)
_SPLIT = re.compile(r"[,/;\\／，；、]")
# Phrases that sit *between* two labels: the owner before, the distributor/licensee after.
_BETWEEN = re.compile(
    r"(?:\s+[-–—]\s+|\s*[,;]\s*|\s+)"
    r"(?:(?:exclusively\s+)?distributed\s+(?:by|through)"
    r"|under\s+(?:an?\s+)?(?:exclusive\s+)?licen[cs]e\s+to"
    r"|(?:exclusively\s+)?licensed\s+to)\s+",
    re.IGNORECASE,
)
_DIVISION_OF = re.compile(r"\s*[,;]?\s*\ba\s+division\s+of\b.*$", re.IGNORECASE | re.DOTALL)


def split_label_string(raw: str | None) -> list[LabelPiece]:
    """Split one album's raw label string into its co-labels, standardized.

    Returns the pieces in their order of appearance, one per distinct key (the first piece with a
    key wins); empty and junk pieces are dropped, so the list may be empty.
    """
    if not raw or not raw.strip():
        return []
    text = raw.strip()
    if _is_junk(_normalize(text)):
        return []  # "N/A" would otherwise split into "N" and "A"
    if _REPUBLIC.match(text):
        # The original's special case: Republic makes a sub-label string per artist.
        return [LabelPiece(raw="Republic Records", key=standardize_label("Republic Records"))]
    text = _DIVISION_OF.sub("", text)
    text = _BETWEEN.sub("/", text)
    pieces: list[LabelPiece] = []
    seen: set[str] = set()
    for part in _SPLIT.split(text):
        key = standardize_label(part)
        if not key or key in seen:
            continue
        seen.add(key)
        pieces.append(LabelPiece(raw=_clean_raw_piece(part), key=key))
    return pieces


# -- standardizing one piece -------------------------------------------------------------------

_MARK = re.compile(r"^(?:[℗©®ⓅⓒⓟⒸ]|\((?:P|C)\)|(?:P|C)(?=\s*(?:19|20)\d\d\b))\s*", re.IGNORECASE)
_YEARS = re.compile(r"^(?:19|20)\d\d(?:\s*(?:[-–—&,]|AND)\s*(?:19|20)\d\d)*\s+", re.IGNORECASE)
_PREFIX_PHRASES = (
    "EXCLUSIVELY DISTRIBUTED BY",
    "DISTRIBUTED BY",
    "DISTRIBUTED THROUGH",
    "UNDER EXCLUSIVE LICENCE TO",
    "UNDER EXCLUSIVE LICENSE TO",
    "UNDER LICENCE TO",
    "UNDER LICENSE TO",
    "EXCLUSIVELY LICENSED TO",
    "LICENSED TO",
    "주식회사",
)
_KOREAN_CO = re.compile(r"^\(주\)\s*|\s*\(주\)$")
_TRAILING_PUNCT = "*,."
_TRAILING_PARENS = re.compile(r"\s*\([^()]*\)$")
# Legal forms of companies, compared without dots ("S.L." is SL).
_LEGAL_FORMS = frozenset(
    {
        "INC",
        "LLC",
        "LTD",
        "LIMITED",
        "CO",
        "CORP",
        "GMBH",
        "PTY",
        "PVT",
        "SRL",
        "SL",
        "PLC",
        "LLP",
        "주식회사",
    }
)
_SUFFIX_WORDS = _LEGAL_FORMS | {"RECORDS", "RECORDING", "RECORDINGS", "LABEL", "LABELS", "MUSIC"}
# "ABKCO Music and Records" keeps "Records": stripping it would leave a dangling "AND".
_JOINING_WORDS = frozenset({"AND", "&", "OF", "THE", "A", "AN", "FOR", "BY", "X", "+"})
_JUNK_KEYS = frozenset(
    {
        "N/A",
        "NA",
        "N.A.",
        "NONE",
        "NULL",
        "NIL",
        "UNKNOWN",
        "NOT SPECIFIED",
        "NO LABEL",
        "[NO LABEL]",
        "(NO LABEL)",
        "<NO LABEL>",
        "COPYRIGHT CONTROL",
        "[COPYRIGHT CONTROL]",
    }
)


def standardize_label(piece: str) -> str:
    """Standardized key of one label piece, e.g. "Interscope Records*" -> "INTERSCOPE".

    Returns '' when nothing is left (empty, punctuation only, a placeholder such as "N/A", or a
    lone legal form such as "Inc."); otherwise a non-empty upper-case key of at most
    MAX_KEY_LENGTH characters.
    """
    key = _normalize(piece)
    if _is_junk(key):
        return ""
    key = _strip_prefixes(key)
    key = _strip_suffixes(key)
    if _is_junk(key) or all(_bare(word) in _LEGAL_FORMS for word in key.split()):
        return ""
    return key[:MAX_KEY_LENGTH].rstrip()


def _normalize(text: str) -> str:
    """NFKC, no invisible format characters, upper-cased, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.casefold().upper().split())


def _is_junk(key: str) -> bool:
    if key in _JUNK_KEYS:
        return True
    return not any(unicodedata.category(ch)[0] in "LN" for ch in key)


def _bare(word: str) -> str:
    return word.replace(".", "")


def _strip_prefixes(key: str) -> str:
    """Remove leading marks, years and distribution phrases, repeatedly, never down to nothing."""
    while True:
        before = key
        for pattern in (_MARK, _YEARS, _KOREAN_CO):
            stripped = pattern.sub("", key, count=1).strip()
            if stripped and stripped != key and _has_name(stripped, pattern):
                key = stripped
        for phrase in _PREFIX_PHRASES:
            if key.startswith(phrase + " "):
                key = key[len(phrase) :].strip()
        if key == before:
            return key


def _has_name(rest: str, removed: re.Pattern[str]) -> bool:
    """Whether ``rest`` still names something once a leading year is gone ("1985 Records" keeps its year)."""
    if removed is not _YEARS:
        return True
    return any(_bare(word.strip(_TRAILING_PUNCT)) not in _SUFFIX_WORDS for word in rest.split())


def _strip_suffixes(key: str) -> str:
    """Remove trailing company words (whole words only) and punctuation, never down to nothing."""
    while True:
        before = key
        stripped = key.rstrip(_TRAILING_PUNCT + " ")
        if stripped:
            key = stripped
        stripped = _TRAILING_PARENS.sub("", key).strip()
        if stripped:
            key = stripped
        stripped = _KOREAN_CO.sub("", key).strip()
        if stripped:
            key = stripped
        head, _, last = key.rpartition(" ")
        if head and _bare(last) in _SUFFIX_WORDS and head.rsplit(" ", 1)[-1] not in _JOINING_WORDS:
            key = head.rstrip()
        elif head and last == "ENT":
            key = head + " ENTERTAINMENT"
        if key == before:
            return key


def _clean_raw_piece(piece: str) -> str:
    """The piece as written, without the leading noise that the key ignores too."""
    text = " ".join(piece.split())
    while True:
        before = text
        for pattern in (_MARK, _YEARS):
            stripped = pattern.sub("", text, count=1).strip()
            if stripped and _has_name(stripped.upper(), pattern):
                text = stripped
        upper = text.upper()
        for phrase in _PREFIX_PHRASES[:-1]:
            if upper.startswith(phrase + " "):
                text = text[len(phrase) :].strip()
                break
        if text == before:
            return text


# -- copyrights --------------------------------------------------------------------------------

_MARKS = r"[℗©®ⓅⓒⓟⒸ]|\((?:p|c)\)"
_CR_MARK = re.compile(_MARKS, re.IGNORECASE)
# Leading "This compilation ℗", "Copyright ©", "(P)", "P 2019" (but not "Copyright Control").
_CR_LEAD = re.compile(
    r"^\s*(?:this\s+(?:compilation|album|recording)\s*)?"
    rf"(?:(?:{_MARKS}|(?:copyright|phonographic)(?=\s*(?:{_MARKS}|(?:19|20)\d\d\b))|\s)+)?"
    r"(?:(?:p|c)\s+(?=(?:19|20)\d\d\b))?",
    re.IGNORECASE,
)
_CR_YEARS = re.compile(r"^\s*(?:19|20)\d\d(?:\s*(?:[-–—&,/]|and)\s*(?:19|20)\d\d)*\s*[,:.]?\s*", re.IGNORECASE)
_CR_TRAILING_YEAR = re.compile(r"[\s,]+(?:19|20)\d\d\s*\.?$")
# Clauses after the rights owner's name; everything from them to the end goes.
_CR_CLAUSES = re.compile(
    r"(?:[,;]\s*|\s+)(?:"
    r"under\s+(?:an?\s+)?(?:exclusive\s+)?licen[cs]e\s+(?:to|from)"
    r"|(?:exclusively\s+)?licensed\s+(?:to|from|by)"
    r"|(?:exclusively\s+)?(?:distributed|marketed|manufactured)\s+(?:by|through)"
    r"|an?\s+division\s+of"
    r"|for\s+the\s+(?:world|united\s+states|u\.?s\.?a?\b|uk\b|united\s+kingdom|territor)"
    r"|all\s+rights\s+reserved"
    r"|unauthori[sz]ed\s"
    r"|an?\s+(?:[^,.;]*\s)?compan(?:y|ies)\b"
    r")[\s\S]*$",
    re.IGNORECASE,
)
# "Deutsche Grammophon GmbH, Berlin": the seat after a German/Swiss legal form is not a label.
_CR_SEAT = re.compile(r"(\b(?:GmbH|AG|KG|SE)\.?)\s*,\s*[^\W\d][\w\s.-]{0,30}$")


def _keeps_final_dot(text: str) -> bool:
    """Whether a final "." belongs to an abbreviation ("Inc.", "Ltd.", "Co.", "J.Y.")."""
    last = text.rsplit(" ", 1)[-1][:-1]
    return len(last) <= 3 or "." in last or _bare(last).upper() in _LEGAL_FORMS | {"ENT"}


def label_from_copyrights(copyrights: list[dict] | None) -> tuple[str, str]:
    """The label named by a Spotify album's ``copyrights`` ([{"text": ..., "type": "P"|"C"}]).

    Returns (raw label string, source): source "copyright_p" when a ℗ line yields a label (preferred),
    "copyright_c" when only a © line does, ("", "") when none does. The raw string has no ℗/©/(P)/(C)
    mark, no year(s), no "under exclusive licence to …", "a division of …", "distributed by …",
    "All rights reserved" or "a … company" clauses; several lines of the same type are joined with "/".
    e.g. [{"text": "℗ 2019 Darkroom/Interscope Records", "type": "P"}] -> ("Darkroom/Interscope Records",
    "copyright_p").
    """
    by_type: dict[str, list[str]] = {"P": [], "C": []}
    for entry in copyrights or []:
        if not isinstance(entry, dict):
            continue
        text = str(entry.get("text") or "").strip()
        if not text:
            continue
        kind = str(entry.get("type") or "").strip().upper()
        if kind not in by_type:
            kind = "P" if re.match(r"^\s*(?:℗|ⓟ|Ⓟ|\(p\))", text, re.IGNORECASE) else "C"
        cleaned = _clean_copyright(text)
        if cleaned and split_label_string(cleaned):
            by_type[kind].append(cleaned)
    for kind, source in (("P", "copyright_p"), ("C", "copyright_c")):
        lines = list(dict.fromkeys(by_type[kind]))
        if lines:
            return "/".join(lines), source
    return "", ""


def _clean_copyright(text: str) -> str:
    """One copyright line without marks, years and legal clauses; '' when no name is left."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    while True:
        before = text
        text = _CR_LEAD.sub("", text, count=1)
        text = _CR_YEARS.sub("", text, count=1)
        text = text.strip()
        if text == before:
            break
    text = _CR_CLAUSES.sub("", text)
    text = _CR_MARK.sub(" ", text)  # a mark in the middle ("Foo ℗ 2019")
    text = _CR_SEAT.sub(r"\1", text.strip())
    text = _CR_TRAILING_YEAR.sub("", " ".join(text.split()))
    text = text.strip(" ,;:-–—")
    if text.endswith(".") and not _keeps_final_dot(text):
        text = text[:-1].rstrip()
    return text


# -- display names and slugs -------------------------------------------------------------------


def display_name_for(raw_counts: dict[str, int]) -> str:
    """Display name of a label group: the raw piece with the highest album count.

    Ties go to the alphabetically smaller piece (case-insensitive, then by code point, so the
    result never depends on dict order). Returns '' for an empty mapping.
    """
    if not raw_counts:
        return ""
    return min(raw_counts, key=lambda raw: (-raw_counts[raw], raw.casefold(), raw))


# Windows cannot create files with these names (with any extension).
_RESERVED_FILE_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
# ASCII punctuation that is safe in URL paths and in file names on every OS, and that the
# original's slugs (seed-system.md §1.2, from 2023-12) kept: "deutsche_grammophon_(dg)".
_SAFE_PUNCTUATION = frozenset("-_()!,")


def slugify_label(name: str) -> str:
    """URL- and filename-safe slug of a label or artist name (design.md §4 "Slugs").

    Lower-case; letters, digits and marks of any script and symbols such as emoji are kept; ``-``
    ``_`` ``(`` ``)`` ``!`` ``,`` are kept; every other character (whitespace, ``. / \\ | < > ? * : "
    ' & # % $ +`` …) becomes ``_``, one for one, as in the original ("Billie Eilish" -> "billie_eilish",
    "Deutsche Grammophon (DG)" -> "deutsche_grammophon_(dg)"). Invisible format characters are dropped.
    Returns a non-empty slug of at most MAX_SLUG_LENGTH characters, never "." or ".." (dots are
    replaced) and never a Windows device name such as "con" (those get a trailing "_"); "" gives "_".
    """
    text = unicodedata.normalize("NFC", name or "").strip().lower()
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        if ch in _SAFE_PUNCTUATION or category[0] in "LMN" or category == "So":
            out.append(ch)
        else:
            out.append("_")
    slug = "".join(out)[:MAX_SLUG_LENGTH] or "_"
    if slug in _RESERVED_FILE_NAMES:
        slug += "_"
    return slug


slugify_name = slugify_label


def unique_slug(base: str, taken: Callable[[str], bool]) -> str:
    """``base``, or ``base_2``, ``base_3`` … : the first candidate for which ``taken`` returns False.

    The base is shortened when needed so that every candidate fits in MAX_SLUG_LENGTH characters.
    Raises RuntimeError if 100,000 candidates are all taken (a broken ``taken``).
    """
    base = base[:MAX_SLUG_LENGTH] or "_"
    if not taken(base):
        return base
    for n in range(2, 100_000):
        suffix = f"_{n}"
        candidate = base[: MAX_SLUG_LENGTH - len(suffix)] + suffix
        if not taken(candidate):
            return candidate
    raise RuntimeError(f"no free slug for {base!r}")
