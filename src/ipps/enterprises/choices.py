from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    STARTUP = "startup", _("Start-up")
    GROWTH = "growth", _("Growth")
    MATURE = "mature", _("Mature")


class Size(models.TextChoices):
    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class Designation(models.TextChoices):
    HIGH_TECH = "high_tech", _("High-tech enterprise")
    SPECIALISED_SME = "specialised_sme", _("Specialised and sophisticated SME")
    LITTLE_GIANT = "little_giant", _("Specialised and sophisticated 'little giant'")
    TECH_SME = "tech_sme", _("Technology-based SME")
    IP_ADVANTAGE = "ip_advantage", _("National IP advantage enterprise")
    IP_DEMONSTRATION = "ip_demonstration", _("National IP demonstration enterprise")
    ZHONGGUANCUN_HIGH_TECH = "zgc_high_tech", _("Zhongguancun high-tech enterprise")
    LISTED = "listed", _("Listed company")


class PrioritySource(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal list")
    DISTRICT = "district", _("District list")
    WORKSTATION = "workstation", _("Workstation nomination")
    IMPORT = "import", _("Imported file")


class IPKind(models.TextChoices):
    INVENTION_PATENT = "invention_patent", _("Invention patent")
    UTILITY_MODEL = "utility_model", _("Utility model")
    DESIGN = "design", _("Design")
    TRADEMARK = "trademark", _("Trademark")
    SOFTWARE_COPYRIGHT = "software_copyright", _("Software copyright")
    WORK_COPYRIGHT = "work_copyright", _("Copyright in a work")
    GEOGRAPHICAL_INDICATION = "geographical_indication", _("Geographical indication")
    TRADE_SECRET = "trade_secret", _("Trade secret")
    IC_LAYOUT = "ic_layout", _("IC layout design")
    PLANT_VARIETY = "plant_variety", _("Plant variety")


PATENT_KINDS = frozenset({IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL, IPKind.DESIGN})
# Which patent type digit (5th digit of the application number) fits which kind.
PATENT_TYPE_DIGITS = {
    IPKind.INVENTION_PATENT: {"1", "8"},
    IPKind.UTILITY_MODEL: {"2", "9"},
    IPKind.DESIGN: {"3"},
}


class LegalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted or registered")
    LAPSED = "lapsed", _("Lapsed (fees unpaid)")
    EXPIRED = "expired", _("Expired")
    INVALIDATED = "invalidated", _("Invalidated")
    WITHDRAWN = "withdrawn", _("Withdrawn or rejected")
    TRANSFERRED = "transferred", _("Transferred")
