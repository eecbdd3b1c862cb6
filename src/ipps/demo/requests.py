"""Demo casework: service-level policies, experts, the knowledge base and a year of requests.

Requests are written THROUGH the services (intake, acknowledge, escalate, wait, resolve, rate,
close, reopen, case files), so that timelines, audit rows and the ledger are what real use would
leave. The services read the time from `django.utils.timezone.now`; while the demo replays a
request's history, that function is replaced by a clock the loader moves forward (`_clock`), so
every event carries the time it would have happened. The plan comes from the seed and "today":
the same seed on the same day gives the same requests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import importlib.util
import inspect
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from ipps.accounts.models import User
from ipps.casework import cases, services
from ipps.casework.choices import (
    CaseOutcome,
    CaseRoute,
    Category,
    Priority,
    RequestStatus,
    Stability,
)
from ipps.casework.models import Article, Expert, ServiceRequest, SlaPolicy
from ipps.core.audit import audit_record, snapshot
from ipps.core.calendar import CalendarDataMissing, WorkingCalendar
from ipps.core.choices import AuditAction, ChainStage, Channel, IPType
from ipps.core.models import AuditEvent, Notification
from ipps.demo import data
from ipps.demo.plan import DEFAULT_SEED, Plan, _person, _rng, _weighted
from ipps.enterprises.models import Enterprise, IPAsset
from ipps.network.models import ServiceUnit

# About 60 ms per request through the services on SQLite: 1,500 keep `ipps demo` well under two
# minutes on two cores.
DEFAULT_REQUESTS = 1500
MARKER_TYPE = "demo"


def requests_for(enterprises: int) -> int:
    """How many requests the demo writes for a network of this many enterprises."""
    if enterprises >= 1000:
        return min(DEFAULT_REQUESTS, enterprises // 2)
    return enterprises // 10  # small networks (tests): a handful, quickly


# Policies and experts ---------------------------------------------------------------------------------

POLICIES = (
    # name, unit kind, priority, category, first response (working hours), resolution (working days)
    ("工作站一般请求 Workstation, normal", "workstation", "", "", Decimal("4"), 3),
    ("加急请求 Urgent", "", "urgent", "", Decimal("2"), 1),
    ("侵权纠纷 Infringement", "", "", "infringement", Decimal("7"), 10),
    ("区级中心 District centre", "district_centre", "", "", Decimal("7"), 4),
    ("市级中心 Municipal centre", "municipal_centre", "", "", Decimal("7"), 5),
)

EXPERTS = (
    ("王建国", "北京知识产权保护中心", ["专利侵权判定", "专利无效"]),
    ("李静", "北京市知识产权公共服务中心", ["专利检索", "专利分析"]),
    ("张海涛", "中国人民大学法学院", ["商标法", "反不正当竞争"]),
    ("刘芳", "北京大学知识产权学院", ["著作权", "软件著作权"]),
    ("陈明", "清华大学法学院", ["商业秘密保护", "数据合规"]),
    ("杨帆", "北京金诚同达律师事务所", ["知识产权诉讼", "行政投诉"]),
    ("赵雪", "北京市中伦律师事务所", ["海外维权", "337调查"]),
    ("周强", "北京三友知识产权代理有限公司", ["专利申请", "PCT申请"]),
    ("吴婷", "北京集佳知识产权代理有限公司", ["商标注册", "商标异议"]),
    ("孙磊", "北京科技大学", ["专利运营", "技术转移"]),
    ("胡晓光", "中关村知识产权促进局专家库", ["知识产权质押融资", "价值评估"]),
    ("郭佳琪", "中国农业大学", ["地理标志", "植物新品种"]),
)

# Request texts -------------------------------------------------------------------------------------

IP_WORDS = {
    "patent": "专利",
    "trademark": "商标",
    "copyright": "著作权",
    "geographical_indication": "地理标志",
    "trade_secret": "商业秘密",
    "other": "知识产权",
}
SUBJECTS = {
    "consultation": (
        "关于{ip}保护策略的咨询",
        "{brand}产品上市前的{ip}问题咨询",
        "{ip}权属约定怎么写",
        "新产品的{ip}布局咨询",
    ),
    "search": (
        "{brand}新技术方案的{ip}检索",
        "竞争对手{ip}情况分析",
        "出口前的{ip}风险排查",
    ),
    "filing_guidance": (
        "{ip}申请材料准备指导",
        "{brand}的{ip}申请流程咨询",
        "{ip}申请被驳回后如何答复",
        "加快审查（优先审查）如何申请",
    ),
    "infringement": (
        "{brand}的{ip}疑似被侵权",
        "电商平台出现仿冒{brand}产品",
        "收到{ip}侵权警告函如何应对",
        "前员工涉嫌带走{ip}",
    ),
    "financing": (
        "{ip}质押融资办理咨询",
        "{ip}价值评估与融资",
        "知识产权保险投保咨询",
    ),
    "policy": (
        "{ip}资助政策申报条件",
        "高新技术企业认定中的{ip}要求",
        "知识产权优势企业申报咨询",
    ),
    "other": (
        "{ip}管理制度建设咨询",
        "贯标（GB/T 29490）认证咨询",
        "员工{ip}培训需求",
    ),
}
DESCRIPTIONS = {
    "consultation": "我公司（{brand}）正在开发新一代产品，想了解{ip}方面应当注意哪些问题，是否需要在产品发布前完成相关布局。",
    "search": "请帮助检索与我们技术方案相近的在先{ip}，评估新颖性和自由实施风险，我们可以提供技术交底书。",
    "filing_guidance": "我们准备提交{ip}申请，请指导需要准备的材料、费用、周期，以及是否可以申请费用减缴。",
    "infringement": "近期发现有企业销售与我公司{brand}产品高度相似的产品，涉嫌侵犯我公司{ip}，希望得到维权方面的帮助。",
    "financing": "公司有融资需求，想用{ip}做质押，请问需要哪些条件、如何评估价值、有哪些合作银行。",
    "policy": "想了解本年度{ip}相关的资助和奖励政策，我公司是否符合申报条件，截止时间是什么时候。",
    "other": "公司希望建立规范的{ip}管理制度，请提供相关指导或推荐服务机构。",
}
ANSWERS = (
    "已电话沟通并发送材料清单，企业表示清楚。",
    "已提供检索报告和分析意见，建议尽快提交申请。",
    "已解答相关政策条件并推送申报通知，企业将按时申报。",
    "已协调专家给出书面意见，并约定后续跟进。",
    "已指导企业完善材料，问题已解决。",
)
COUNTERPARTS = (
    "深圳市某电子科技有限公司",
    "某电商平台店铺“优品旗舰店”",
    "河北某机械制造有限公司",
    "浙江义乌某商贸有限公司",
    "前员工及其新任职公司",
    "广州某生物科技有限公司",
)
FACTS = (
    "企业在电商平台发现涉嫌侵权产品并进行了公证购买。",
    "工作站走访企业，核实权利证书及产品情况。",
    "市中心专家对比涉嫌侵权产品与权利要求，初步认为落入保护范围。",
    "向对方发送律师函，要求停止侵权。",
    "对方回函，表示愿意协商。",
    "向市场监管部门提交行政投诉材料。",
)
COMMENTS_STAFF = (
    "已收到，正在安排专人跟进。",
    "请补充相关证明材料，以便我们进一步分析。",
    "已与区中心沟通，近期给出答复。",
)
COMMENTS_INTERNAL = ("企业为重点服务企业，请优先处理。", "需要区中心专家支持。")
COMMENTS_ENTERPRISE = ("材料已补充，请查收。", "谢谢，期待答复。", "已按要求上传相关文件。")
RATING_COMMENTS = (
    "响应很快，解答专业。",
    "非常满意，感谢工作站的帮助。",
    "",
    "",
    "基本解决了问题。",
)

STATUS_WEIGHTS = {
    RequestStatus.CLOSED: 48,
    RequestStatus.RESOLVED: 24,
    RequestStatus.IN_PROGRESS: 6,
    RequestStatus.ACKNOWLEDGED: 4,
    RequestStatus.WAITING_ON_ENTERPRISE: 5,
    RequestStatus.ESCALATED: 5,
    RequestStatus.NEW: 5,
    RequestStatus.REOPENED: 3,
}
STALLED = frozenset(
    {RequestStatus.ACKNOWLEDGED, RequestStatus.IN_PROGRESS, RequestStatus.ESCALATED}
)
# Age (days before today) a request with this final status was received: (min, max).
AGE_RANGES = {
    RequestStatus.NEW: (0, 4),
    RequestStatus.ACKNOWLEDGED: (1, 3),
    RequestStatus.IN_PROGRESS: (1, 5),
    RequestStatus.WAITING_ON_ENTERPRISE: (2, 30),
    RequestStatus.ESCALATED: (1, 5),
    RequestStatus.REOPENED: (15, 120),
    RequestStatus.RESOLVED: (8, 365),
    RequestStatus.CLOSED: (20, 365),
}
CHANNEL_WEIGHTS = {
    Channel.PORTAL: 24,
    Channel.PHONE: 24,
    Channel.WALK_IN: 10,
    Channel.VISIT: 15,
    Channel.REFERRAL: 5,
    Channel.EMAIL: 8,
    Channel.WECHAT: 12,
    Channel.API: 2,
}
IP_WEIGHTS = {
    IPType.PATENT: 35,
    IPType.TRADEMARK: 28,
    IPType.COPYRIGHT: 14,
    IPType.GEOGRAPHICAL_INDICATION: 4,
    IPType.TRADE_SECRET: 6,
    IPType.OTHER: 10,
}
STAGE_WEIGHTS = {
    ChainStage.CREATION: 30,
    ChainStage.UTILISATION: 15,
    ChainStage.PROTECTION: 30,
    ChainStage.MANAGEMENT: 15,
    ChainStage.SERVICES: 10,
}
CATEGORY_WEIGHTS = {
    Category.CONSULTATION: 33,
    Category.SEARCH: 11,
    Category.FILING_GUIDANCE: 20,
    Category.INFRINGEMENT: 9,
    Category.FINANCING: 7,
    Category.POLICY: 14,
    Category.OTHER: 6,
}
PRIORITY_WEIGHTS = {Priority.LOW: 10, Priority.NORMAL: 70, Priority.HIGH: 15, Priority.URGENT: 5}


@dataclass(frozen=True)
class RequestSpec:
    index: int
    uscc: str  # "" for a member of the public
    requester_name: str
    requester_phone: str
    unit_code: str  # the unit a public request goes to
    channel: str
    ip_type: str
    chain_stage: str
    category: str
    priority: str
    confidential: bool
    subject: str
    description: str
    received_at: dt.datetime
    status: str  # the status the history aims for
    escalations: int  # 0, 1 (district) or 2 (municipal)
    waits: bool
    late: bool  # resolved after its due time
    late_response: bool
    rating: int | None
    rating_comment: str
    reopen_resolve: bool  # answered, reopened and answered again before closing
    expert: int | None  # index into EXPERTS


@dataclass
class CaseworkResult:
    created: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _received(rng: random.Random, today: dt.date, age: int, tz) -> dt.datetime:
    day = today - dt.timedelta(days=age)
    # Requests arrive in office hours mostly, a few in the evening or at weekends.
    hour = rng.choice((9, 9, 10, 10, 10, 11, 11, 13, 14, 14, 15, 15, 16, 16, 17, 19, 21))
    moment = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=tz)
    return moment


def plan_requests(
    *, seed: int, plan: Plan, today: dt.date, count: int, now: dt.datetime
) -> list[RequestSpec]:
    """`count` requests received over the twelve months before `today`, oldest first."""
    tz = timezone.get_current_timezone()
    enterprises = plan.enterprises
    if not enterprises or count <= 0:
        return []
    portal = {u.enterprise_uscc for u in plan.users if u.enterprise_uscc}
    portal_list = [e for e in enterprises if e.uscc in portal]
    district_units = [u for u in plan.units if u.kind == "district_centre"]
    workstations = [u for u in plan.units if u.kind == "workstation"]
    statuses = list(STATUS_WEIGHTS)
    channels, ip_types = list(CHANNEL_WEIGHTS), list(IP_WEIGHTS)
    stages, categories = list(STAGE_WEIGHTS), list(CATEGORY_WEIGHTS)
    specs = []
    for i in range(count):
        rng = _rng(seed, "request", i)
        # The first few cover every value, so that even a small demo shows them all.
        status = statuses[i] if i < len(statuses) else _weighted(rng, STATUS_WEIGHTS)
        channel = channels[i] if i < len(channels) else _weighted(rng, CHANNEL_WEIGHTS)
        ip_type = ip_types[i] if i < len(ip_types) else _weighted(rng, IP_WEIGHTS)
        stage = stages[i] if i < len(stages) else _weighted(rng, STAGE_WEIGHTS)
        category = categories[i] if i < len(categories) else _weighted(rng, CATEGORY_WEIGHTS)
        if i % 40 == 7:
            category = Category.INFRINGEMENT
        rated_side = status in (RequestStatus.RESOLVED, RequestStatus.CLOSED)
        public = channel in (Channel.PHONE, Channel.WALK_IN, Channel.WECHAT) and rng.random() < 0.1
        if channel == Channel.PORTAL or (rated_side and portal_list and rng.random() < 0.3):
            ent = rng.choice(portal_list) if portal_list else rng.choice(enterprises)
            public = False
        else:
            ent = rng.choice(enterprises)
        if channel == Channel.PORTAL and ent.uscc not in portal:
            channel = Channel.PHONE
        lo, hi = AGE_RANGES[status]
        if i < len(statuses) and status != RequestStatus.NEW:
            lo, hi = max(lo, 8), max(hi, 14)  # old enough to reach its status whatever today is
        elif status in STALLED and rng.random() < 0.2:
            lo, hi = 6, 45  # left lying: these show as overdue in the queues
        age = rng.randint(lo, min(hi, 364))
        received = _received(rng, today, age, tz)
        if received > now - dt.timedelta(minutes=30):
            received = now - dt.timedelta(minutes=30 + rng.randrange(600))
        ip_word = IP_WORDS[ip_type]
        brand = ent.brand
        subject = rng.choice(SUBJECTS[category]).format(ip=ip_word, brand=brand)
        description = DESCRIPTIONS[category].format(ip=ip_word, brand=brand)
        if ip_type == IPType.TRADE_SECRET:
            description += f"涉及{rng.choice(data.TRADE_SECRETS)}。"
        escalations = 0
        if status == RequestStatus.ESCALATED or rng.random() < 0.12:
            escalations = 2 if rng.random() < 0.3 else 1
        unit_code = ""
        name = phone = ""
        if public:
            name = _person(rng)
            phone = f"1{rng.choice('35789')}{rng.randrange(0, 10**9):09d}"
            unit_code = (
                rng.choice(district_units).code
                if rng.random() < 0.4
                else rng.choice(workstations).code
            )
        rating = None
        if rated_side and not public and ent.uscc in portal and rng.random() < 0.75:
            rating = _weighted(rng, {5: 60, 4: 28, 3: 8, 2: 3, 1: 1})
        specs.append(
            RequestSpec(
                index=i,
                uscc="" if public else ent.uscc,
                requester_name=name,
                requester_phone=phone,
                unit_code=unit_code,
                channel=channel,
                ip_type=ip_type,
                chain_stage=stage,
                category=category,
                priority=_weighted(rng, PRIORITY_WEIGHTS),
                confidential=ip_type == IPType.TRADE_SECRET or rng.random() < 0.02,
                subject=subject,
                description=description,
                received_at=received,
                status=status,
                escalations=escalations,
                waits=status == RequestStatus.WAITING_ON_ENTERPRISE or rng.random() < 0.12,
                late=rng.random() < 0.08,
                late_response=rng.random() < 0.05,
                rating=rating,
                rating_comment=rng.choice(RATING_COMMENTS) if rating else "",
                reopen_resolve=status == RequestStatus.CLOSED and rng.random() < 0.03,
                expert=rng.randrange(len(EXPERTS))
                if category == Category.INFRINGEMENT or rng.random() < 0.04
                else None,
            )
        )
    specs.sort(key=lambda s: (s.received_at, s.index))
    return specs


# Writing ---------------------------------------------------------------------------------------------


class _Clock:
    """What the services believe is the time while a request's history is replayed."""

    def __init__(self, real):
        self.real = real
        self.at: dt.datetime | None = None

    def now(self) -> dt.datetime:
        return self.at if self.at is not None else self.real()


