"""`ipps demo`: load the demo network (Beijing's 1 + 17 + 87, partners, enterprises, logins)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ipps.demo.assessment import load_assessment
from ipps.demo.ledger import ledger_for, load_ledger
from ipps.demo.load import DEMO_PASSWORD, load_demo
from ipps.demo.plan import DEFAULT_ENTERPRISES, DEFAULT_SEED, PORTAL_EVERY
from ipps.demo.reports import load_reports
from ipps.demo.requests import DEFAULT_REQUESTS, load_casework
from ipps.network.models import ServiceUnit


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # Translated when asked, in the language then active; argparse cannot format a lazy one.
        return _(
            "Load the demo network: the municipal centre, 17 district centres, 87 workstations, "
            "partners, enterprises with their IP assets, the priority lists and demo logins. "
            "Running it again creates nothing new."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Do nothing when the database already holds any service unit."),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_(
                "Seed of the generator (default %(default)s); the same seed gives the same data."
            ),
        )
        parser.add_argument(
            "--enterprises",
            type=int,
            default=DEFAULT_ENTERPRISES,
            help=_("How many enterprises to generate (default %(default)s)."),
        )
        parser.add_argument(
            "--requests",
            type=int,
            default=None,
            help=_(
                "How many service requests to write over the past twelve months (default: one for "
                "every two enterprises, at most %(n)d; a tenth of them below 1,000 enterprises); "
                "written once per seed."
            )
            % {"n": DEFAULT_REQUESTS},
        )

        parser.add_argument(
            "--ledger",
            type=int,
            default=None,
            help=_(
                "How many ledger rows of history to write from 1 January of last year to today "
                "(default: 50 for every enterprise); written once."
            ),
        )

    def handle(self, *args, **options):
        if options["ledger"] is not None and options["ledger"] < 0:
            raise CommandError(_("--ledger cannot be negative."))
        if options["requests"] is not None and options["requests"] < 0:
            raise CommandError(_("--requests cannot be negative."))
        if options["enterprises"] < 0:
            raise CommandError(_("--enterprises cannot be negative."))
        if options["if_empty"] and ServiceUnit.objects.exists():
            self.stdout.write(
                _("The database already holds service units; the demo was not loaded (--if-empty).")
            )
            return
        result = load_demo(seed=options["seed"], enterprises=options["enterprises"])
        plan, created = result.plan, result.created
        casework = load_casework(plan=plan, seed=options["seed"], count=options["requests"])
        ledger_count = options["ledger"]
        if ledger_count is None:
            ledger_count = ledger_for(len(plan.enterprises))
        ledger = load_ledger(seed=options["seed"], count=ledger_count)
        reports = load_reports(seed=options["seed"])
        assessment = load_assessment(seed=options["seed"])
        kinds = {}
        for unit in plan.units:
            kinds[unit.kind] = kinds.get(unit.kind, 0) + 1
        write = self.stdout.write
        if (
            not result.created_anything
            and not any(casework.created.values())
            and not ledger.created
            and not reports.submitted
            and not assessment.schemes
        ):
            write(_("The demo network is already loaded; nothing new was created."))
        else:
            write(
                self.style.SUCCESS(
                    _("Demo network loaded in %(s).1f s (seed %(seed)d).")
                    % {"s": result.seconds, "seed": options["seed"]}
                )
            )
        write(
            _(
                "Units: %(units)d in the plan (%(m)d municipal centre, %(d)d district centres, "
                "%(w)d workstations, %(p)d partners); %(new)d created."
            )
            % {
                "units": len(plan.units),
                "m": kinds.get("municipal_centre", 0),
                "d": kinds.get("district_centre", 0),
                "w": kinds.get("workstation", 0),
                "p": kinds.get("partner", 0),
                "new": created["units"],
            }
        )
        years = sorted({li.year for li in plan.listings}, reverse=True)
        per_year = ", ".join(
            f"{y}: {sum(1 for li in plan.listings if li.year == y)}" for y in years
        )
        write(
            _(
                "Enterprises: %(e)d (%(e_new)d created); IP assets: %(a)d (%(a_new)d created); "
                "priority listings: %(per_year)s (%(l_new)d created)."
            )
            % {
                "e": len(plan.enterprises),
                "e_new": created["enterprises"],
                "a": len(plan.assets),
                "a_new": created["ip_assets"],
                "per_year": per_year or "—",
                "l_new": created["priority_listings"],
            }
        )
        write(
            _("Users: %(u)d (%(u_new)d created); roles: %(m_new)d created.")
            % {"u": len(plan.users), "u_new": created["users"], "m_new": created["memberships"]}
        )
        write(
            _(
                "Casework: %(r)d requests (%(c)d infringement cases, %(e)d evidence files, "
                "%(x)d escalations, %(t)d ratings), %(p)d service-level policies, %(k)d experts, "
                "%(a)d knowledge-base articles created in %(s).1f s."
            )
            % {
                "r": casework.created.get("requests", 0),
                "c": casework.created.get("cases", 0),
                "e": casework.created.get("evidence", 0),
                "x": casework.created.get("escalations", 0),
                "t": casework.created.get("ratings", 0),
                "p": casework.created.get("sla_policies", 0),
                "k": casework.created.get("experts", 0),
                "a": casework.created.get("articles", 0),
                "s": casework.seconds,
            }
        )
        write(
            _("Ledger history: %(n)d rows created in %(s).1f s.")
            % {"n": ledger.created, "s": ledger.seconds}
        )
        write(
            _(
                "Monthly reports: %(o)d opened, %(sub)d submitted (%(late)d late), %(a)d approved, "
                "%(r)d returned, %(m)d not submitted, in %(s).1f s."
            )
            % {
                "o": reports.opened,
                "sub": reports.submitted,
                "late": reports.late,
                "a": reports.approved,
                "r": reports.returned,
                "m": reports.missing,
                "s": reports.seconds,
            }
        )
        write(
            _(
                "Assessment: %(schemes)d schemes (last year's published with %(e)d evaluations, "
                "this year's draft) and %(p)d draft funding plan, in %(s).1f s."
            )
            % {
                "schemes": assessment.schemes,
                "e": assessment.evaluations,
                "p": assessment.plans,
                "s": assessment.seconds,
            }
        )
        write("")
        write(_("Log in with the password %(pw)s as:") % {"pw": DEMO_PASSWORD})
        portal = [u for u in plan.users if u.enterprise_uscc]
        lines = [
            ("admin", _("superuser")),
            ("city", _("officer of the municipal centre (BJ)")),
            ("auditor", _("auditor at the municipal centre")),
            ("security", _("security administrator at the municipal centre")),
            (
                "district-110108",
                _(
                    "officer of a district centre; one per district: district-<GB/T 2260 code>, district-bda"
                ),
            ),
            (
                "liaison-ws-110108-001",
                _("liaison of a workstation; one per workstation: liaison-<workstation code>"),
            ),
        ]
        if portal:
            lines.append(
                (
                    portal[0].username,
                    _("portal user of one enterprise; %(n)d such users (every %(k)dth enterprise)")
                    % {"n": len(portal), "k": PORTAL_EVERY},
                )
            )
        width = max(len(name) for name, _text in lines)
        for name, text in lines:
            write(f"  {name.ljust(width)}  {text}")
