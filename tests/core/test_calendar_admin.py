"""The working-calendar month page, override form, `ipps calendar` and the admin hooks."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook

from ipps.core.calendar import WorkingCalendar
from ipps.core.models import AuditEvent, CalendarDay, CalendarYear
from tests.factories import UserFactory, membership

URL = reverse("core:calendar")


def cell(html: str, day: str) -> str:
    start = html.index(f'data-date="{day}"')
    return html[start : html.index("</td>", start)]


def test_october_2026_shows_national_day_and_the_make_up_saturday(network, login_as):
    response = login_as(network.liaison_zgc).get(URL, {"month": "2026-10"})
    assert response.status_code == 200
    html = response.content.decode()
    first = cell(html, "2026-10-01")
    assert 'data-working="0"' in first and 'data-reason="holiday"' in first
    assert "国庆节" in first and "National Day" in first
    saturday = cell(html, "2026-10-10")
    assert 'data-working="1"' in saturday and 'data-reason="makeup_workday"' in saturday
    assert "Make-up workday" in saturday
    assert 'data-reason="weekend"' in cell(html, "2026-10-11")
    assert 'data-reason="workday"' in cell(html, "2026-10-08")
    assert "?month=2026-09" in html and "?month=2026-11" in html
    assert 'data-calendar="missing"' not in html
    assert "Add an override day" not in html  # a liaison only reads


def test_missing_year_says_what_to_do(network, login_as):
    html = login_as(network.liaison_zgc).get(URL, {"month": "2031-03"}).content.decode()
    assert 'data-calendar="missing"' in html
    assert "ipps calendar import" in html
    assert "2031" in html


def test_december_shows_january_of_a_year_without_data_at_its_edge(network, login_as):
    """December's grid ends with the first days of January. When the next year has no data they
    are shown greyed (the month itself has data), not a server error."""
    CalendarYear.objects.create(year=2030, note="entered")  # 2031 has no data (as above)
    response = login_as(network.liaison_zgc).get(URL, {"month": "2030-12"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-calendar="missing"' not in html
    assert 'data-reason="workday"' in cell(html, "2030-12-31")
    assert 'class="text-body-tertiary' in cell(html, "2031-01-01")
    # January itself says its year is missing, with December's last days at its edge.
    html = login_as(network.liaison_zgc).get(URL, {"month": "2031-01"}).text
    assert 'data-calendar="missing"' in html
    assert 'data-reason="workday"' in cell(html, "2030-12-30")


def test_show_prints_december_before_a_year_without_data(db):
    CalendarYear.objects.create(year=2030, note="entered")
    out = StringIO()
    call_command("calendar", "show", "--month", "2030-12", stdout=out)
    text = out.getvalue()
    assert text.startswith("2030-12\n") and "Working days: 22; days off: 9." in text


def test_missing_year_lists_the_units_that_allow_the_weekends_only_calendar(network, login_as):
    client = login_as(network.liaison_zgc)
    html = client.get(URL, {"month": "2031-03"}).content.decode()
    assert "No unit allows the weekends-only calendar" in html
    for unit in (network.haidian, network.ws_wangjing):
        unit.calendar_weekend_fallback = True
        unit.save(update_fields=["calendar_weekend_fallback"])
    html = client.get(URL, {"month": "2031-03"}).content.decode()
    units = html[html.index('data-calendar="fallback-units"') :]
    units = units[: units.index("</p>")]
    assert "2 units allow the weekends-only calendar" in units
    assert 'data-unit="DC-110108"' in units and 'data-unit="WS-110105-001"' in units
    assert 'data-unit="WS-110108-001"' not in units
    assert reverse("network:unit_detail", args=[network.haidian.pk]) in units
    # A year with data has nothing to say about the fallback.
    assert 'data-calendar="fallback-units"' not in client.get(URL, {"month": "2026-03"}).text


def test_portal_users_and_anonymous_do_not_see_it(network, client, login_as):
    assert client.get(URL).status_code == 302
    assert login_as(network.portal_zgc).get(URL).status_code == 404


def test_admin_adds_and_removes_an_override(network, login_as):
    client = login_as(network.admin)
    html = client.get(URL, {"month": "2026-10"}).content.decode()
    assert "Add an override day" in html
    response = client.post(
        URL,
        {"date": "2026-10-09", "is_working": "0", "reason": "市中心年度调休", "month": "2026-10"},
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=dt.date(2026, 10, 9))
    assert not day.is_working and day.reason == "市中心年度调休"
    assert AuditEvent.objects.filter(object_type="core.calendarday", action="create").exists()
    html = client.get(URL, {"month": "2026-10"}).content.decode()
    assert 'data-reason="override_day_off"' in cell(html, "2026-10-09")
    assert "市中心年度调休" in html
    response = client.post(URL, {"date": "2026-10-12", "is_working": "1", "reason": ""})
    assert response.status_code == 200 and 'data-field="reason"' in response.content.decode()
    client.post(URL, {"action": "remove", "date": "2026-10-09"})
    assert not CalendarDay.objects.filter(date=dt.date(2026, 10, 9)).exists()


def test_a_municipal_admin_may_edit_but_a_liaison_may_not_post(network, login_as):
    boss = UserFactory(username="bj-admin")
    membership(boss, network.city, "admin")
    assert "Add an override day" in login_as(boss).get(URL).content.decode()
    response = login_as(network.liaison_zgc).post(
        URL, {"date": "2026-10-09", "is_working": "0", "reason": "x"}
    )
    assert response.status_code == 404
    assert not CalendarDay.objects.exists()


# Import command -------------------------------------------------------------------------------------


def write_csv(tmp_path, text: str, name="2027.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_import_csv_marks_the_year_and_is_audited(db, tmp_path):
    path = write_csv(
        tmp_path,
        "日期,上班,原因\n2027-01-01,休息,元旦\n2027-02-06,是,春节调休\n2027-02-08,0,春节\n",
    )
    out = StringIO()
    call_command("calendar", "import", str(path), "--year", "2027", stdout=out)
    assert "2027" in out.getvalue()
    assert CalendarYear.objects.filter(year=2027).exists()
    cal = WorkingCalendar.load()
    assert not cal.is_working_day(dt.date(2027, 1, 1))
    assert cal.is_working_day(dt.date(2027, 2, 6))  # a Saturday
    assert cal.is_working_day(dt.date(2027, 1, 4))
    row = AuditEvent.objects.get(action="import", object_type="core.calendaryear")
    assert row.changes["days"] == 3 and row.changes["days_off"] == 2


def test_import_xlsx_without_header(db, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append([dt.datetime(2027, 10, 1), "no", "National Day"])  # noqa: DTZ001
    sheet.append(["2027-10-09", "上班", "调休"])
    path = tmp_path / "2027.xlsx"
    book.save(path)
    call_command("calendar", "import", str(path), "--year", "2027", stdout=StringIO())
    assert CalendarDay.objects.get(date=dt.date(2027, 10, 9)).is_working


def test_bad_file_imports_nothing_and_names_the_rows(db, tmp_path):
    path = write_csv(
        tmp_path,
        "date,working,reason\n2027-01-01,0,元旦\n2026-12-31,0,wrong year\nsoon,1,x\n2027-01-01,1,dup\n2027-03-02,maybe,?\n",
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "calendar", "import", str(path), "--year", "2027", stdout=StringIO(), stderr=err
        )
    text = err.getvalue()
    for row in ("Row 3", "Row 4", "Row 5", "Row 6"):
        assert row in text
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()


def test_import_replaces_the_years_list(db, tmp_path):
    call_command(
        "calendar", "import", str(write_csv(tmp_path, "2027-05-03,0,劳动节\n")), "--year", "2027",
        stdout=StringIO(),
    )  # fmt: skip
    call_command(
        "calendar", "import", str(write_csv(tmp_path, "2027-05-04,0,劳动节\n", "b.csv")),
        "--year", "2027", stdout=StringIO(),
    )  # fmt: skip
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [dt.date(2027, 5, 4)]


def test_show_prints_the_month(db):
    out = StringIO()
    call_command("calendar", "show", "--month", "2026-10", stdout=out)
    text = out.getvalue()
    assert " 10M" in text and "National Day" in text and "2026-10-10" in text


# Admin ----------------------------------------------------------------------------------------------


def test_admin_pages_for_calendar_and_casework(network, login_as):
    client = login_as(network.admin)
    for name in (
        "admin:core_calendarday_changelist",
        "admin:core_calendaryear_changelist",
        "admin:casework_expert_changelist",
        "admin:casework_servicerequest_changelist",
        "admin:casework_article_changelist",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    response = client.post(
        reverse("admin:core_calendarday_add"),
        {"date": "2026-10-12", "is_working": "", "reason": "停电"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(object_type="core.calendarday").exists()
