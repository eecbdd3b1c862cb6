"""factory_boy factories for tests: a small network and its people, built on the real database."""

from __future__ import annotations

import datetime
import random

import factory
from factory.django import DjangoModelFactory
from stdnum.cn import uscc as stdnum_uscc

from ipps.accounts.models import User
from ipps.core.ids import patent_check_char
from ipps.enterprises.models import Enterprise, IPAsset, PriorityListing
from ipps.network.models import Membership, ServiceUnit

PASSWORD = "Test-pass-2026!"
USCC_BODY_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(seq: int) -> str:
    """A valid USCC: legal-person enterprise (91), Beijing region code, a serial from `seq`."""
    rnd = random.Random(seq)
    body = "91110108" + "".join(rnd.choice(USCC_BODY_ALPHABET) for _ in range(9))
    return body + stdnum_uscc.calc_check_digit(body)


def make_patent_number(seq: int, type_digit: str = "1", year: int = 2020) -> str:
    digits = f"{year:04d}{type_digit}{seq % 10_000_000:07d}"
    return f"CN{digits}.{patent_check_char(digits)}"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = ServiceUnit
        django_get_or_create = ("code",)

    kind = "workstation"
    code = factory.Sequence(lambda n: f"U{n:04d}")
    name_zh = factory.Sequence(lambda n: f"知识产权服务单位{n}")
    name_en = factory.Sequence(lambda n: f"IP service unit {n}")
    district = "110108"


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise

    uscc = factory.Sequence(make_uscc)
    name = factory.Sequence(lambda n: f"北京测试科技有限公司{n}")
    district = "110108"
    workstation = None
    industry_section = "I"
    industry_division = "65"
    stage = "growth"
    size = "small"
    contact_name = "张伟"
    contact_phone = "13812345678"
    founded_on = datetime.date(2015, 3, 1)


class IPAssetFactory(DjangoModelFactory):
    class Meta:
        model = IPAsset

    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = "invention_patent"
    number = factory.Sequence(lambda n: make_patent_number(n + 1))
    title = factory.Sequence(lambda n: f"一种数据处理方法{n}")
    filing_date = datetime.date(2020, 5, 1)


class PriorityListingFactory(DjangoModelFactory):
    class Meta:
        model = PriorityListing

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = 2026
    reason = "高新技术企业"


def membership(user: User, unit: ServiceUnit, role: str) -> Membership:
    return Membership.objects.get_or_create(user=user, unit=unit, role=role)[0]
