from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    QUERY_ANSWERED = "query_answered", _("Query answered")
    CASE_ASSISTED = "case_assisted", _("Case assisted")
    VISIT = "visit", _("Visit")
    TRAINING_DELIVERED = "training_delivered", _("Training delivered")
    POLICY_PUSHED = "policy_pushed", _("Policy pushed")
    PRODUCT_DELIVERED = "product_delivered", _("Service product delivered")
