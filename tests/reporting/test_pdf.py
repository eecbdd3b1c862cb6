"""The PDF export embeds a CJK font (not only text that a viewer would have to substitute)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zlib

import pytest

from ipps.reporting import exports
from ipps.reporting.models import MonthlyReport

IN_CI = os.environ.get("CI") == "true"


def _cjk_font_installed() -> bool:
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return False
    out = subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True).stdout  # noqa: S603
    return bool(out.strip())


needs_font = pytest.mark.skipif(
    not IN_CI and not _cjk_font_installed(),
    reason="no CJK font installed (apt install fonts-wqy-microhei)",
)


@needs_font
def test_pdf_embeds_a_cjk_font(network, reports):
    report = MonthlyReport.objects.get(unit=network.ws_zgc)
    report.work_done = "本月走访企业十二家，答复专利咨询三十次。"
    report.save()
    pdf = exports.pdf(report)
    assert pdf.startswith(b"%PDF")
    # Objects may sit in compressed object streams: read the raw file and every inflated stream.
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    text = b"\n".join(parts)
    fonts = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+_-]+)", text))
    assert any(b"WenQuanYi" in f or b"Noto" in f or b"SourceHan" in f for f in fonts), fonts
    # The font program itself is embedded (a subset), not merely named for the viewer to find.
    assert re.search(rb"/FontFile[23]?\s+\d+ 0 R", text)
    # Text is drawn with that font, with a ToUnicode map so it can be copied and searched.
    assert b"/ToUnicode" in text
    assert any(b"Tj" in part or b"TJ" in part for part in parts[1:])


def test_pdf_over_http(network, reports, login_as):
    if not IN_CI and not _cjk_font_installed():
        pytest.skip("no CJK font installed (apt install fonts-wqy-microhei)")
    report = MonthlyReport.objects.get(unit=network.ws_zgc)
    response = login_as(network.liaison_zgc).get(f"/reports/{report.pk}/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "report-WS-110108-001-" in response["Content-Disposition"]
