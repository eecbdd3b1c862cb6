from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    MUNICIPAL_CENTRE = "municipal_centre", _("Municipal centre")
    DISTRICT_CENTRE = "district_centre", _("District centre")
    WORKSTATION = "workstation", _("Workstation")
    PARTNER = "partner", _("Partner")


class UnitStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class District(models.TextChoices):
    """Beijing's districts by GB/T 2260 code, plus the BDA, which has no code of its own."""

    DONGCHENG = "110101", _("Dongcheng")
    XICHENG = "110102", _("Xicheng")
    CHAOYANG = "110105", _("Chaoyang")
    FENGTAI = "110106", _("Fengtai")
    SHIJINGSHAN = "110107", _("Shijingshan")
    HAIDIAN = "110108", _("Haidian")
    MENTOUGOU = "110109", _("Mentougou")
    FANGSHAN = "110111", _("Fangshan")
    TONGZHOU = "110112", _("Tongzhou")
    SHUNYI = "110113", _("Shunyi")
    CHANGPING = "110114", _("Changping")
    DAXING = "110115", _("Daxing")
    HUAIROU = "110116", _("Huairou")
    PINGGU = "110117", _("Pinggu")
    MIYUN = "110118", _("Miyun")
    YANQING = "110119", _("Yanqing")
    BDA = "BDA", _("Beijing Economic-Technological Development Area")


DISTRICT_NAMES_ZH = {
    "110101": "东城区",
    "110102": "西城区",
    "110105": "朝阳区",
    "110106": "丰台区",
    "110108": "海淀区",
    "110107": "石景山区",
    "110109": "门头沟区",
    "110111": "房山区",
    "110112": "通州区",
    "110113": "顺义区",
    "110114": "昌平区",
    "110115": "大兴区",
    "110116": "怀柔区",
    "110117": "平谷区",
    "110118": "密云区",
    "110119": "延庆区",
    "BDA": "北京经济技术开发区",
}


class PartnerRegion(models.TextChoices):
    TIANJIN = "tianjin", _("Tianjin")
    HEBEI = "hebei", _("Hebei")
    OVERSEAS = "overseas", _("Overseas")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    OFFICER = "officer", _("Officer")
    LIAISON = "liaison", _("Liaison")
    EXPERT = "expert", _("Expert")
    AUDITOR = "auditor", _("Auditor")
    SECURITY_ADMIN = "security_admin", _("Security administrator")


# Roles that work with business records (enterprises, requests…); the others see only their own area.
BUSINESS_ROLES = frozenset({Role.ADMIN, Role.OFFICER, Role.LIAISON, Role.EXPERT})
# Roles that may change business records in their subtree.
EDITOR_ROLES = frozenset({Role.ADMIN, Role.OFFICER, Role.LIAISON})
# Roles that see enterprises' contact details unmasked.
CONTACT_ROLES = frozenset({Role.ADMIN, Role.OFFICER, Role.LIAISON})
