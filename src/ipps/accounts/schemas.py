from datetime import datetime

from ninja import Schema


class MembershipOut(Schema):
    unit_id: int
    unit_code: str
    unit_name: str
    role: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    is_superuser: bool
    enterprise: int | None
    memberships: list[MembershipOut]
    language: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_active: bool
