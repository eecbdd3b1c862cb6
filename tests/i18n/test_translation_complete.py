"""The Simplified Chinese translation is complete and the compiled catalogue matches it.

Extraction needs GNU gettext (xgettext); .ci/run installs it. Outside CI the extraction test skips
with a reason when it is absent; the catalogue checks always run.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "ipps"
PO = SRC / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def parse_po(text: str) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), fuzzy."""
    entries, entry, field = [], None, None

    def unquote(s: str) -> str:
        return (
            bytes(s.strip()[1:-1], "utf-8")
            .decode("unicode_escape")
            .encode("latin-1")
            .decode("utf-8")
        )

    for line in text.splitlines() + [""]:
        line = line.strip()
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"msgstr": {}, "fuzzy": False}
        if line.startswith("#,") and "fuzzy" in line:
            entry["fuzzy"] = True
        elif line.startswith("#"):
            continue
        elif m := re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line):
            key, index, value = m.group(1), m.group(2), unquote(m.group(3))
            if key.startswith("msgstr"):
                field = ("msgstr", int(index or 0))
                entry["msgstr"][field[1]] = value
            else:
                field = (key, None)
                entry[key] = value
        elif line.startswith('"') and field:
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += unquote(line)
            else:
                entry[field[0]] += unquote(line)
    return [e for e in entries if e.get("msgid")]


def test_catalogue_exists_and_every_entry_is_translated():
    assert PO.exists(), "run `make messages` to create the catalogue"
    missing = [
        e["msgid"]
        for e in parse_po(PO.read_text("utf-8"))
        if e["fuzzy"] or not all(v.strip() for v in e["msgstr"].values())
    ]
    assert not missing, f"{len(missing)} untranslated or fuzzy entries, e.g. {missing[:10]}"


def test_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for e in parse_po(PO.read_text("utf-8")):
        if "msgid_plural" in e:
            continue
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if compiled._catalog.get(key) != e["msgstr"][0]:
            stale.append(e["msgid"])
    assert not stale, (
        f"django.mo is out of date for {len(stale)} entries; run `make messages`: {stale[:5]}"
    )


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    if not shutil.which("xgettext"):
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (xgettext) is required in CI")
        pytest.skip("GNU gettext (xgettext) is not installed")
    work = tmp_path / "ipps"
    shutil.copytree(SRC, work, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (tmp_path / "extract_settings.py").write_text(
        f"from ipps.settings import *  # noqa\nLOCALE_PATHS = [{str(work / 'locale')!r}]\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "extract_settings",
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = parse_po((work / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text("utf-8"))
    missing = [
        e["msgid"] for e in fresh if e["fuzzy"] or not all(v.strip() for v in e["msgstr"].values())
    ]
    assert not missing, (
        f"{len(missing)} strings in the code have no Chinese translation; run `make messages` "
        f"and translate them: {missing[:10]}"
    )
