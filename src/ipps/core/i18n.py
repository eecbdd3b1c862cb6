"""Translation helpers for code that formats the same sentences thousands of times.

`gettext` walks the active language's catalogues on every call (about 7 µs); an assessment of a
thousand units formats tens of thousands of explanations from a few dozen sentences, so
`cached_gettext` memoises the translated text per language. Catalogues do not change while the
process runs; a change of LOCALE_PATHS or LANGUAGES (tests) empties the memo, as it does
Django's own caches.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language, gettext, override

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


def in_each_language(words: Callable[[], object]) -> dict[str, str]:
    """`words()` said in each of the site's languages, as an argument of a sentence that is itself
    language-dependent (a unit's name, a list of field labels): `say` picks the reader's."""
    said = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            said[code] = str(words())
    return said


def say(item: dict | str, **localize) -> str:
    """The sentence in the active language. `localize` maps an argument's name to a function
    that puts its value into words (a unit kind into its label, say); an argument made by
    `in_each_language` is taken in the active language. A plain string — text stored before
    sentences were kept as data — is returned as it is."""
    if isinstance(item, str):
        return item
    args = dict(item.get("args") or {})
    for name, words in localize.items():
        if name in args:
            args[name] = words(args[name])
    for name, value in args.items():
        if isinstance(value, dict):
            args[name] = in_active_language(value)
    return cached_gettext(item["msg"]) % args if args else cached_gettext(item["msg"])


def say_stored(item: dict | None, written: str) -> str:
    """A sentence stored beside a text (`written`, as it was written then), in the active
    language; the text itself where there is no sentence, or where the sentence no longer fits
    its arguments (a message reworded since)."""
    if item:
        try:
            return say(item)
        except (KeyError, TypeError, ValueError):
            pass
    return written


def in_active_language(said: dict[str, str]) -> str:
    """Of a text kept in each language (`{"en": …, "zh-hans": …}`), the active language's."""
    language = get_language() or settings.LANGUAGE_CODE
    found = said.get(language)
    if found is None:  # a language added since: the default one's, or any
        found = said.get(settings.LANGUAGE_CODE, next(iter(said.values()), ""))
    return found
