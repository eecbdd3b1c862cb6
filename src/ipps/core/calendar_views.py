"""The working calendar by month, for staff; administrators add override days here."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from chinese_calendar import Holiday
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ipps.core.calendar import CalendarDataMissing, WorkingCalendar
from ipps.core.calendar_services import (
    calendar_day_remove,
    calendar_day_set,
    can_edit_calendar,
)
from ipps.core.errors import ServiceError
from ipps.core.models import CalendarYear
from ipps.network.models import ServiceUnit
from ipps.network.scope import is_staff_user

# chinesecalendar names holidays in English; the page shows the Chinese name beside it.
CHINESE_NAMES = {h.value: h.chinese for h in Holiday}


class OverrideForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    is_working = forms.TypedChoiceField(
        label=gettext_lazy("The day is"),
        choices=[("0", gettext_lazy("a day off")), ("1", gettext_lazy("a working day"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


def parse_month(text: str | None) -> dt.date:
    """'2026-10' → 2026-10-01; anything unreadable → this month."""
    try:
        year, month = (int(x) for x in (text or "").split("-", 1))
        return dt.date(year, month, 1)
    except ValueError:
        today = timezone.localdate()
        return today.replace(day=1)


def month_grid(first: dt.date) -> dict:
    """Weeks (Monday first) of DayInfo for the month, and whether its year has no data."""
    strict = WorkingCalendar.load(allow_fallback=False)
    lenient = WorkingCalendar.load(allow_fallback=True)
    missing = None
    try:
        strict.day(first)
        calendar = strict
    except CalendarDataMissing as exc:
        missing = exc
        calendar = lenient

    def day_info(day: dt.date):
        try:
            return calendar.day(day)
        except CalendarDataMissing:
            # A day of the year before or after, at the grid's edge (December's last week shows
            # the first days of January): shown greyed, so the weekends-only guess will do.
            return lenient.day(day)

    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append(
            [
                {
                    "info": (info := day_info(day)),
                    "inside": day.month == first.month,
                    "name_zh": CHINESE_NAMES.get(info.label, "")
                    if info.source == "statutory"
                    else "",
                }
                for day in week
            ]
        )
    days = [cell["info"] for week in weeks for cell in week if cell["inside"]]
    return {
        "weeks": weeks,
        "missing": missing,
        "working_days": sum(1 for d in days if d.working),
        "days_off": sum(1 for d in days if not d.working),
        "overrides": [d for d in days if d.reason.startswith("override_")],
        "holidays": [d for d in days if d.reason == "holiday"],
        "makeup": [d for d in days if d.reason == "makeup_workday"],
    }


FALLBACK_UNITS_SHOWN = 20


def fallback_units() -> dict:
    """The units whose due times count weekends only in a year without data (the first few)."""
    if settings.IPPS_CALENDAR_WEEKEND_FALLBACK:
        return {"fallback_everywhere": True}
    units = ServiceUnit.objects.filter(calendar_weekend_fallback=True).order_by("code")
    return {
        "fallback_units": list(units[:FALLBACK_UNITS_SHOWN]),
        "fallback_unit_count": units.count(),
    }


@login_required
def calendar_month(request):
    if not is_staff_user(request.user):
        raise Http404
    first = parse_month(request.GET.get("month") or request.POST.get("month"))
    editable = can_edit_calendar(request.user)
    form = OverrideForm(initial={"date": first})
    if request.method == "POST":
        if not editable:
            raise Http404
        if request.POST.get("action") == "remove":
            try:
                day = dt.date.fromisoformat(request.POST.get("date", ""))
            except ValueError:
                raise Http404 from None
            calendar_day_remove(date=day, acting_user=request.user, http=request)
            messages.success(
                request,
                _("The override of %(date)s was removed.") % {"date": day.isoformat()},
            )
            return redirect(f"{reverse('core:calendar')}?month={day:%Y-%m}")
        form = OverrideForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                calendar_day_set(
                    date=data["date"],
                    is_working=data["is_working"],
                    reason=data["reason"],
                    acting_user=request.user,
                    http=request,
                )
            except (ServiceError, ValidationError) as exc:
                form.add_error(None, getattr(exc, "message", None) or "; ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("%(date)s is now set by an override.") % {"date": data["date"].isoformat()},
                )
                return redirect(f"{reverse('core:calendar')}?month={data['date']:%Y-%m}")
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs["class"] = css
    grid = month_grid(first)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    context = {
        **grid,
        "first": first,
        "previous": previous,
        "following": following,
        "today": timezone.localdate(),
        "editable": editable,
        "form": form,
        "year_entered": CalendarYear.objects.filter(year=first.year).first(),
        **(fallback_units() if grid["missing"] else {}),
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
    }
    return render(request, "core/calendar.html", context)
