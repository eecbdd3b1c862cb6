"""The request pages: queue, intake, request page and its actions, portal, notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from ipps.casework import services
from ipps.casework.choices import RequestStatus
from ipps.casework.models import Expert, ServiceRequest
from ipps.core.models import Notification

S = RequestStatus


def detail(req):
    return reverse("casework:request_detail", args=[req.pk])


def act(req, action):
    return reverse("casework:request_action", args=[req.pk, action])


def portal_act(req, action):
    return reverse("casework:portal_action", args=[req.pk, action])


def fresh(req):
    return ServiceRequest.objects.get(pk=req.pk)


# Who sees which page -----------------------------------------------------------------------------


class TestScope:
    def test_staff_pages_answer_200_for_the_right_roles(self, network, login_as, make_request):
        req = make_request()
        for user in (
            network.liaison_zgc,
            network.haidian_officer,
            network.city_officer,
            network.admin,
        ):
            client = login_as(user)
            assert client.get(reverse("casework:queue")).status_code == 200
            assert client.get(detail(req)).status_code == 200
        assert login_as(network.liaison_zgc).get(reverse("casework:request_new")).status_code == 200

    def test_a_liaison_of_another_workstation_gets_404(self, network, login_as, make_request):
        req = make_request()
        client = login_as(network.liaison_wangjing)
        assert client.get(detail(req)).status_code == 404
        assert client.post(act(req, "acknowledge")).status_code == 404
        assert fresh(req).status == S.NEW
        assert req.reference not in client.get(reverse("casework:queue") + "?tab=all").text

    def test_another_enterprises_portal_user_gets_404(self, network, login_as, make_request):
        from tests.factories import UserFactory

        req = make_request()
        other = UserFactory(username="portal-other", enterprise=network.ent_wangjing)
        client = login_as(other)
        assert client.get(reverse("casework:portal_detail", args=[req.pk])).status_code == 404
        assert client.post(portal_act(req, "reply"), {"reply-body": "x"}).status_code == 404
        assert req.reference not in client.get(reverse("casework:portal_list")).text

    def test_portal_pages_are_404_for_staff(self, network, login_as, make_request):
        req = make_request()
        client = login_as(network.liaison_zgc)
        assert client.get(reverse("casework:portal_list")).status_code == 404
        assert client.get(reverse("casework:portal_new")).status_code == 404
        assert client.get(reverse("casework:portal_detail", args=[req.pk])).status_code == 404

    def test_portal_user_on_a_staff_page_is_sent_to_the_portal(
        self, network, login_as, make_request
    ):
        req = make_request()
        client = login_as(network.portal_zgc)
        response = client.get(detail(req))
        assert response.status_code == 302
        assert response["Location"] == reverse("casework:portal_detail", args=[req.pk])
        assert client.get(reverse("casework:request_new")).status_code == 404

    def test_anonymous_users_are_sent_to_log_in(self, client, network, make_request):
        req = make_request()
        for url in (reverse("casework:queue"), detail(req), reverse("casework:portal_list")):
            response = client.get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_nav_shows_requests_and_the_unread_count(self, network, login_as, make_request):
        make_request()  # assigns the liaison: one notification
        page = login_as(network.liaison_zgc).get(reverse("home")).text
        assert reverse("casework:queue") in page
        assert 'id="unread-count">1<' in page
        page = login_as(network.portal_zgc).get(reverse("home")).text
        assert reverse("casework:portal_list") in page


# The queue ---------------------------------------------------------------------------------------


class TestQueue:
    def test_tabs_and_counts(self, network, login_as, make_request):
        mine = make_request(subject="我的请求")
        escalated = make_request(subject="上报的请求")
        services.request_escalate(
            request=escalated, acting_user=network.liaison_zgc, reason="需要区中心处理"
        )
        page = login_as(network.liaison_zgc).get(reverse("casework:queue")).text
        assert mine.reference in page and escalated.reference not in page  # mine: assigned to me
        page = (
            login_as(network.haidian_officer).get(reverse("casework:queue") + "?tab=escalated").text
        )
        assert escalated.reference in page and mine.reference not in page
        page = login_as(network.haidian_officer).get(reverse("casework:queue") + "?tab=unit").text
        assert escalated.reference in page and mine.reference in page

    def test_ordered_by_resolution_due_and_overdue_highlighted(
        self, network, login_as, make_request
    ):
        now = timezone.now()
        late = make_request(subject="已超期", received_at=now - dt.timedelta(days=20))
        soon = make_request(subject="正常")
        page = login_as(network.liaison_zgc).get(reverse("casework:queue")).text
        assert page.index(late.reference) < page.index(soon.reference)
        row = page[page.index(f'data-reference="{late.reference}"') - 80 :][:200]
        assert "overdue" in row and "table-danger" in row
        assert "overdue-badge" in page

    def test_all_tab_filters_by_status_and_q_via_htmx(self, network, login_as, make_request):
        a = make_request(subject="商标异议")
        b = make_request(subject="专利检索")
        services.request_resolve(request=b, acting_user=network.liaison_zgc, answer="已答复")
        client = login_as(network.liaison_zgc)
        response = client.get(
            reverse("casework:queue"), {"tab": "all", "status": "resolved"}, HTTP_HX_REQUEST="true"
        )
        assert b.reference in response.text and a.reference not in response.text
        assert "<html" not in response.text  # a fragment for htmx
        response = client.get(reverse("casework:queue"), {"tab": "all", "q": "商标"})
        assert a.reference in response.text and b.reference not in response.text

    def test_empty_state(self, network, login_as):
        page = login_as(network.liaison_wangjing).get(reverse("casework:queue")).text
        assert 'id="empty-state"' in page

    def test_confidential_subject_is_hidden_from_the_city(self, network, login_as, make_request):
        make_request(subject="商业秘密泄露", ip_type="trade_secret")
        page = login_as(network.city_officer).get(reverse("casework:queue") + "?tab=unit").text
        assert "商业秘密泄露" not in page and "confidential" in page

    def test_query_count_is_pinned(
        self, network, login_as, make_request, django_assert_max_num_queries
    ):
        for i in range(3):
            make_request(subject=f"请求 {i}")
        client = login_as(network.liaison_zgc)
        client.get(reverse("casework:queue"))
        with django_assert_max_num_queries(13):
            first = client.get(reverse("casework:queue") + "?tab=unit")
        for i in range(20):
            make_request(subject=f"更多 {i}", ip_type="trade_secret" if i % 2 else "patent")
        with django_assert_max_num_queries(13):
            second = client.get(reverse("casework:queue") + "?tab=unit")
        assert first.status_code == second.status_code == 200
        assert second.text.count('class="queue-row') == 23


# Intake -------------------------------------------------------------------------------------------


class TestIntake:
    def form(self, **kw):
        data = {
            "channel": "phone",
            "ip_type": "trademark",
            "chain_stage": "creation",
            "category": "consultation",
            "priority": "normal",
            "subject": "商标注册流程",
            "description": "电话咨询商标注册需要多久。",
        }
        data.update(kw)
        return data

    def test_staff_record_a_phone_request_for_an_enterprise(self, network, login_as):
        client = login_as(network.liaison_zgc)
        response = client.post(
            reverse("casework:request_new"), self.form(enterprise=network.ent_zgc.pk)
        )
        req = ServiceRequest.objects.get()
        assert response.status_code == 302 and response["Location"] == detail(req)
        assert req.channel == "phone" and req.enterprise == network.ent_zgc
        assert req.handling_unit == network.ws_zgc

    def test_public_requester_needs_a_name_and_a_unit(self, network, login_as):
        client = login_as(network.liaison_zgc)
        response = client.post(reverse("casework:request_new"), self.form())
        assert response.status_code == 200
        assert (
            'data-field="requester_name"' in response.text and 'data-field="unit"' in response.text
        )
        assert not ServiceRequest.objects.exists()
        client.post(
            reverse("casework:request_new"),
            self.form(
                requester_name="王女士", requester_phone="13900001111", unit=network.ws_zgc.pk
            ),
        )
        assert ServiceRequest.objects.get().requester_name == "王女士"

    def test_enterprise_outside_scope_is_refused_on_the_field(self, network, login_as):
        client = login_as(network.liaison_zgc)
        response = client.post(
            reverse("casework:request_new"), self.form(enterprise=network.ent_wangjing.pk)
        )
        assert response.status_code == 200 and 'data-field="enterprise"' in response.text
        assert not ServiceRequest.objects.exists()

    def test_enterprise_search_returns_options(self, network, login_as):
        client = login_as(network.liaison_zgc)
        response = client.get(reverse("casework:enterprise_options"), {"enterprise_q": "中关村"})
        assert network.ent_zgc.name in response.text
        assert network.ent_wangjing.name not in response.text

    def test_the_form_loads_knowledge_base_suggestions(self, network, login_as):
        page = login_as(network.liaison_zgc).get(reverse("casework:request_new")).text
        assert reverse("casework:kb_suggest") in page and 'id="kb-suggestions"' in page


# The request page and its actions -----------------------------------------------------------------


class TestActions:
    def test_page_shows_timeline_dues_and_panels(self, network, login_as, make_request):
        req = make_request(category="infringement")
        page = login_as(network.liaison_zgc).get(detail(req)).text
        assert req.reference in page and req.subject in page
        assert 'id="timeline"' in page and 'id="resolution-due"' in page
        assert f"{reverse('casework:kb_suggest')}?request={req.pk}" in page
        assert reverse("casework:case_panel", args=[req.pk]) in page

    @pytest.mark.parametrize(
        ("steps", "action", "data", "expected"),
        [
            ([], "acknowledge", {"acknowledge-message": "收到"}, S.ACKNOWLEDGED),
            ([], "comment", {"comment-body": "我们正在处理"}, S.IN_PROGRESS),
            ([], "wait", {"wait-message": "请补充材料"}, S.WAITING_ON_ENTERPRISE),
            (["wait"], "resume", {}, S.IN_PROGRESS),
            ([], "resolve", {"resolve-answer": "答复内容"}, S.RESOLVED),
            (["resolve"], "close", {}, S.CLOSED),
            (["resolve"], "reopen", {"reopen-reason": "还有问题"}, S.REOPENED),
        ],
    )
    def test_each_action_changes_status_and_redirects(
        self, network, login_as, make_request, steps, action, data, expected
    ):
        req = make_request()
        liaison = network.liaison_zgc
        for step in steps:
            if step == "wait":
                services.request_wait(request=req, acting_user=liaison, message="请补充")
            if step == "resolve":
                services.request_resolve(request=req, acting_user=liaison, answer="答复")
        response = login_as(liaison).post(act(req, action), data)
        assert response.status_code == 302 and response["Location"] == detail(req)
        assert fresh(req).status == expected

    def test_escalate_assign_refer_archive(self, network, login_as, make_request):
        req = make_request()
        client = login_as(network.liaison_zgc)
        page = client.get(detail(req)).text
        assert network.haidian.code in page  # an escalation target
        response = client.post(
            act(req, "escalate"),
            {"escalate-to_unit": network.haidian.pk, "escalate-reason": "需要区级"},
        )
        assert response.status_code == 302
        req = fresh(req)
        assert req.status == S.ESCALATED and req.handling_unit == network.haidian
        officer = login_as(network.haidian_officer)
        page = officer.get(detail(req)).text
        assert "escalation-hop" in page and "需要区级" in page
        officer.post(act(req, "assign"), {"assign-assignee": network.haidian_officer.pk})
        assert fresh(req).assignee == network.haidian_officer
        # The timeline names the assignee as people know them, not by user name.
        page = officer.get(detail(req)).text
        assert f"Assigned to {network.haidian_officer.full_name}." in page
        assert f"Assigned to {network.haidian_officer.username}." not in page
        expert = Expert.objects.create(name="李专家", organisation="大学")
        officer.post(act(req, "refer"), {"refer-expert": expert.pk, "refer-reason": "专业问题"})
        assert fresh(req).experts.filter(pk=expert.pk).exists()
        officer.post(act(req, "archive"))
        assert fresh(req).archived_at is not None

    def test_illegal_action_shows_the_error_and_changes_nothing(
        self, network, login_as, make_request
    ):
        req = make_request()
        response = login_as(network.liaison_zgc).post(act(req, "close"))
        assert response.status_code == 409
        assert 'id="action-error"' in response.text
        assert "meanwhile" in response.text
        assert fresh(req).status == S.NEW

    def test_missing_field_shows_the_error_on_the_form(self, network, login_as, make_request):
        req = make_request()
        response = login_as(network.liaison_zgc).post(act(req, "wait"), {"wait-message": ""})
        assert response.status_code == 400
        assert 'data-field="message"' in response.text
        assert fresh(req).status == S.NEW

    def test_actions_not_allowed_are_not_offered(self, network, login_as, make_request):
        req = make_request()
        page = login_as(network.liaison_zgc).get(detail(req)).text
        assert 'id="action-acknowledge"' in page and 'id="action-close"' not in page
        services.request_resolve(request=req, acting_user=network.liaison_zgc, answer="答复")
        page = login_as(network.liaison_zgc).get(detail(req)).text
        assert 'id="action-close"' in page and 'id="action-acknowledge"' not in page

    def test_attachment_upload_download_and_type_error(
        self, network, login_as, make_request, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        req = make_request()
        client = login_as(network.liaison_zgc)
        upload = SimpleUploadedFile("证据.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        response = client.post(act(req, "attach"), {"attach-file": upload})
        assert response.status_code == 302
        attachment = req.attachments.get()
        page = client.get(detail(req)).text
        assert attachment.sha256 in page
        download = client.get(reverse("casework:attachment_download", args=[req.pk, attachment.pk]))
        assert (
            download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"
        )
        bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
        response = client.post(act(req, "attach"), {"attach-file": bad})
        assert response.status_code == 415 and ".exe" in response.text
        assert req.attachments.count() == 1
        assert (
            login_as(network.liaison_wangjing)
            .get(reverse("casework:attachment_download", args=[req.pk, attachment.pk]))
            .status_code
            == 404
        )

    def test_confidential_page_hides_content_from_the_city_officer(
        self, network, login_as, make_request
    ):
        req = make_request(
            subject="配方泄露", description="核心配方被前员工带走", ip_type="trade_secret"
        )
        page = login_as(network.city_officer).get(detail(req)).text
        assert 'id="confidential-notice"' in page
        assert "配方泄露" not in page and "核心配方" not in page
        assert req.reference in page and 'id="action-' not in page
        assert login_as(network.city_officer).post(act(req, "acknowledge")).status_code == 404
        page = login_as(network.liaison_zgc).get(detail(req)).text
        assert "配方泄露" in page

    def test_contacts_are_masked_for_roles_without_contact_rights(
        self, network, login_as, make_request
    ):
        from tests.factories import UserFactory, membership

        network.ent_zgc.contact_phone = "13812345678"
        network.ent_zgc.save()
        req = make_request()
        expert_user = UserFactory(username="expert-user")
        membership(expert_user, network.ws_zgc, "expert")
        assert "13812345678" in login_as(network.liaison_zgc).get(detail(req)).text
        page = login_as(expert_user).get(detail(req)).text
        assert "13812345678" not in page and "138****5678" in page

    def test_a_referred_expert_sees_the_enterprise_by_name_without_a_dead_link(
        self, network, login_as, make_request
    ):
        from tests.factories import UserFactory

        req = make_request()
        expert_user = UserFactory(username="expert-referred")
        expert = Expert.objects.create(name="王专家", organisation="大学", user=expert_user)
        req.experts.add(expert)
        enterprise_page = reverse("enterprises:detail", args=[network.ent_zgc.pk])
        page = login_as(expert_user).get(detail(req))
        assert page.status_code == 200
        assert network.ent_zgc.name in page.text and enterprise_page not in page.text
        assert login_as(expert_user).get(enterprise_page).status_code == 404
        assert enterprise_page in login_as(network.liaison_zgc).get(detail(req)).text


# The enterprise portal ----------------------------------------------------------------------------


class TestPortal:
    def test_file_reply_and_rate(self, network, login_as):
        client = login_as(network.portal_zgc)
        assert client.get(reverse("casework:portal_new")).status_code == 200
        response = client.post(
            reverse("casework:portal_new"),
            {
                "subject": "软件著作权登记",
                "description": "请问软件著作权登记需要哪些材料？",
                "ip_type": "copyright",
                "chain_stage": "creation",
                "category": "filing_guidance",
            },
        )
        req = ServiceRequest.objects.get()
        assert response["Location"] == reverse("casework:portal_detail", args=[req.pk])
        assert req.channel == "portal" and req.handling_unit == network.ws_zgc
        assert req.reference in client.get(reverse("casework:portal_list")).text

        services.request_comment(
            request=req, acting_user=network.liaison_zgc, body="内部备注", internal=True
        )
        services.request_wait(request=req, acting_user=network.liaison_zgc, message="请提供源代码")
        page = client.get(reverse("casework:portal_detail", args=[req.pk])).text
        assert "内部备注" not in page and "请提供源代码" in page and 'id="waiting-notice"' in page
        client.post(portal_act(req, "reply"), {"reply-body": "已上传源代码"})
        assert fresh(req).status == S.IN_PROGRESS  # the reply resumed the clock

        services.request_resolve(
            request=req, acting_user=network.liaison_zgc, answer="请准备以下材料"
        )
        page = client.get(reverse("casework:portal_detail", args=[req.pk])).text
        assert 'id="rating-form"' in page
        response = client.post(
            portal_act(req, "rate"), {"rate-rating": "5", "rate-comment": "很满意"}
        )
        assert response.status_code == 302
        req = fresh(req)
        assert req.rating == 5 and req.rating_comment == "很满意"

    def test_missing_fields_are_marked(self, network, login_as):
        response = login_as(network.portal_zgc).post(
            reverse("casework:portal_new"), {"subject": ""}
        )
        assert response.status_code == 200 and 'data-field="subject"' in response.text
        assert not ServiceRequest.objects.exists()

    def test_rating_before_resolution_is_refused(self, network, login_as, make_request):
        req = make_request()
        client = login_as(network.portal_zgc)
        assert (
            'id="rating-form"'
            not in client.get(reverse("casework:portal_detail", args=[req.pk])).text
        )
        response = client.post(portal_act(req, "rate"), {"rate-rating": "4"})
        assert response.status_code == 409 and fresh(req).rating is None

    def test_reopen_within_the_window(self, network, login_as, make_request):
        req = make_request()
        services.request_resolve(request=req, acting_user=network.liaison_zgc, answer="答复")
        client = login_as(network.portal_zgc)
        client.post(portal_act(req, "reopen"), {"reopen-reason": "还没解决"})
        assert fresh(req).status == S.REOPENED

    def test_reopen_after_the_window_is_not_offered(self, network, login_as, make_request):
        req = make_request()
        services.request_resolve(request=req, acting_user=network.liaison_zgc, answer="答复")
        ServiceRequest.objects.filter(pk=req.pk).update(
            resolved_at=timezone.now() - dt.timedelta(days=services.REOPEN_WINDOW_DAYS + 1)
        )
        client = login_as(network.portal_zgc)
        assert (
            'id="reopen-form"'
            not in client.get(reverse("casework:portal_detail", args=[req.pk])).text
        )
        response = client.post(portal_act(req, "reopen"), {"reopen-reason": "还没解决"})
        assert response.status_code == 409 and fresh(req).status == S.RESOLVED

    def test_portal_upload(self, network, login_as, make_request, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        req = make_request()
        upload = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 x", content_type="application/pdf")
        response = login_as(network.portal_zgc).post(
            portal_act(req, "attach"), {"attach-file": upload}
        )
        assert response.status_code == 302 and req.attachments.count() == 1


# Notifications ------------------------------------------------------------------------------------


class TestNotifications:
    def test_list_open_and_mark_all_read(self, network, login_as, make_request):
        req = make_request()
        make_request()
        client = login_as(network.liaison_zgc)
        page = client.get(reverse("casework:notifications")).text
        assert page.count("notification unread") == 2
        note = Notification.objects.filter(user=network.liaison_zgc).first()
        response = client.get(reverse("casework:notification_open", args=[note.pk]))
        assert response.status_code == 302 and response["Location"] == note.link
        assert Notification.objects.get(pk=note.pk).read_at is not None
        client.post(reverse("casework:notifications_read"))
        assert not Notification.objects.filter(
            user=network.liaison_zgc, read_at__isnull=True
        ).exists()
        assert req.reference in page

    def test_each_reader_sees_notifications_in_their_own_language(
        self, network, login_as, make_request
    ):
        """The service-level scan writes in the worker's language (English); a resolution by a
        liaison working in Chinese writes in Chinese. Each reader sees both in their own."""
        req = make_request()
        with translation.override("en"):
            services.sla_scan(now=req.resolution_due + dt.timedelta(minutes=1))
        overdue = Notification.objects.get(
            user=network.liaison_zgc, kind="breach", text__contains="overdue"
        )
        assert overdue.text == f"Request {req.reference} is overdue."
        client = login_as(network.liaison_zgc)
        page = client.get(reverse("casework:notifications"), HTTP_ACCEPT_LANGUAGE="zh-hans").text
        with translation.override("zh-hans"):
            chinese = overdue.shown
        assert chinese != overdue.text and req.reference in chinese
        assert chinese in page
        with translation.override("zh-hans"):
            services.request_resolve(request=req, acting_user=network.liaison_zgc, answer="已答复")
        answered = Notification.objects.get(user=network.portal_zgc, kind="resolved")
        assert "评价" in answered.text  # written in the resolver's language …
        page = (
            login_as(network.portal_zgc)
            .get(reverse("casework:notifications"), HTTP_ACCEPT_LANGUAGE="en")
            .text
        )
        assert f"Your request {req.reference} has been answered. Please rate the service." in page
        assert answered.text not in page  # … read in the reader's

    def test_a_notification_without_its_message_shows_its_text(self, network, login_as):
        Notification.objects.create(user=network.liaison_zgc, kind="old", text="旧的通知")
        Notification.objects.create(
            user=network.liaison_zgc,
            kind="odd",
            text="as written",
            message="%(gone)s",
            params={"old": 1},
        )
        page = login_as(network.liaison_zgc).get(reverse("casework:notifications")).text
        assert "旧的通知" in page and "as written" in page

    def test_other_users_notifications_are_404(self, network, login_as, make_request):
        make_request()
        note = Notification.objects.get(user=network.liaison_zgc)
        response = login_as(network.liaison_wangjing).get(
            reverse("casework:notification_open", args=[note.pk])
        )
        assert response.status_code == 404
