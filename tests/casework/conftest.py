import pytest

from ipps.casework.services import request_create


@pytest.fixture
def make_request(network):
    def _make(**kwargs):
        defaults = dict(
            subject="专利申请咨询",
            description="我们公司想申请发明专利，请问需要准备哪些材料？",
            channel="portal",
            ip_type="patent",
            chain_stage="creation",
            category="consultation",
            acting_user=network.portal_zgc,
        )
        defaults.update(kwargs)
        return request_create(**defaults)

    return _make
