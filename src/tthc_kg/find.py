"""Find citations of legal documents in normalized text.

A scanner, not a parser: one regular expression finds symbol-shaped tokens ("61/2018/NĐ-CP", "57-NQ/TW",
"4020/QĐ-\\n\\tUBND"), then short, bounded look-behind and look-ahead windows read the type word, the date, the
issuer and the title around each. Every quantifier is bounded, and every window has a fixed size, so the work is
linear in the input (no catastrophic backtracking). Vocabulary comes from ``data/*.csv``.
"""

from __future__ import annotations

import bisect
import csv
import re
from collections import deque
from collections.abc import Iterator
from datetime import date
from functools import cache
from importlib import resources

from .models import Citation
from .symbols import Issuer, Symbol, canonical_code, issuers, parse_symbol, type_codes, type_word, type_words

# --- vocabulary → patterns ---------------------------------------------------------------------------


def _csv(name: str) -> list[dict[str, str]]:
    text = resources.files("tthc_kg.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    party_orgs = [r["code"] for r in _csv("party_codes.csv")]
    # Party document types: "NQ", "CT", "KL", "QĐ", "KH", "CTr", "HD", "KHHĐ" (kế hoạch hành động) …
    party_type = r"[A-ZĐ]{1,5}(?:i|r)?"
    # a code part: "NĐ", "CP", "TTg", "UBND", "QH15", "BVHTTDL", "KHCN", "TTLT"; "&" in "KH&CN"
    part = r"[A-ZĐ][A-ZĐa-zđ&]{0,11}\d{0,2}"
    # a break inside a code, as PDF extraction leaves it: "QĐ-\n\n\tUBND", "QĐ- UBND", "NQ -CP"
    dash = r"[ \t]{0,3}[-\u2010-\u2013][ \t\r\n]{0,8}"
    symbol = (
        r"(?:(?<![\w/.\-])|(?<=[Ss]ố))"  # "số2684/QĐ-UBND": no space after "số"
        r"(?P<number>\d{1,5}(?:\.\d{1,3})?[a-z]?)"  # "61", "02", "66.2", "12a"
        r"[ \t]{0,2}/[ \t]{0,2}"
        r"(?:(?P<year>(?:19|20)\d\d)[ \t]{0,2}/[ \t]{0,2})?"  # "/2018/"
        rf"(?P<code>{part}(?:{dash}{part}){{0,5}})"  # "NĐ-CP", "QĐ-BNN-KHCN", "QH15"
        r"(?:(?P<dangling>-)(?=[ \t]*[\t\n])|(?![\wĐđ]))"  # "4020/QĐ-<tab>": the code goes on below
    )
    party = (
        r"(?<![\w/.\-])"
        r"(?P<pnumber>\d{1,4})[ \t]{0,2}-[ \t]{0,2}"
        rf"(?P<pcode>(?:{party_type})[ \t]{{0,2}}/[ \t]{{0,2}}(?:{_alt(party_orgs)}))"
        r"(?![\wĐđ])"
    )
    words: list[str] = []
    for w in type_words():
        words.append(w.word)
        words.extend(v for v in w.variants if not v.endswith(" số"))
    typo_so = [v.removesuffix(" số") for w in type_words() for v in w.variants if v.endswith(" số")]
    type_alt = _alt(words)
    # The type word right before a symbol ("Nghị định số ", "Thông tư ", "Nghị quyết số:", typo "Nghị số "), read
    # backwards: the window before the symbol is reversed and matched from its start, ~10× faster than a
    # `$`-anchored search that retries at every position of the window.
    rev_type_alt = _alt([w[::-1] for w in words])
    before_rev = (
        rf"(?:[ \t\r\n]{{0,4}}:?[ \t\r\n]{{0,4}}(?i:ốs))?[ \t\r\n]{{1,6}}(?P<type>(?i:{rev_type_alt}))(?!\w)"
        rf"|[ \t\r\n]{{0,4}}:?[ \t\r\n]{{0,4}}ốs[ \t\r\n]{{1,4}}(?P<typo>{_alt([t[::-1] for t in typo_so])})(?!\w)"
    )
    return {
        "core": re.compile(f"{symbol}|{party}"),
        # where a symbol may start: a number followed by "/" (or "-" + capital, Party documents). Python's
        # engine scans for this simple pattern far faster than for `core`, whose look-behind defeats its
        # first-character search; `core` is then matched only at these places.
        # read backwards from a "/": the number (and a Party type) that may open a symbol there
        "candidate_rev": re.compile(r"[ \t]{0,2}(?:[A-ZĐa-zđ]{1,6}[ \t]{0,2}-[ \t]{0,2})?[a-z]?[\d.]{0,8}\d"),
        "before_rev": re.compile(before_rev),
        # the rest of a code cut at a cell boundary of a tab-separated table: "UBND ngày 16/12/2021"
        "continued": re.compile(rf"[ ]{{0,3}}(?P<rest>{part}(?:-{part}){{0,3}})(?![\wĐđ])"),
        "clause_type": re.compile(rf"(?<!\w)(?P<type>{type_alt})(?!\w)"),
        "list_type": re.compile(rf"(?i:các)[ \t\r\n]{{1,4}}(?P<type>(?i:{type_alt}))"),
        "scope": re.compile(
            r"(?P<scope>(?i:(?:điểm[ \t]+[a-zđ]{1,2}[ \t,]+)?(?:khoản[ \t]+\d{1,3}[ \t,]+)?điều[ \t]+\d{1,3}[a-zđ]?))"
            r"[ \t\r\n]{1,4}(?:của[ \t\r\n]{1,4})?$"
        ),
        # "Nghị quyết số 131": found from "số N" (a literal first letter is fast to scan for), the type word
        # then read backwards with before_rev
        "truncated": re.compile(r"số[ \t]{1,3}(?P<number>\d{1,5})(?![\d/.\w-]|[ \t]{0,2}[/-])"),
    }


_DATE_AFTER = re.compile(
    r"[ \t\r\n]{0,4},?[ \t\r\n]{0,4}(?:(?:được[ \t]+)?ban[ \t]+hành[ \t\r\n]{1,4})?ngày[ \t\r\n]{1,4}"
    r"(?:(?P<d>\d{1,2})[ \t]{0,2}[/.\-][ \t]{0,2}(?P<m>\d{1,2})[ \t]{0,2}[/.\-][ \t]{0,2}(?P<y>\d{4,5})"
    r"|(?P<d2>\d{1,2})[ \t\r\n]{1,4}tháng[ \t\r\n]{1,4}(?P<m2>\d{1,2})[ \t\r\n]{1,4}năm[ \t\r\n]{1,4}(?P<y2>\d{4,5}))"
)
_WS = r"[ \t\r\n]"


@cache
def _issuer_pattern() -> re.Pattern[str]:
    """ "của Chính phủ", "của UBND tỉnh Hưng\n\nYên", "của Bộ trưởng Bộ Tư pháp", "của Ủy ban nhân dân thành phố"."""

    bodies = [r["pattern"] for r in _csv("issuing_bodies.csv") if r["pattern"] not in ("Bộ", "Sở", "Bộ trưởng Bộ")]
    ministries = [i.name for i in issuers().values() if i.name.startswith("Bộ ")]
    sos = [i.name for i in issuers().values() if i.name.startswith("Sở ")]
    # a place name: up to five capitalized syllables, broken across lines in PDF text ("Hưng \n\nYên")
    level = r"(?:tỉnh|thành phố|TP\.?|huyện|quận|thị xã|xã|phường)"
    place = rf"(?:{_WS}{{1,6}}{level})?(?:{_WS}{{1,6}}[A-ZĐ][\w]{{0,9}}){{0,5}}"
    return re.compile(
        rf"{_WS}{{0,4}},?{_WS}{{0,4}}của{_WS}{{1,4}}(?P<issuer>"
        rf"(?:Bộ trưởng{_WS}{{1,3}})?(?:{_alt(ministries)})"  # "Bộ Tư pháp", "Bộ trưởng Bộ Tài chính"
        rf"|(?:Giám đốc{_WS}{{1,3}})?(?:{_alt(sos)}){place}"
        rf"|(?:{_alt(bodies)}){place}"
        r")"
    )


_TITLE_AFTER = re.compile(
    r"[ \t\r\n]{0,4},?[ \t\r\n]{0,4}(?:(?:về việc|về|V/v)[ \t\r\n]{1,4}(?P<title>[^;\n]{3,300})"
    # a title that is a verb phrase, kept whole ("… của Chính phủ quy định chi tiết một số điều của Luật …",
    # "… sửa đổi, bổ sung một số điều của Nghị định …"): only right after the issuer (see find_citations)
    r"|(?P<verbal>(?i:quy định|hướng dẫn|sửa đổi|ban hành|phê duyệt|thành lập|bãi bỏ)[ \t\r\n,][^;\n]{3,300}))"
)

_LOOKBACK = 60
_OWN_NUMBER = re.compile(r"(?:^|\n)[ \t*_#>|]{0,6}Số[ \t]{0,3}:?[ \t]{0,6}$")


def _year(text: str, symbol_year: int | None) -> int | None:
    """A printed year; a 5-digit typo ("20120") is read as the symbol's year when one digit too many."""
    if len(text) == 4:
        return int(text)
    if symbol_year is not None:
        for i in range(len(text)):
            if text[:i] + text[i + 1 :] == str(symbol_year):
                return symbol_year
    return None


def _date_after(text: str, pos: int, symbol_year: int | None) -> tuple[date | None, str | None, int]:
    m = _DATE_AFTER.match(text, pos, min(len(text), pos + 80))
    if not m:
        return None, None, pos
    d, mo, y = (
        (m.group("d"), m.group("m"), m.group("y")) if m.group("d") else (m.group("d2"), m.group("m2"), m.group("y2"))
    )
    year = _year(y, symbol_year)
    try:
        found = date(year, int(mo), int(d)) if year else None
    except ValueError:
        found = None
    return found, m.group().strip(" \t\r\n,"), m.end()


_ALIAS = re.compile(r"\(?\s{0,4}sau đây (?:gọi|viết)(?: tắt)? là", re.I)


def _clean(s: str) -> str:
    return " ".join(s.split()).strip(" ,;:.")


def _ends_with_so(window: str) -> bool:
    """The window ends with "số", "số:" or "số :" (a list item: "; số 63/2010/NĐ-CP")."""
    w = window.rstrip(" \t\r\n")
    if w.endswith(":"):
        w = w[:-1].rstrip(" \t\r\n")
    return w[-2:].lower() == "số"


def _last(matches: Iterator[re.Match[str]]) -> re.Match[str] | None:
    found = deque(matches, maxlen=1)
    return found[0] if found else None


def _stated_type(text: str, start: int, code: Symbol) -> tuple[str | None, int, bool]:
    """(type word, start of the citation, whether a type word was printed right before the symbol).

    In order: the type word right before ("Nghị định số 61/…"); the type word shared by a list ("các Nghị định
    …: số …; số …"); the code's own type ("NĐ-CP" → Nghị định); for codes that do not tell ("QH15": Luật or
    Nghị quyết), the nearest type word earlier in the same clause ("Luật Đất đai số 31/2024/QH15").
    """
    window_start = max(0, start - _LOOKBACK)
    window = text[window_start:start]
    pats = _patterns()
    m = pats["before_rev"].match(window[::-1])
    if m:
        if m.group("type"):
            printed = m.group("type")[::-1]
            tw = type_word(printed)
            return (tw.word if tw else printed), start - m.end(), True
        tw = type_word(m.group("typo")[::-1] + " số")
        return (tw.word if tw else None), start - m.end(), True
    if _ends_with_so(window):
        wide = text[max(0, start - 800) : start]
        last = _last(pats["list_type"].finditer(wide))
        if last is not None:
            tw = type_word(last.group("type"))
            if tw is not None:
                return tw.word, start, False
    if code.type_word is None:
        floor = max(0, start - 200)
        clause_start = max(text.rfind(";", floor, start), text.rfind("\n\n", floor, start), floor)
        last = _last(pats["clause_type"].finditer(text, clause_start, start))
        if last is not None:
            tw = type_word(last.group("type"))
            return (tw.word if tw else None), start, False
    return code.type_word, start, False


def find_citations(text: str) -> list[Citation]:
    """All citations in normalized text, in order of position."""
    return list(iter_citations(text))


def iter_citations(text: str) -> Iterator[Citation]:
    pats = _patterns()
    symbol_spans: list[tuple[int, int]] = []
    found: list[Citation] = []
    core = pats["core"]
    done = 0
    tabs: dict[int, tuple[int, int]] = {}  # _continued's running count of tabs along the current line
    for start_at in _candidates(text, pats["candidate_rev"]):
        if start_at < done:
            continue
        m = core.match(text, start_at)
        if m is None:
            continue
        done = m.end()
        if m.group("pnumber"):
            symbol = Symbol(m.group("pnumber"), None, canonical_code(m.group("pcode")), party=True)
        else:
            after = m.end()
            printed = m.group()
            if m.group("dangling"):
                cont = _continued(text, m.start(), m.end(), tabs)
                if cont is None:
                    continue
                printed, after = printed + cont[0], cont[1]
            symbol = parse_symbol(printed)
            if symbol is None:
                continue
        if _OWN_NUMBER.search(text, max(0, m.start() - 12), m.start()):
            continue  # "Số: 1026/KH-UBND" at the head of a line: the document's own number, not a citation
        stated, start, printed_type = _stated_type(text, m.start(), symbol)
        if not printed_type and not symbol.party and not _plausible(symbol):
            continue
        when, date_text, pos = _date_after(text, after if not m.group("pnumber") else m.end(), symbol.year)
        if symbol.year is None and when is not None and symbol.always_normative:
            # DESIGN.md: a missing year is filled only for always-normative codes ("02/TT-VPCP ngày 31/10/2017")
            symbol = symbol.with_year(when.year)
        issuer_m = _issuer_pattern().match(text, pos, min(len(text), pos + 120))
        issuer = _clean(issuer_m.group("issuer")) if issuer_m else None
        if issuer_m:
            pos = issuer_m.end()
        if issuer:
            symbol = _code_from_issuer(symbol, issuer)
        title_m = _TITLE_AFTER.match(text, pos, min(len(text), pos + 320))
        title = (title_m.group("title") or (title_m.group("verbal") if issuer else None)) if title_m else None
        if title:
            title = _ALIAS.split(title, 1)[0]  # "… đến năm 2030 (sau đây viết tắt là Chương trình), …"
        near = text[max(0, start - _LOOKBACK) : start]
        scope_m = pats["scope"].search(text, max(0, start - _LOOKBACK), start) if "iều" in near else None
        symbol_spans.append((start, m.end()))
        found.append(
            Citation(
                start=start,
                end=m.end(),
                text=text[start : m.end()],
                symbol=symbol,
                type=stated,
                number=symbol.number,
                date=when,
                date_text=date_text,
                issuer_printed=issuer,
                title=_clean(title) if title else None,
                scope=_clean(scope_m.group("scope")) if scope_m else None,
            )
        )
    found.extend(_truncated(text))
    found.extend(_law_names(text, symbol_spans))
    found.sort(key=lambda c: c.start)
    yield from found


# the first "/" of a symbol: a year ("61/2018/…") or a code ("79/KH-UBND", "57-NQ/TW") follows it
_FIRST_SLASH = re.compile(r"/(?=[ \t]{0,2}(?:[A-ZĐ]|19|20))")


def _candidates(text: str, rev: re.Pattern[str]) -> Iterator[int]:
    """Where a symbol may start: the number before a "/" ("61/2018/NĐ-CP", "57-NQ/TW").

    The engine scans for a "/" that a year or a code follows (one pass, every other "/" skipped in C: "1/1/1/…",
    "23/4/2018"); the number is then read backwards from it in a short window. Far faster than letting the
    engine try a digit-led pattern at every digit of the text.
    """
    last = -1
    for slash in _FIRST_SLASH.finditer(text):  # the engine skips every other "/" ("1/1/1", "////") at C speed
        pos = slash.start()
        floor = max(0, pos - 24)
        m = rev.match(text[floor:pos][::-1])
        if m is not None:
            start = pos - m.end()
            if start > last:
                last = start
                yield start


_ROW_MAX = 4000  # characters of a table row looked at around a code cut at a cell boundary


def _continued(
    text: str, start: int, end: int, tabs: dict[int, tuple[int, int]] | None = None
) -> tuple[str, int] | None:
    """The rest of a code cut at the end of a table cell ("4020/QĐ-" … next row, same column: "UBND ngày …").

    In tab-separated tables a cell that wraps continues in the same column of the next non-blank line; the
    column is the number of tabs before the symbol on its line. ``tabs`` (line start → (position, tabs before
    it)) lets calls in order along one line count each tab once.
    """
    line_start = text.rfind("\n", max(0, start - _ROW_MAX), start) + 1  # bounded: linear on one-line inputs
    seen = tabs.get(line_start) if tabs is not None else None
    if seen is not None and seen[0] <= start:
        column = seen[1] + text.count("\t", seen[0], start)
    else:
        column = text.count("\t", line_start, start)
    if tabs is not None:
        tabs.clear()
        tabs[line_start] = (start, column)
    pos = text.find("\n", end, end + _ROW_MAX)  # every search bounded: a row longer than _ROW_MAX has no next line
    for _ in range(4):  # the next non-blank line, a few blank lines at most
        if pos < 0:
            return None
        nxt = text.find("\n", pos + 1, pos + 1 + _ROW_MAX)
        line_end = nxt if nxt >= 0 else min(len(text), pos + 1 + _ROW_MAX)
        line = text[pos + 1 : line_end]
        if line.strip():
            cells = line.split("\t")
            if column >= len(cells):
                return None
            cell_start = pos + 1 + sum(len(c) + 1 for c in cells[:column])
            m = _patterns()["continued"].match(text, cell_start, line_end)
            return (m.group("rest"), m.end()) if m else None
        pos = nxt
    return None


@cache
def _ministries_by_name() -> dict[str, Issuer]:
    return {i.name: i for i in issuers().values() if i.name.startswith("Bộ ")}


def _code_from_issuer(symbol: Symbol, issuer: str) -> Symbol:
    """A ministry code that contradicts the ministry printed after it follows the printed name.

    "Thông tư số 98/2013/TT-BXD … của Bộ Tài chính" is 98/2013/TT-BTC: the name is spelled out, the code is
    two letters easily mistyped. Only between two known ministries (data/issuers.csv).
    """

    name = issuer.removeprefix("Bộ trưởng").strip()
    printed = _ministries_by_name().get(name)
    if printed is None or (printed.since and symbol.year and symbol.year < printed.since):
        return symbol  # a body cannot have issued a document before it existed: the name is today's
    printed_code = printed.code
    old = symbol.issuer_code
    if not printed_code or not old or old == printed_code or old.upper() not in issuers():
        return symbol
    if not issuers()[old.upper()].name.startswith("Bộ ") or not symbol.code.endswith("-" + old):
        return symbol
    return Symbol(symbol.number, symbol.year, symbol.code[: -len(old)] + printed_code, symbol.party)


def _plausible(symbol: Symbol) -> bool:
    """A symbol-shaped token is a citation when its code names a type or a known issuer.

    Rules out page numbers, ratios and dates that look like "3/TTHC" while keeping công văn codes
    ("1234/UBND-KSTT") whose first part is an issuing body.
    """
    first = symbol.code.split("-")[0].upper()
    if first in type_codes() or re.fullmatch(r"(UBTVQH|QH)\d{2}", first):
        return True

    return first in issuers() and "-" in symbol.code


def _truncated(text: str) -> Iterator[Citation]:
    """ "Nghị quyết số 131": a type word and a number, no code."""
    pats = _patterns()
    for m in pats["truncated"].finditer(text):
        number_start = m.start("number")
        before = pats["before_rev"].match(text[max(0, number_start - _LOOKBACK) : number_start][::-1])
        if before is None or not before.group("type"):
            continue
        start = number_start - before.end()
        printed = before.group("type")[::-1]
        tw = type_word(printed)
        when, date_text, _ = _date_after(text, m.end(), None)
        yield Citation(
            start=start,
            end=m.end(),
            text=text[start : m.end()],
            symbol=None,
            type=tw.word if tw else printed,
            number=m.group("number"),
            date=when,
            date_text=date_text,
            issuer_printed=None,
            title=_clean(text[start : m.end()]),
            kind="truncated",
        )


# "Luật …"/"Bộ luật …" and the name after it, up to the first terminator (the pattern
# `(?P<type>Bộ luật|Luật)[ \t]{1,3}(?P<name>[A-ZĐ][^;:,.()“”"]{2,110}?)(?=[ \t\r\n]{0,6}(?:ngày|số|…|$))`, matched
# without retrying the terminators at every length of the name: ~100× less work on a text full of "Luật")
_LAW_HEAD = re.compile(r"(?P<type>B(?<![\w/]B)ộ luật|L(?<![\w/]L)uật)[ \t]{1,3}(?=[A-ZĐ])")
_LAW_END = re.compile(r"ngày|số|năm|đã|được|sửa|hiện hành|và (?:Luật|Bộ luật|các)|[;,.(“]")
_LAW_STOP = re.compile(r"[;:,.()“”\"]")
_SPACE = frozenset(" \t\r\n")


def _law_match(text: str, begin: int, ends: _Ends) -> tuple[int, int, str] | None:
    """(start, end, type word) of the law named at ``begin``, as the pattern above matches it: the shortest name
    of 3–111 characters without ;:,.()“”" followed by up to six blanks and a terminator (a word of ``_LAW_END``, or
    the end of the text). ``ends``: where the terminators start (:func:`_law_ends`). No pattern retried at each
    length."""
    head = _LAW_HEAD.match(text, begin)
    if head is None:
        return None
    ns = head.end()
    stop = _LAW_STOP.search(text, ns + 1, ns + 111)
    limit = stop.start() if stop else min(len(text), ns + 111)
    k = ends.first(ns + 3)
    if k is None:
        return None
    e = k
    while e > k - 6 and e > ns + 3 and text[e - 1] in _SPACE:
        e -= 1
    if e > limit:
        return None
    return begin, e, head.group("type")


class _Ends:
    """Where the terminators of a law's name start, asked at a few places: the first match of ``_LAW_END`` from a
    position (no match can start inside another, so this is the first start that ``finditer`` over the whole text
    lists from there: listing them all cost ~1 ms per plan, for the few "Luật" of a text), then the end: ``$`` is
    the end, or before a final newline. The last search is kept: no match starts between where it began and what
    it found, so the names of a text asked in order cost one pass over it (a text of "Luật X Luật Y …" with no
    terminator is not read to its end once per name)."""

    def __init__(self, text: str) -> None:
        self.text = text
        n = len(text)
        self.tail = (n - 1, n) if text.endswith("\n") else (n,)
        self._from, self._found = 0, -1  # the last search: where it began, the start it found (None: none)

    def first(self, pos: int) -> int | None:
        found = self._found
        if not (self._from <= pos and (found is None or pos <= found)):
            m = _LAW_END.search(self.text, pos)
            found = m.start() if m is not None else None
            self._from, self._found = pos, found
        if found is not None:
            return found
        return next((e for e in self.tail if e >= pos), None)


def _law_ends(text: str) -> _Ends:
    return _Ends(text)


def _law_names(text: str, symbol_spans: list[tuple[int, int]]) -> Iterator[Citation]:
    """Laws cited by name only: "Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015"."""
    starts = sorted(s for s, _ in symbol_spans)

    pos = text.find("uật ")
    ends: _Ends | None = None
    last_end = 0
    while pos >= 0:  # a literal search, then the pattern at "Luật"/"Bộ luật" only
        begin = pos - 1 if text[pos - 1 : pos] == "L" else (pos - 4 if text[pos - 4 : pos] == "Bộ l" else -1)
        pos = text.find("uật ", pos + 4)
        if begin < last_end:
            continue
        if ends is None:
            ends = _law_ends(text)
        m = _law_match(text, begin, ends)
        if m is None:
            continue
        start, end, type_ = m
        last_end = end
        tail = text[end : end + 12]
        if re.match(r"[ \t]{0,3}số", tail):
            continue  # "Luật … số 64/2025/QH15": the symbol is the citation
        i = bisect.bisect_left(starts, start)
        if i < len(starts) and starts[i] < end:
            continue
        when, date_text, _ = _date_after(text, end, None)
        yield Citation(
            start=start,
            end=end,
            text=text[start:end],
            symbol=None,
            type=type_,
            number=None,
            date=when,
            date_text=date_text,
            issuer_printed=None,
            title=_clean(text[start:end]),
            kind="name",
        )
