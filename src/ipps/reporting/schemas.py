import datetime as dt

from ninja import Field, Schema


class FigureOut(Schema):
    key: str
    label: str
    ledger: int = Field(description="From the ledger: frozen at submission, live while editable.")
    adjustment: int = Field(description="Sum of the corrections.")
    reported: int = Field(description="ledger + adjustment.")
    live: int | None = Field(description="Today's ledger figure, once the report is frozen.")
    late: int = Field(description="live − ledger: rows that reached the ledger after submission.")
    flags: list[str] = Field(description="Plausibility warnings for the reviewer.")


class AdjustmentOut(Schema):
    id: int
    figure: str
    amount: int
    reason: str
    created_by: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return obj.created_by.get_username() if obj.created_by_id else None


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    comment: str
    actor: str | None
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None


class ConsolidationOut(Schema):
    values: dict[str, int]
    derived: dict[str, float | None]
    included: list[int] = Field(description="Child units whose approved reports are summed.")
    missing: list[int] = Field(description="Child units without an approved report yet.")


class ReportSummaryOut(Schema):
    id: int
    unit_id: int
    unit_code: str
    unit_name: str
    unit_kind: str
    month: dt.date
    status: str
    due_on: dt.date
    expires_on: dt.date = Field(description="The last day the unit may edit the report.")
    on_time: bool | None = Field(description="First submission by the due day; null until then.")
    first_submitted_at: dt.datetime | None
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    accepted_at: dt.datetime | None
    frozen_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_unit_code(obj) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return str(obj.unit)

    @staticmethod
    def resolve_unit_kind(obj) -> str:
        return obj.unit.kind


class ReportOut(ReportSummaryOut):
    work_done: str
    notable_cases: str
    problems: str
    next_plan: str
    figures: list[FigureOut]
    derived: dict[str, float | None] = Field(
        description="Shares and the average satisfaction, from the reported figures."
    )
    consolidated: ConsolidationOut | None
    adjustments: list[AdjustmentOut]
    events: list[EventOut]


class ReportPatchIn(Schema):
    work_done: str | None = None
    notable_cases: str | None = None
    problems: str | None = None
    next_plan: str | None = None
    version: int | None = Field(
        None, description="The version you read; a newer one on the server answers 409."
    )


class AdjustmentIn(Schema):
    figure: str
    amount: int = Field(description="Added to the ledger figure; negative to reduce it.")
    reason: str


class CommentIn(Schema):
    comment: str = ""


class CompletenessFigures(Schema):
    expected: int
    submitted: int
    on_time: int
    completeness: float | None
    timeliness: float | None


class CompletenessLevel(CompletenessFigures):
    level: str


class CompletenessMonth(CompletenessFigures):
    month: dt.date


class CompletenessUnit(CompletenessFigures):
    unit: int
    code: str
    name: str
    kind: str


class CompletenessOut(CompletenessFigures):
    from_: dt.date = Field(alias="from")
    to: dt.date
    unit: int
    levels: list[CompletenessLevel]
    months: list[CompletenessMonth]
    units: list[CompletenessUnit]
