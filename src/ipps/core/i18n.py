"""Translation helpers for code that formats the same sentences thousands of times.

`gettext` walks the active language's catalogues on every call (about 7 µs); an assessment of a
thousand units formats tens of thousands of explanations from a few dozen sentences, so
`cached_gettext` memoises the translated text per language. Catalogues do not change while the
process runs; a change of LOCALE_PATHS or LANGUAGES (tests) empties the memo, as it does
Django's own caches.
"""

from __future__ import annotations

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language, gettext

_memo: dict[tuple[str | None, str], str] = {}


def cached_gettext(message: str) -> str:
    key = (get_language(), message)
    text = _memo.get(key)
    if text is None:
        text = _memo[key] = gettext(message)
    return text


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs) -> None:
    if setting in {"LOCALE_PATHS", "LANGUAGES", "LANGUAGE_CODE", "INSTALLED_APPS"}:
        _memo.clear()


def sentence(message: str, **args) -> dict:
    """A sentence kept as data and translated when it is read, for text that is stored (a
    simulation, an allocation) and read later by people with other languages. Mark `message`
    with `gettext_noop` where it is written, so that makemessages finds it."""
    return {"msg": message, "args": args}


def say(item: dict | str, **localize) -> str:
    """The sentence in the active language. `localize` maps an argument's name to a function
    that puts its value into words (a unit kind into its label, say). A plain string — text
    stored before sentences were kept as data — is returned as it is."""
    if isinstance(item, str):
        return item
    args = dict(item.get("args") or {})
    for name, words in localize.items():
        if name in args:
            args[name] = words(args[name])
    return cached_gettext(item["msg"]) % args if args else cached_gettext(item["msg"])
