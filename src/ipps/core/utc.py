"""UTC times with and without their zone, by arithmetic instead of `datetime.replace`.

On Python 3.11 `replace(tzinfo=…)` parses its keyword arguments on every call, and an aware time's
`isoformat()` formats its offset with the general string formatter: each costs several times the
arithmetic below, which gives the same times exactly. A request's work converts a few dozen times
(every stored time read or written, every time in an audit row).
"""

from __future__ import annotations

from datetime import UTC, datetime

NAIVE_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - naive on purpose: the UTC wall time
UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def aware(naive_utc: datetime) -> datetime:
    """`naive_utc.replace(tzinfo=UTC)`, for a naive time that is UTC."""
    return UTC_EPOCH + (naive_utc - NAIVE_EPOCH)


def naive(moment: datetime) -> datetime:
    """`moment.astimezone(UTC).replace(tzinfo=None)`, for an aware time in any zone."""
    return NAIVE_EPOCH + (moment - UTC_EPOCH)


def isoformat(moment: datetime) -> str:
    """`moment.isoformat()`, for an aware time."""
    if moment.tzinfo is UTC:
        return naive(moment).isoformat() + "+00:00"
    return moment.isoformat()
