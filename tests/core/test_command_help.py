"""`ipps <command> --help` works for every command of ours, in English and Chinese."""

from __future__ import annotations

import pytest
from django.core.management import get_commands, load_command_class
from django.utils import translation

OURS = sorted((name, app) for name, app in get_commands().items() if app.startswith("ipps."))


def test_every_command_of_ours_is_listed():
    assert {"demo", "calendar", "serve", "import", "ledger", "reports", "audit"} <= {
        name for name, _app in OURS
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("name", "app"), OURS, ids=[name for name, _app in OURS])
def test_help_is_printed(name, app, language):
    with translation.override(language):
        command = load_command_class(app, name)
        text = command.create_parser("ipps", name).format_help()
        description = str(command.help)
    assert text.startswith("usage: ipps " + name)
    assert description.split()[0] in text


def test_demo_help_is_translated():
    with translation.override("zh-hans"):
        text = load_command_class("ipps.demo", "demo").create_parser("ipps", "demo").format_help()
    assert "演示" in text