class _Stop(Exception):
    """The next step of a history would lie in the future: the request stays where it is."""


@contextlib.contextmanager
def _replayed_time():
    clock = _Clock(timezone.now)
    with mock.patch("django.utils.timezone.now", clock.now):
        yield clock


def _ensure_policies(acting_user) -> int:
    created = 0
    for name, kind, priority, category, hours, days in POLICIES:
        if SlaPolicy.objects.filter(name=name).exists():
            continue
        policy = SlaPolicy(
            name=name,
            unit_kind=kind,
            priority=priority,
            category=category,
            first_response_hours=hours,
            resolution_days=days,
            created_by=acting_user,
        )
        policy.full_clean()
        policy.save()
        audit_record(
            action=AuditAction.CREATE,
            actor=acting_user,
            actor_name="" if acting_user else "ipps demo",
            obj=policy,
            changes={"after": snapshot(policy)},
        )
        created += 1
    return created


def _ensure_experts(acting_user) -> int:
    have = set(Expert.objects.values_list("name", "organisation"))
    created = 0
    for i, (name, organisation, specialties) in enumerate(EXPERTS):
        if (name, organisation) in have:
            continue
        expert = Expert(
            name=name,
            organisation=organisation,
            specialties=specialties,
            email=f"expert{i + 1:02d}@ipps-demo.example.com",
            phone=f"010-{58800000 + i * 37}",
            created_by=acting_user,
        )
        expert.full_clean()
        expert.save()
        audit_record(
            action=AuditAction.CREATE,
            actor=acting_user,
            actor_name="" if acting_user else "ipps demo",
            obj=expert,
            changes={"after": snapshot(expert)},
        )
        created += 1
    return created


