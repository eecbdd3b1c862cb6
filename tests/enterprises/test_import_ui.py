"""The import pages: upload → progress (htmx polling) → result, reports, template, access."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from ipps.enterprises.importing import import_job_create
from ipps.enterprises.models import Enterprise, ImportJob
from tests.enterprises.import_files import csv_bytes, read_xlsx, row, uscc, xlsx_bytes

pytestmark = pytest.mark.django_db
IMPORT_URL = "/enterprises/import/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(data: bytes, name: str = "list.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def submit(client, capture, data: bytes, name: str = "list.xlsx", partial: bool = False):
    """Post the form; on commit the huey task runs at once (immediate mode in tests)."""
    fields = {"file": upload(data, name)}
    if partial:
        fields["partial"] = "on"
    with capture(execute=True):
        return client.post(IMPORT_URL, fields)


def test_page_shows_form_template_link_and_columns(network, login_as):
    response = login_as(network.liaison_zgc).get(IMPORT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'name="partial"' in html
    assert reverse("enterprises:import_template") in html
    assert "统一社会信用代码" in html and "USCC" in html
    assert "No imports yet." in html


@pytest.mark.parametrize("who", ["auditor", "portal_zgc"])
def test_page_is_for_editors_only(network, login_as, who):
    client = login_as(getattr(network, who))
    assert client.get(IMPORT_URL).status_code == 404
    assert client.get(reverse("enterprises:import_template")).status_code == 404
    assert client.post(IMPORT_URL, {"file": upload(xlsx_bytes([row(1)]))}).status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and "/accounts/login" in response.url


def test_template_download(network, login_as):
    response = login_as(network.liaison_zgc).get(reverse("enterprises:import_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheets = read_xlsx(response.content)
    header = next(iter(sheets.values()))[0]
    assert "*统一社会信用代码\n*USCC" in header and "成立日期\nFounded on" in header


def test_upload_progress_result(network, login_as, django_capture_on_commit_callbacks, media_root):
    client = login_as(network.liaison_zgc)
    response = submit(client, django_capture_on_commit_callbacks, xlsx_bytes([row(1), row(2)]))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response.url == reverse("enterprises:import_job", args=[job.pk])
    # The file is kept under MEDIA_ROOT/imports/ with a random name.
    stored = media_root / job.file.name
    assert stored.parent == media_root / "imports" and stored.is_file()
    assert "list" not in stored.name and stored.suffix == ".xlsx"
    assert job.file_name == "list.xlsx"
    assert job.status == "imported" and job.created_by == network.liaison_zgc
    assert len(job.sha256) == 64
    assert Enterprise.objects.filter(uscc__in=[uscc(1), uscc(2)]).count() == 2
    page = client.get(response.url).content.decode()
    assert 'id="import-result"' in page and "hx-trigger" not in page
    assert 'data-count="created">2<' in page
    fragment = client.get(
        reverse("enterprises:import_job_progress", args=[job.pk]), HTTP_HX_REQUEST="true"
    )
    assert 'id="import-result"' in fragment.content.decode()
    listing = client.get(IMPORT_URL).content.decode()
    assert "list.xlsx" in listing


def test_waiting_job_polls_every_second(network, login_as):
    client = login_as(network.liaison_zgc)
    job = import_job_create(  # no commit in this test transaction, so the task has not run
        upload=upload(xlsx_bytes([row(1)])), partial=False, acting_user=network.liaison_zgc
    )
    assert job.status == "pending"
    progress_url = reverse("enterprises:import_job_progress", args=[job.pk])
    html = client.get(reverse("enterprises:import_job", args=[job.pk])).content.decode()
    assert f'hx-get="{progress_url}"' in html and 'hx-trigger="every 1s"' in html
    ImportJob.objects.filter(pk=job.pk).update(
        status="checking", rows_processed=500, rows_total=1000
    )
    fragment = client.get(progress_url).content.decode()
    assert "Row 500 of about 1,000 checked." in fragment
    assert 'aria-valuenow="50"' in fragment
    assert 'hx-trigger="every 1s"' in fragment


def test_refused_upload_shows_errors_and_reports(
    network, login_as, django_capture_on_commit_callbacks
):
    client = login_as(network.liaison_zgc)
    data = csv_bytes([row(1), row(2, uscc="123"), row(3, founded_on="2015-02-30")])
    response = submit(client, django_capture_on_commit_callbacks, data, "bad.csv")
    job = ImportJob.objects.get()
    assert job.status == "refused"
    assert not Enterprise.objects.filter(uscc=uscc(1)).exists()
    page = client.get(response.url).content.decode()
    assert "Nothing was imported." in page
    assert 'id="import-errors"' in page and "统一社会信用代码" in page and "2015-02-30" in page
    xlsx = client.get(reverse("enterprises:import_job_report", args=[job.pk, "xlsx"]))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    assert [r[0] for r in read_xlsx(xlsx.content)["Errors"][1:]] == [3, 4]
    csv_report = client.get(reverse("enterprises:import_job_report", args=[job.pk, "csv"]))
    assert csv_report.content.decode("utf-8-sig").count("\n") == 3
    assert (
        client.get(reverse("enterprises:import_job_report", args=[job.pk, "pdf"])).status_code
        == 404
    )


def test_partial_upload(network, login_as, django_capture_on_commit_callbacks):
    client = login_as(network.liaison_zgc)
    data = csv_bytes([row(1), row(2, uscc="123")])
    submit(client, django_capture_on_commit_callbacks, data, "some-bad.csv", partial=True)
    job = ImportJob.objects.get()
    assert job.partial and job.status == "imported"
    assert (job.report["created"], job.report["error_count"]) == (1, 1)


def test_many_errors_are_truncated_with_a_note(
    network, login_as, django_capture_on_commit_callbacks
):
    client = login_as(network.liaison_zgc)
    data = csv_bytes([row(n, stage="?") for n in range(1, 251)])
    response = submit(client, django_capture_on_commit_callbacks, data, "many.csv")
    page = client.get(response.url).content.decode()
    assert page.count("Unknown stage") == 200
    assert "The first 200 of 250 errors are shown" in page


def test_file_level_error_is_shown(network, login_as, django_capture_on_commit_callbacks):
    client = login_as(network.liaison_zgc)
    data = xlsx_bytes([["x"]], header=["企业名称", "地址"])
    response = submit(client, django_capture_on_commit_callbacks, data)
    job = ImportJob.objects.get()
    assert job.status == "refused" and job.report["file_error"]["code"] == "missing_columns"
    page = client.get(response.url).content.decode()
    assert 'id="import-file-error"' in page and "Required columns are missing" in page


def test_form_errors_for_bad_type_and_size(network, login_as):
    client = login_as(network.liaison_zgc)
    response = client.post(IMPORT_URL, {"file": upload(b"data", "list.xls")})
    assert response.status_code == 400
    assert "cannot be imported" in response.content.decode()
    with override_settings(IPPS_IMPORT_MAX_BYTES=10):
        response = client.post(IMPORT_URL, {"file": upload(b"x" * 100, "list.csv")})
    assert response.status_code == 400 and "at most" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_jobs_are_seen_by_their_creator_and_superusers_only(network, login_as):
    job = import_job_create(
        upload=upload(xlsx_bytes([row(1)])), partial=False, acting_user=network.haidian_officer
    )
    urls = [
        reverse("enterprises:import_job", args=[job.pk]),
        reverse("enterprises:import_job_progress", args=[job.pk]),
    ]
    for user in (network.liaison_zgc, network.city_officer):
        client = login_as(user)
        assert [client.get(u).status_code for u in urls] == [404, 404]
        assert "list.xlsx" not in client.get(IMPORT_URL).content.decode()
    for user in (network.haidian_officer, network.admin):
        client = login_as(user)
        assert [client.get(u).status_code for u in urls] == [200, 200]


def test_language_of_the_report_follows_the_uploader(
    network, login_as, django_capture_on_commit_callbacks
):
    client = login_as(network.liaison_zgc)
    client.cookies["django_language"] = "zh-hans"
    submit(client, django_capture_on_commit_callbacks, csv_bytes([row(1, uscc="123")]), "zh.csv")
    assert ImportJob.objects.get().language == "zh-hans"


def test_job_of_a_deactivated_user_is_refused(network):
    from ipps.enterprises.importing import import_job_run

    job = import_job_create(
        upload=upload(xlsx_bytes([row(1)])), partial=False, acting_user=network.liaison_zgc
    )
    network.liaison_zgc.is_active = False
    network.liaison_zgc.save(update_fields=["is_active"])
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "refused" and job.report["file_error"]["code"] == "permission_denied"
    assert not Enterprise.objects.filter(uscc=uscc(1)).exists()
    assert import_job_run(job_id=job.pk) is None  # a finished job is not run twice
