"""The import engine: formats, validation, all-or-nothing, partial, office-file quirks, scope."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import override_settings
from django.utils import translation
from openpyxl import Workbook

from ipps.core.errors import PermissionDeniedError
from ipps.core.models import AuditEvent
from ipps.enterprises.importing import (
    ImportFileError,
    enterprises_import,
    header_field,
    parse_date,
    report_csv,
    report_xlsx,
    template_xlsx,
)
from ipps.enterprises.models import Enterprise, PriorityListing
from tests.enterprises.import_files import (
    EN_HEADER,
    ZH_HEADER,
    csv_bytes,
    read_xlsx,
    row,
    uscc,
    xlsx_bytes,
)
from tests.factories import EnterpriseFactory, UserFactory

pytestmark = pytest.mark.django_db


def run(data: bytes, name: str = "enterprises.xlsx", *, user, partial: bool = False):
    return enterprises_import(
        file=io.BytesIO(data), file_name=name, partial=partial, acting_user=user
    )


def imported_codes(*numbers: int) -> set[str]:
    codes = {uscc(n) for n in numbers}
    return set(Enterprise.objects.filter(uscc__in=codes).values_list("uscc", flat=True))


# --- good files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("zh.xlsx", lambda rows: xlsx_bytes(rows, header=ZH_HEADER)),
        ("en.xlsx", lambda rows: xlsx_bytes(rows, header=EN_HEADER)),
        ("zh.csv", lambda rows: csv_bytes(rows, header=ZH_HEADER)),
        ("en-bom.csv", lambda rows: csv_bytes(rows, header=EN_HEADER, encoding="utf-8-sig")),
        ("gbk.csv", lambda rows: csv_bytes(rows, header=ZH_HEADER, encoding="gb18030")),
        ("tabs.csv", lambda rows: csv_bytes(rows, header=ZH_HEADER, delimiter="\t")),
    ],
)
def test_good_file_creates_enterprises(network, name, build):
    data = build([row(1, priority_year="2026"), row(2, workstation="上地信息产业基地工作站")])
    report = run(data, name, user=network.haidian_officer)
    assert report.status == "imported", report.as_dict()
    assert (report.rows, report.created, report.updated, report.error_count) == (2, 2, 0, 0)
    first = Enterprise.objects.get(uscc=uscc(1))
    assert first.name == "北京导入测试科技有限公司1"
    assert first.workstation == network.ws_zgc
    assert first.district == "110108"
    assert (first.industry_section, first.industry_division) == ("I", "65")
    assert (first.stage, first.size) == ("growth", "small")
    assert first.designations == ["high_tech", "specialised_sme"]
    assert first.founded_on == datetime.date(2015, 3, 1)
    assert first.contact_phone == "13812345678"
    assert first.created_by == network.haidian_officer
    assert Enterprise.objects.get(uscc=uscc(2)).workstation == network.ws_shangdi
    listing = PriorityListing.objects.get(enterprise=first)
    assert (listing.year, listing.source) == (2026, "import")
    assert report.priority_listed == 1


def test_one_audit_row_per_import(network):
    before = AuditEvent.objects.count()
    data = xlsx_bytes([row(n) for n in range(1, 6)])
    report = run(data, user=network.liaison_zgc)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "import"
    assert event.object_type == "enterprises.enterprise"
    assert event.actor == network.liaison_zgc
    assert event.changes["created"] == 5
    assert event.changes["file_name"] == "enterprises.xlsx"
    assert event.changes["sha256"] == report.sha256 and len(report.sha256) == 64


def test_values_in_their_many_spellings(network):
    rows = [
        row(
            1,
            district="110108",
            workstation="ws-110108-001",
            industry="65",
            stage="startup",
            size="Micro",
            designations='专精特新"小巨人"; 上市公司',
            founded_on="2015/3/1",
        ),
        row(
            2,
            district="Haidian",
            workstation="Zhongguancun Software Park Workstation",
            industry="软件和信息技术服务业",
            stage="成熟",
            size="大型企业",
            designations="专精特新“小巨人”企业，科技型中小企业",
            founded_on="2015年3月1日",
        ),
        row(3, district="", workstation="", industry="I", founded_on="20150301", designations=""),
        row(4, district="BDA", workstation="", founded_on=datetime.date(2015, 3, 1)),
    ]
    from tests.factories import UnitFactory

    UnitFactory(
        kind="district_centre",
        code="DC-BDA",
        parent=network.city,
        district="BDA",
        name_zh="经开区知识产权公共服务中心",
    )
    rows[2][2] = "海淀"  # district only: the Haidian district centre becomes responsible
    report = run(xlsx_bytes(rows), user=network.city_officer)
    assert report.status == "imported", report.as_dict()["errors"]
    e1, e2, e3, e4 = (Enterprise.objects.get(uscc=uscc(n)) for n in (1, 2, 3, 4))
    assert e1.designations == ["little_giant", "listed"]
    assert (e1.stage, e1.size, e1.industry_division) == ("startup", "micro", "65")
    assert e2.workstation == network.ws_zgc
    assert e2.designations == ["little_giant", "tech_sme"]
    assert (e2.stage, e2.size, e2.industry_division) == ("mature", "large", "65")
    assert e3.workstation == network.haidian
    assert (e3.industry_section, e3.industry_division) == ("I", "")
    assert e4.district == "BDA" and e4.workstation.code == "DC-BDA"
    assert {e.founded_on for e in (e1, e2, e3, e4)} == {datetime.date(2015, 3, 1)}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-03-01", datetime.date(2015, 3, 1)),
        ("2015/3/1", datetime.date(2015, 3, 1)),
        ("2015年3月1日", datetime.date(2015, 3, 1)),
        ("２０１５年３月１日", datetime.date(2015, 3, 1)),
        ("20150301", datetime.date(2015, 3, 1)),
        (20150301, datetime.date(2015, 3, 1)),
        ("2015-03-01 00:00:00", datetime.date(2015, 3, 1)),
        (42064, datetime.date(2015, 3, 1)),  # an Excel serial
        ("42064", datetime.date(2015, 3, 1)),
        (datetime.datetime(2015, 3, 1, 8, 30), datetime.date(2015, 3, 1)),
    ],
)
def test_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "header",
    [
        "*统一社会信用代码",
        " 统一社会\n信用代码 ",
        "统一社会信用代码（必填）",
        "USCC",
        "＊ＵＳＣＣ",
        "统一社会信用代码\nUSCC",
        "Unified Social Credit Code",
    ],
)
def test_header_spellings(header):
    assert header_field(header) == "uscc"


def test_headers_that_look_alike_stay_apart():
    assert header_field("企业名称") == "name"
    assert header_field("企业名称（英文）") == "name_en"
    assert header_field("资质/企业称号") == "designations"
    assert header_field("备注") is None


# --- all or nothing, partial --------------------------------------------------------------------


def bad_file() -> bytes:
    return xlsx_bytes(
        [
            row(1),
            row(2, uscc="91110108ABC"),
            row(3, founded_on="2015-02-30"),
            row(4, stage="青春期"),
            row(5, workstation="WS-999"),
            row(6),
        ],
        above=[["2026年企业名单"]],
    )


def test_bad_rows_refuse_the_whole_file(network):
    before = AuditEvent.objects.count()
    report = run(bad_file(), user=network.liaison_zgc)
    assert report.status == "refused"
    assert report.created == 0
    assert not imported_codes(1, 6)
    assert AuditEvent.objects.count() == before
    errors = {(e.row, e.column): e for e in report.errors}
    # Row numbers as in the spreadsheet: title row 1, header row 2, data from row 3.
    assert set(errors) == {
        (4, "统一社会信用代码"),
        (5, "成立日期"),
        (6, "发展阶段"),
        (7, "负责工作站"),
    }
    assert errors[(4, "统一社会信用代码")].value == "91110108ABC"
    assert errors[(4, "统一社会信用代码")].code == "invalid_uscc"
    assert "18 characters" in errors[(4, "统一社会信用代码")].message
    assert errors[(5, "成立日期")].code == "invalid_date"
    assert errors[(6, "发展阶段")].value == "青春期"
    assert errors[(7, "负责工作站")].code == "unknown_unit"


def test_partial_imports_the_good_rows(network):
    report = run(bad_file(), user=network.liaison_zgc, partial=True)
    assert report.status == "imported"
    assert (report.rows, report.created, report.error_count) == (6, 2, 4)
    assert imported_codes(1, 2, 3, 4, 5, 6) == {uscc(1), uscc(6)}


def test_messages_in_the_users_language(network):
    with translation.override("zh-hans"):
        report = run(xlsx_bytes([row(1, founded_on="明天")]), user=network.liaison_zgc)
    assert report.errors[0].code == "invalid_date"
    assert report.errors[0].message  # whatever the catalogue holds, the message is there


def test_report_files(network):
    report = run(bad_file(), user=network.liaison_zgc).as_dict()
    sheets = read_xlsx(report_xlsx(report))
    errors = sheets["Errors"]
    assert errors[0] == ["Row", "Column", "Value", "Code", "Message"]
    assert [4, "统一社会信用代码", "91110108ABC", "invalid_uscc"] == errors[1][:4]
    assert len(errors) == 5
    summary = dict(r[:2] for r in sheets["Summary"])
    assert summary["Errors"] == 4 and summary["Created"] == 0
    text = report_csv(report).decode("utf-8-sig")
    assert text.splitlines()[0] == "Row,Column,Value,Code,Message"
    assert "4,统一社会信用代码,91110108ABC,invalid_uscc," in text


def test_report_cells_are_never_formulas(network):
    data = csv_bytes([row(1, stage="=1+1")])
    report = run(data, "formula.csv", user=network.liaison_zgc).as_dict()
    assert read_xlsx(report_xlsx(report))["Errors"][1][2] == "=1+1"
    assert ",'=1+1," in report_csv(report).decode("utf-8-sig")


# --- office files as they come ------------------------------------------------------------------


def test_title_rows_merged_cells_full_width_text_numbers_and_a_total_row(network):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["海淀区重点企业名单（2026年）"])
    sheet.append(["填报单位：海淀区知识产权公共服务中心", None, None, "填报日期：2026-01-05"])
    sheet.append(
        [
            "序号",
            "*统一社会信用代码",
            "企业名称\nName",
            "所属区",
            "负责\n工作站",
            "行业",
            "成立日期",
            "联系电话",
            "重点企业年度",
            "备注",
        ]
    )
    code1 = uscc(1)
    full_width = code1.translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"}
    )
    sheet.append(
        [
            1,
            full_width,
            "  北京全角科技有限公司  ",
            "海淀区",
            "ＷＳ－１１０１０８－００１",
            "65",
            "２０１５年３月１日",
            13812345678,
            "2026",
            "全角",
        ]
    )
    sheet.append(
        [
            2,
            uscc(2),
            "北京合并单元格科技有限公司",
            None,
            "WS-110108-002",
            65,
            datetime.datetime(2016, 5, 4),
            "010-8888 6666",
            2026.0,
            None,
        ]
    )
    sheet.append(
        [
            3,
            uscc(3),
            "北京序列日期科技有限公司",
            None,
            "WS-110108-002",
            "I65",
            42064,
            None,
            None,
            None,
        ]
    )
    sheet.append([None] * 10)
    sheet.append([4, None, None, None, None, None, None, None, None, None])  # numbered, empty
    sheet.append(
        [
            5,
            uscc(4),
            "北京空行之后科技有限公司",
            "海淀",
            "WS-110108-001",
            None,
            "2015.3.1",
            None,
            None,
            None,
        ]
    )
    sheet.append(["合计", "4家", None, None, None, None, None, None, None, None])
    sheet.append([None] * 10)
    sheet.merge_cells("A1:J1")
    sheet.merge_cells("A2:C2")
    sheet.merge_cells("D5:D6")  # one 海淀区 for rows 5 and 6
    sheet["D5"] = "海淀区"
    out = io.BytesIO()
    workbook.save(out)
    report = run(out.getvalue(), "real.xlsx", user=network.haidian_officer)
    assert report.status == "imported", report.as_dict()["errors"]
    assert report.header_row == 3
    assert (report.rows, report.created, report.skipped) == (4, 4, 2)
    assert report.ignored_columns == ["备注"]
    first = Enterprise.objects.get(uscc=code1)
    assert first.name == "北京全角科技有限公司"
    assert first.workstation == network.ws_zgc
    assert first.contact_phone == "13812345678"
    assert first.founded_on == datetime.date(2015, 3, 1)
    second = Enterprise.objects.get(uscc=uscc(2))
    assert second.district == "110108" and second.industry_division == "65"
    assert second.founded_on == datetime.date(2016, 5, 4)
    assert second.contact_phone == "010-8888 6666"
    assert Enterprise.objects.get(uscc=uscc(3)).founded_on == datetime.date(2015, 3, 1)
    assert PriorityListing.objects.filter(year=2026).count() == 2


def test_merged_cells_fill_down(network):
    # A district typed once and merged over three rows applies to all three.
    data = xlsx_bytes(
        [
            row(1, workstation=""),
            row(2, workstation="", district=None),
            row(3, workstation="", district=None),
        ],
        merges=["C2:C4"],
    )
    report = run(data, user=network.haidian_officer)
    assert report.status == "imported", report.as_dict()["errors"]
    assert set(
        Enterprise.objects.filter(uscc__in=[uscc(1), uscc(2), uscc(3)]).values_list(
            "workstation__code", flat=True
        )
    ) == {"DC-110108"}


def test_chinese_and_english_header_rows_together(network):
    data = xlsx_bytes([EN_HEADER, row(1)], header=ZH_HEADER)
    report = run(data, user=network.liaison_zgc)
    assert report.status == "imported" and report.created == 1


def test_template_round_trip(network):
    sheets = read_xlsx(template_xlsx())
    header = next(iter(sheets.values()))[0]
    assert header[0] == "*统一社会信用代码\n*USCC"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    sheet.append([uscc(1), "北京模板科技有限公司", None, None, None, "WS-110108-001"])
    out = io.BytesIO()
    workbook.save(out)
    report = run(out.getvalue(), user=network.liaison_zgc)
    assert report.status == "imported" and report.created == 1


def test_uscc_turned_into_a_number_is_a_clear_error(network):
    data = xlsx_bytes([row(1, uscc=9.11101085923662e17), row(2, uscc="9.11101E+17")])
    report = run(data, user=network.liaison_zgc)
    assert report.status == "refused"
    assert [e.code for e in report.errors] == ["uscc_number", "uscc_number"]
    assert report.errors[0].value == "9.11101085923662E+17"
    assert "as a number" in report.errors[0].message


def test_valid_codes_that_look_like_scientific_notation_are_accepted(network):
    # "…0000000E42" is a valid USCC; only invalid ones get the "stored as a number" diagnosis.
    from stdnum.cn import uscc as stdnum_uscc

    body = "91110108000000E4"
    code = next(
        c
        for c in (body + d + stdnum_uscc.calc_check_digit(body + d) for d in "0123456789")
        if c[-1].isdigit()
    )
    report = run(csv_bytes([row(1, uscc=code)]), "e.csv", user=network.liaison_zgc)
    assert report.status == "imported", report.as_dict()["errors"]
    assert Enterprise.objects.filter(uscc=code).exists()


def test_csv_with_title_line_and_numbers_as_text(network):
    data = csv_bytes(
        [row(1, contact_phone="13812345678", priority_year="2026年")],
        above=[["企业名单", "", ""]],
        encoding="gb18030",
    )
    report = run(data, "list.csv", user=network.liaison_zgc)
    assert report.status == "imported", report.as_dict()["errors"]
    assert report.header_row == 2
    assert PriorityListing.objects.filter(enterprise__uscc=uscc(1), year=2026).exists()


# --- duplicates, existing enterprises, scope ----------------------------------------------------


def test_duplicates_in_the_file_name_both_rows(network):
    report = run(xlsx_bytes([row(1), row(2), row(1, name="别名")]), user=network.liaison_zgc)
    assert report.status == "refused"
    (error,) = report.errors
    assert (error.row, error.code) == (4, "duplicate_in_file")
    assert "rows 2 and 4" in error.message


def test_existing_enterprise_in_scope_is_updated(network):
    ent = network.ent_zgc
    data = xlsx_bytes(
        [
            row(
                1,
                uscc=ent.uscc,
                name=ent.name,
                stage="成熟期",
                priority_year="2026",
                designations="",
                founded_on="",
                contact_email="",
            ),
            row(2),
        ]
    )
    report = run(data, user=network.liaison_zgc)
    assert (report.status, report.created, report.updated) == ("imported", 1, 1)
    ent.refresh_from_db()
    assert ent.stage == "mature"
    assert ent.founded_on == datetime.date(2015, 3, 1)  # blank cells leave values as they were
    assert PriorityListing.objects.filter(enterprise=ent, year=2026, source="import").exists()
    again = run(data, user=network.liaison_zgc)
    assert (again.created, again.updated, again.unchanged, again.priority_listed) == (0, 0, 2, 0)


def test_existing_enterprise_out_of_scope_is_an_error(network):
    other = network.ent_wangjing  # Chaoyang: not in the Zhongguancun liaison's area
    data = xlsx_bytes([row(1), row(2, uscc=other.uscc, name="改名")])
    report = run(data, user=network.liaison_zgc)
    assert report.status == "refused"
    (error,) = report.errors
    assert (error.row, error.column, error.code) == (3, "统一社会信用代码", "exists_out_of_scope")
    other.refresh_from_db()
    assert other.name == "北京望京生物医药有限公司"
    partial = run(data, user=network.liaison_zgc, partial=True)
    assert (partial.created, partial.updated, partial.error_count) == (1, 0, 1)


def test_unit_outside_scope_and_district_mismatch(network):
    data = xlsx_bytes(
        [
            row(1, workstation="WS-110105-001", district="朝阳区"),
            row(2, district="朝阳区", workstation="WS-110108-001"),
            row(3, workstation="BJ"),
        ]
    )
    report = run(data, user=network.haidian_officer)
    by_row = {e.row: e for e in report.errors}
    assert by_row[2].code == "unit_out_of_scope" and by_row[2].column == "负责工作站"
    assert by_row[3].code == "district_mismatch" and by_row[3].column == "所属区"
    assert by_row[4].code == "unit_kind"


def test_archived_enterprise_is_not_changed(network):
    from django.utils import timezone

    ent = EnterpriseFactory(workstation=network.ws_zgc, archived_at=timezone.now())
    report = run(xlsx_bytes([row(1, uscc=ent.uscc)]), user=network.liaison_zgc)
    assert report.errors[0].code == "archived"


def test_required_values(network):
    data = xlsx_bytes([row(1, uscc=""), row(2, name=""), row(3, workstation="", district="")])
    report = run(data, user=network.liaison_zgc)
    assert [(e.row, e.code) for e in report.errors] == [
        (2, "required"),
        (3, "required"),
        (4, "required"),
    ]


def test_user_without_an_editing_role_is_refused(network):
    with pytest.raises(PermissionDeniedError):
        run(xlsx_bytes([row(1)]), user=network.auditor)
    with pytest.raises(PermissionDeniedError):
        run(xlsx_bytes([row(1)]), user=UserFactory(username="nobody"))


# --- file-level errors --------------------------------------------------------------------------


def test_missing_columns_name_them_and_the_headers_found(network):
    data = xlsx_bytes([["X", "北京"]], header=["企业名称", "地址", "备注"])
    with pytest.raises(ImportFileError) as caught:
        run(data, user=network.liaison_zgc)
    assert caught.value.code == "missing_columns"
    assert "统一社会信用代码" in caught.value.message and "负责工作站" in caught.value.message
    assert "企业名称、地址、备注" in caught.value.message


def test_no_header_at_all(network):
    data = xlsx_bytes([["a", "b"]], header=["foo", "bar"])
    with pytest.raises(ImportFileError) as caught:
        run(data, user=network.liaison_zgc)
    assert caught.value.code == "missing_columns"
    assert "foo" in caught.value.message


@pytest.mark.parametrize(
    ("data", "name", "code", "status"),
    [
        (b"", "e.xlsx", "empty_file", 400),
        (b"", "e.csv", "empty_file", 400),
        (xlsx_bytes([], header=[]), "e.xlsx", "empty_file", 400),
        (xlsx_bytes([]), "e.xlsx", "empty_file", 400),
        (csv_bytes([]), "e.csv", "empty_file", 400),
        (b"not a zip", "e.xlsx", "unreadable_file", 400),
        (b"\xd0\xcf\x11\xe0 old excel", "e.xls", "unsupported_type", 415),
        (b"{}", "e.json", "unsupported_type", 415),
    ],
)
def test_file_errors(network, data, name, code, status):
    with pytest.raises(ImportFileError) as caught:
        run(data, name, user=network.liaison_zgc)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert Enterprise.objects.count() == 3


@override_settings(IPPS_IMPORT_MAX_BYTES=1000)
def test_too_large(network):
    with pytest.raises(ImportFileError) as caught:
        run(xlsx_bytes([row(n) for n in range(20)]), user=network.liaison_zgc)
    assert (caught.value.code, caught.value.status) == ("too_large", 413)