def _load_knowledge(acting_user) -> int:
    """The knowledge base from ipps.demo.knowledge, when that module exists."""
    if importlib.util.find_spec("ipps.demo.knowledge") is None:
        return 0
    module = importlib.import_module("ipps.demo.knowledge")
    for name in ("load_knowledge", "load_articles", "load"):
        loader = getattr(module, name, None)
        if callable(loader):
            break
    else:
        return 0
    accepted = inspect.signature(loader).parameters
    kwargs = {"acting_user": acting_user} if "acting_user" in accepted else {}
    before = Article.objects.count()
    loader(**kwargs)
    return Article.objects.count() - before


class _Replayer:
    """Plays one planned request's history through the services."""

    def __init__(self, clock: _Clock, now: dt.datetime, seed: int):
        self.clock = clock
        self.now = now
        self.seed = seed
        self.calendar = WorkingCalendar.load(allow_fallback=True)
        self.units = {u.code: u for u in ServiceUnit.objects.all()}
        self.units_by_id = {u.pk: u for u in self.units.values()}
        self.users = {u.username: u for u in User.objects.all()}
        self.enterprises = {e.uscc: e for e in Enterprise.objects.all()}
        self.experts = list(Expert.objects.order_by("name"))
        self.expert_by_name = {e.name: e for e in self.experts}
        self.articles = list(Article.objects.published()[:200])
        self.assets: dict[int, list[IPAsset]] = {}
        self.counts = {"requests": 0, "cases": 0, "evidence": 0, "escalations": 0, "ratings": 0}

    # time

    def at(self, moment: dt.datetime) -> dt.datetime:
        if moment >= self.now - dt.timedelta(minutes=1):
            raise _Stop
        self.clock.at = moment
        return moment

    def later(self, moment: dt.datetime, hours: float) -> dt.datetime:
        try:
            return self.calendar.add_working_hours(moment, max(hours, 0.05))
        except CalendarDataMissing:  # pragma: no cover - fallback calendar never raises
            return moment + dt.timedelta(hours=hours)

    def between(self, rng, start: dt.datetime, end: dt.datetime | None, lo=0.15, hi=0.85):
        if end is None or end <= start:
            return self.later(start, rng.uniform(0.5, 4))
        return start + (end - start) * rng.uniform(lo, hi)

    # people

    def staff_for(self, unit: ServiceUnit) -> User:
        if unit.kind == "workstation":
            return self.users.get(f"liaison-{unit.code.lower()}") or self.users["admin"]
        if unit.kind == "district_centre":
            return self.users.get(f"district-{unit.district.lower()}") or self.users["admin"]
        return self.users.get("city") or self.users["admin"]

    def portal_user(self, enterprise) -> User | None:
        return self.users.get(f"portal-{enterprise.uscc.lower()}") if enterprise else None

    # the history

    def play(self, spec: RequestSpec) -> None:
        rng = _rng(self.seed, "history", spec.index)
        enterprise = self.enterprises.get(spec.uscc) if spec.uscc else None
        if spec.uscc and enterprise is None:
            return
        portal = self.portal_user(enterprise)
        if spec.channel == Channel.PORTAL and portal is not None:
            creator = portal
        elif enterprise is not None:
            creator = self.staff_for(self.units_by_id[enterprise.workstation_id])
        elif spec.channel in (Channel.PHONE, Channel.WALK_IN):
            creator = self.staff_for(self.units[spec.unit_code])
        else:
            creator = None
        self.at(spec.received_at + dt.timedelta(minutes=1))
        request = services.request_create(
            subject=spec.subject,
            description=spec.description,
            channel=spec.channel,
            ip_type=spec.ip_type,
            chain_stage=spec.chain_stage,
            category=spec.category,
            priority=spec.priority,
            confidential=spec.confidential,
            enterprise=enterprise,
            unit=self.units[spec.unit_code] if spec.unit_code else None,
            requester_name=spec.requester_name,
            requester_phone=spec.requester_phone,
            received_at=spec.received_at,
            acting_user=creator,
        )
        self.counts["requests"] += 1
        if request.category == Category.INFRINGEMENT:
            self.counts["cases"] += 1
        with contextlib.suppress(_Stop):
            self._history(spec, request, rng, enterprise, portal)

    def _history(self, spec, request, rng, enterprise, portal) -> None:
        S = RequestStatus
        if spec.status == S.NEW:
            return
        t = spec.received_at
        staff = self.staff_for(request.handling_unit)
        if spec.late_response:
            t = self.at(self.later(request.first_response_due, rng.uniform(1, 10)))
        else:
            t = self.at(self.between(rng, t, request.first_response_due, 0.1, 0.9))
        request = services.request_acknowledge(
            request=request, acting_user=staff, message="已受理，我们会尽快答复。"
        )
        if request.category == Category.INFRINGEMENT:
            t = self._case(spec, request, rng, enterprise, staff, t)
        if rng.random() < 0.2:
            t = self.at(self.later(t, rng.uniform(0.2, 3)))
            services.request_comment(
                request=request,
                acting_user=staff,
                body=rng.choice(COMMENTS_INTERNAL),
                internal=True,
            )
        if spec.status == S.ACKNOWLEDGED:
            return
        for _hop in range(spec.escalations):
            unit = request.handling_unit
            if unit.parent_id is None or unit.parent.kind == "partner":
                break
            t = self.at(self.later(t, rng.uniform(0.5, 4)))
            request = services.request_escalate(
                request=request,
                acting_user=staff,
                reason="问题较复杂，需要上级中心专家支持。"
                if unit.kind == "workstation"
                else "涉及跨区协调，提请市中心处理。",
            )
            self.counts["escalations"] += 1
            staff = self.staff_for(request.handling_unit)
            if spec.status == S.ESCALATED and _hop == spec.escalations - 1:
                return
            t = self.at(self.later(t, rng.uniform(0.3, 3)))
            request = services.request_acknowledge(request=request, acting_user=staff)
        if spec.expert is not None and self.experts:
            t = self.at(self.later(t, rng.uniform(0.5, 3)))
            request = services.request_refer(
                request=request,
                acting_user=staff,
                reason="请专家出具意见。",
                expert=self.experts[spec.expert % len(self.experts)],
            )
        t = self.at(self.later(t, rng.uniform(0.2, 2)))
        services.request_comment(
            request=request, acting_user=staff, body=rng.choice(COMMENTS_STAFF)
        )
        if spec.status == S.IN_PROGRESS:
            return
        if spec.waits:
            t = self.at(self.later(t, rng.uniform(0.5, 3)))
            request = services.request_wait(
                request=request, acting_user=staff, message="请补充相关证明材料。"
            )
            if spec.status == S.WAITING_ON_ENTERPRISE:
                return
            t = self.at(self.later(t, rng.uniform(4, 24)))
            if portal is not None:
                services.request_comment(
                    request=request, acting_user=portal, body=rng.choice(COMMENTS_ENTERPRISE)
                )
            else:
                services.request_resume(request=request, acting_user=staff)
            request.refresh_from_db()
        due = request.resolution_due
        if spec.late and due is not None:
            t = self.at(self.later(max(t, due), rng.uniform(2, 30)))
        else:
            t = self.at(self.between(rng, t, due, 0.2, 0.95))
        articles = [rng.choice(self.articles)] if self.articles and rng.random() < 0.25 else []
        request = services.request_resolve(
            request=request, acting_user=staff, answer=rng.choice(ANSWERS), articles=articles
        )
        if spec.status == S.REOPENED or spec.reopen_resolve:
            t = self.at(self.later(t, rng.uniform(4, 40)))
            reopener = portal if portal is not None else staff
            request = services.request_reopen(
                request=request, acting_user=reopener, reason="问题还没有完全解决，请再协助。"
            )
            if spec.status == S.REOPENED:
                return
            t = self.at(self.later(t, rng.uniform(2, 16)))
            request = services.request_resolve(
                request=request, acting_user=staff, answer="已补充答复，问题解决。"
            )
        if spec.rating is not None and portal is not None:
            t = self.at(self.later(t, rng.uniform(0.5, 20)))
            services.request_rate(
                request=request,
                acting_user=portal,
                rating=spec.rating,
                comment=spec.rating_comment,
            )
            self.counts["ratings"] += 1
        if spec.status == S.CLOSED:
            t = self.at(self.later(t, rng.uniform(8, 56)))
            closer = portal if portal is not None and rng.random() < 0.4 else staff
            services.request_close(request=request, acting_user=closer)
            case = getattr(request, "case", None)
            if case is not None and request.category == Category.INFRINGEMENT:
                cases.case_update(
                    case=case,
                    changes={
                        "outcome": rng.choice(
                            (
                                CaseOutcome.SETTLED,
                                CaseOutcome.INFRINGEMENT_STOPPED,
                                CaseOutcome.SETTLED,
                                CaseOutcome.WON,
                                CaseOutcome.WITHDRAWN,
                            )
                        ),
                        "outcome_notes": "双方达成和解，对方下架涉嫌侵权产品。",
                    },
                    acting_user=staff,
                )

    def _case(self, spec, request, rng, enterprise, staff, t):
        case = request.case
        t = self.at(self.later(t, rng.uniform(0.5, 4)))
        cases.case_update(
            case=case,
            changes={
                "counterpart_name": rng.choice(COUNTERPARTS),
                "counterpart_details": "通过电商平台及线下渠道销售涉嫌侵权产品。",
                "route": rng.choice(list(CaseRoute)),
            },
            acting_user=staff,
        )
        if enterprise is not None:
            if enterprise.pk not in self.assets:
                self.assets[enterprise.pk] = list(
                    IPAsset.objects.filter(enterprise=enterprise, archived_at__isnull=True)[:3]
                )
            if self.assets[enterprise.pk]:
                cases.case_link_rights(
                    case=case, assets=self.assets[enterprise.pk][:2], acting_user=staff
                )
        start = timezone.localtime(spec.received_at).date()
        for k in range(rng.randint(2, 4)):
            cases.case_add_fact(
                case=case,
                date=start - dt.timedelta(days=rng.randint(1, 30) if k == 0 else 0),
                description=FACTS[(spec.index + k) % len(FACTS)],
                acting_user=staff,
            )
        if spec.index % 2 == 0:
            for n in range(1 + spec.index % 3 // 2):
                body = _evidence_bytes(spec, n)
                name = f"evidence-{spec.index:04d}-{n + 1}.{'pdf' if n == 0 else 'txt'}"
                cases.case_add_evidence(
                    case=case,
                    upload=SimpleUploadedFile(name, body),
                    description="公证购买取得的涉嫌侵权产品照片及发票"
                    if n == 0
                    else "网页截图存证说明",
                    obtained_on=start,
                    acting_user=staff,
                )
                self.counts["evidence"] += 1
        t = self.at(self.later(t, rng.uniform(4, 24)))
        assessor = (
            EXPERTS[spec.expert % len(EXPERTS)][0] if spec.expert is not None else staff.full_name
        )
        cases.case_update(
            case=case,
            changes={
                "stability": _weighted(
                    rng, {Stability.STABLE: 6, Stability.DOUBTFUL: 3, Stability.UNSTABLE: 1}
                ),
                "stability_basis": "经检索对比现有技术，权利要求具备新颖性和创造性，被宣告无效的可能性较低。",
                "stability_assessor": assessor,
            },
            acting_user=staff,
        )
        return t


def _evidence_bytes(spec: RequestSpec, n: int) -> bytes:
    if n == 0:
        text = (
            f"%PDF-1.4\n% ipps demo evidence {spec.index}\n1 0 obj << /Type /Catalog >> endobj\n"
            f"% {spec.subject}\n%%EOF\n"
        )
        return text.encode()
    return f"网页截图存证说明\n请求：{spec.subject}\n编号：{spec.index}\n".encode()


def load_casework(
    *,
    plan: Plan,
    seed: int = DEFAULT_SEED,
    count: int | None = None,
    today: dt.date | None = None,
    acting_user=None,
) -> CaseworkResult:
    """Policies, experts, articles and (once per seed) the year of requests."""
    started = time.monotonic()
    result = CaseworkResult()
    now = timezone.now()
    today = today or timezone.localdate()
    count = requests_for(len(plan.enterprises)) if count is None else count
    with transaction.atomic():
        result.created["sla_policies"] = _ensure_policies(acting_user)
        result.created["experts"] = _ensure_experts(acting_user)
    result.created["articles"] = _load_knowledge(acting_user)
    marker = f"requests:{seed}"
    if AuditEvent.objects.filter(object_type=MARKER_TYPE, object_id=marker).exists() or not count:
        result.created.update(requests=0, cases=0, evidence=0, escalations=0, ratings=0)
        result.seconds = time.monotonic() - started
        return result
    specs = plan_requests(seed=seed, plan=plan, today=today, count=count, now=now)
    with transaction.atomic():
        last_notification = (
            Notification.objects.order_by("-id").values_list("id", flat=True).first()
        )
        with _replayed_time() as clock:
            player = _Replayer(clock, now, seed)
            for spec in specs:
                player.play(spec)
            clock.at = None
        services.sla_scan(now=now)
        # Old assignment and answer notices would bury today's; only open requests stay unread.
        open_links = {services.request_link(r) for r in ServiceRequest.objects.open().only("pk")}
        Notification.objects.filter(id__gt=last_notification or 0).exclude(
            link__in=open_links
        ).update(read_at=now)
        result.created.update(player.counts)
        audit_record(
            action=AuditAction.IMPORT,
            actor=acting_user,
            actor_name="" if acting_user else "ipps demo",
            object_type=MARKER_TYPE,
            object_id=marker,
            object_repr="demo casework",
            changes={"created": player.counts, "seed": seed, "today": today.isoformat()},
        )
    result.seconds = time.monotonic() - started
    return result
