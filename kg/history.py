"""Snapshots of one organization over time: their dates, and which snapshot every command sees.

A *series* names one organization published again and again (a UK department every six months, an HR system
every month). Each load of a series is a *snapshot* dated ``as_of`` (an ISO date); the files of one snapshot
(a senior and a junior organogram, say) share that date. Sources outside any series are always visible. Of a
series, commands see the snapshot of the latest date on or before the asked date (the latest of all by default).

Pure functions of catalog entries: nothing here touches a store.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol, TypeVar

from kg.errors import InputError

ENV_AS_OF = "KG_AS_OF"  # the date every read sees (set by the global --as-of option)
ENV_SNAPSHOT = "KG_SNAPSHOT"  # the one snapshot every read sees (set by the global --snapshot option)


class Dated(Protocol):
    """What a catalog entry tells about its place in time."""

    series: str
    as_of: str


T = TypeVar("T", bound=Dated)


def parse_date(text: str) -> str:
    """An ISO date (YYYY-MM-DD) from ``text``: ISO, YYYYMMDD or DD/MM/YYYY. Raises ValueError otherwise.

    >>> parse_date("2011-03-31"), parse_date("20110930"), parse_date("30/09/2013")
    ('2011-03-31', '2011-09-30', '2013-09-30')
    >>> parse_date("next tuesday")
    Traceback (most recent call last):
    ...
    ValueError: 'next tuesday' is not a date; write it as YYYY-MM-DD
    """
    value = text.strip()
    for pattern, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"), (r"(\d{4})(\d{2})(\d{2})", "ymd"),
                           (r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", "dmy")):
        m = re.fullmatch(pattern, value)
        if m:
            found = _make_date(m.groups(), order)
            if found:
                return found
    raise ValueError(f"'{_short(value)}' is not a date; write it as YYYY-MM-DD")


def date_in_name(name: str) -> str | None:
    """The date a file name carries, as an ISO date, or None.

    Publishers write it as 2011-03-31, 20110331, 31032011 (UK organograms) or 300913 (day, month, year of
    the century); a run of digits that is no valid date in any of these is not a date.

    >>> date_in_name("ministry_of_justice-2011-09-30-senior.csv")
    '2011-09-30'
    >>> date_in_name("HEFCE_organogram_senior_data_31032011.csv")
    '2011-03-31'
    >>> date_in_name("300913-HMRC-Organogram-Final-senior.csv")
    '2013-09-30'
    >>> date_in_name("employees-v2.csv") is None
    True
    """
    m = re.search(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)", name)
    if m:
        return _make_date(m.groups(), "ymd")
    for m in re.finditer(r"(?<!\d)(\d{6}|\d{8})(?!\d)", name):
        digits = m.group(1)
        if len(digits) == 8:
            found = _make_date((digits[:4], digits[4:6], digits[6:]), "ymd")
            found = found or _make_date((digits[:2], digits[2:4], digits[4:]), "dmy")
        else:
            found = _make_date((digits[:2], digits[2:4], "20" + digits[4:]), "dmy")
        if found:
            return found
    return None


DATE_COLUMNS = ("as of", "as of date", "snapshot date", "effective date", "report date", "extract date",
                "extraction date", "date")


def date_in_column(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str | None:
    """The one date a file's date column holds (``As of``, ``Snapshot date``, ``Effective date``... or ``Date``),
    as an ISO date; None when there is no such column. Raises ValueError when it holds several dates.

    >>> date_in_column(["id", "As of"], [["1", "2024-01-31"], ["2", "2024-01-31"]])
    '2024-01-31'
    >>> date_in_column(["id", "name"], [["1", "Ann"]]) is None
    True
    """
    folded = [" ".join(h.replace("_", " ").replace("-", " ").split()).casefold() for h in header]
    at = next((folded.index(c) for c in DATE_COLUMNS if c in folded), None)
    if at is None:
        return None
    found: set[str] = set()
    for row in rows:
        if at < len(row) and row[at].strip():
            try:
                found.add(parse_date(row[at].strip()[:10]))
            except ValueError:
                continue
            if len(found) > 1:
                raise ValueError(f"its column '{header[at]}' holds several dates ({', '.join(sorted(found))}); "
                                 "give the snapshot's date with --as-of YYYY-MM-DD")
    return found.pop() if found else None


def env_as_of() -> str | None:
    """The date of ``$KG_AS_OF`` (what the global ``--as-of`` sets for this process and its workers), or None."""
    value = os.environ.get(ENV_AS_OF, "").strip()
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise InputError(f"--as-of / {ENV_AS_OF}: {exc}") from exc


def _make_date(parts: Sequence[str], order: str) -> str | None:
    values = dict(zip(order, (int(p) for p in parts), strict=True))
    if not 1900 <= values["y"] <= 2100:
        return None
    try:
        return date(values["y"], values["m"], values["d"]).isoformat()
    except ValueError:
        return None


def _short(text: str, limit: int = 40) -> str:
    text = "".join(c if c.isprintable() else " " for c in text)
    return text if len(text) <= limit else text[:limit] + "..."


def snapshot_dates(entries: Iterable[Dated], series: str) -> list[str]:
    """The dates of the snapshots of ``series``, oldest first.

    >>> from types import SimpleNamespace as S
    >>> snapshot_dates([S(series="moj", as_of="2011-09-30"), S(series="moj", as_of="2011-03-31"),
    ...                 S(series="moj", as_of="2011-03-31"), S(series="", as_of="")], "moj")
    ['2011-03-31', '2011-09-30']
    """
    return sorted({e.as_of for e in entries if e.series == series and e.as_of})


def current(entries: Iterable[T], as_of: str | None = None) -> list[T]:
    """The entries commands see ``as_of`` a date (None: the latest): every entry outside a series, and of
    each series the files of its latest snapshot on or before that date (none if the series starts later).
    Saved what-if scenarios (entries whose ``scenario`` is true) are never current: they are seen when named.

    >>> from types import SimpleNamespace as S
    >>> moj = [S(name="old", series="moj", as_of="2011-03-31"), S(name="new", series="moj", as_of="2011-09-30"),
    ...        S(name="hr", series="", as_of="")]
    >>> [e.name for e in current(moj)]
    ['new', 'hr']
    >>> [e.name for e in current(moj, "2011-06-30")]
    ['old', 'hr']
    >>> [e.name for e in current(moj, "2010-01-01")]
    ['hr']
    """
    entries = [e for e in entries if not getattr(e, "scenario", False)]
    chosen: dict[str, str] = {}
    for e in entries:
        if e.series and (as_of is None or e.as_of <= as_of) and e.as_of > chosen.get(e.series, ""):
            chosen[e.series] = e.as_of
    return [e for e in entries if not e.series or chosen.get(e.series) == e.as_of]


def history(entries: Iterable[T], as_of: str | None = None) -> list[T]:
    """Every entry that existed ``as_of`` a date: all snapshots up to it (for questions across time).

    >>> from types import SimpleNamespace as S
    >>> moj = [S(name="old", series="moj", as_of="2011-03-31"), S(name="new", series="moj", as_of="2011-09-30")]
    >>> [e.name for e in history(moj, "2011-06-30")]
    ['old']
    """
    return [e for e in entries if not getattr(e, "scenario", False)
            and (not e.series or as_of is None or e.as_of <= as_of)]


class Named(Dated, Protocol):
    name: str


N = TypeVar("N", bound=Named)


def snapshot(entries: Iterable[N], spec: str) -> list[N]:
    """The files of one snapshot named by ``spec``: ``SERIES@DATE``, a series name (its latest snapshot), or a
    source name (with the other files of its snapshot, when it belongs to a series).

    >>> from types import SimpleNamespace as S
    >>> moj = [S(name="s1", series="moj", as_of="2011-03-31"), S(name="j1", series="moj", as_of="2011-03-31"),
    ...        S(name="s2", series="moj", as_of="2011-09-30"), S(name="hr", series="", as_of="")]
    >>> [e.name for e in snapshot(moj, "moj@2011-03-31")], [e.name for e in snapshot(moj, "moj")]
    (['s1', 'j1'], ['s2'])
    >>> [e.name for e in snapshot(moj, "j1")], [e.name for e in snapshot(moj, "hr")]
    (['s1', 'j1'], ['hr'])
    >>> snapshot(moj, "moj@2012-01-01")
    Traceback (most recent call last):
    ...
    kg.errors.NotFoundError: series moj has no snapshot dated 2012-01-01; its dates: 2011-03-31, 2011-09-30
    """
    from kg.errors import NotFoundError

    entries = list(entries)
    text = spec.strip()
    by_name = [e for e in entries if e.name == text]
    if by_name:
        e = by_name[0]
        return [x for x in entries if x.series == e.series and x.as_of == e.as_of] if e.series else [e]
    series, _, when = text.rpartition("@") if "@" in text else (text, "", "")
    known = sorted({e.series for e in entries if e.series})
    if series not in known:
        names = ", ".join(known) or "none"
        raise NotFoundError(f"no source or series named '{_short(text)}' (series: {names}); see `kg sources`")
    dates = snapshot_dates(entries, series)
    if when:
        try:
            day = parse_date(when)
        except ValueError as exc:
            raise InputError(f"{_short(text)}: {exc}") from exc
    else:
        day = dates[-1]
    found = [e for e in entries if e.series == series and e.as_of == day]
    if not found:
        raise NotFoundError(f"series {series} has no snapshot dated {day}; its dates: {', '.join(dates)}")
    return found
