"""The demo tests load the demo once a module, not once a test (a load takes seconds, tens of
them a test run on PostgreSQL), inside a transaction that is rolled back after the module, as
Django's `TestCase.setUpTestData` does for a class. Each test still runs in its own savepoint, so
what one test writes (a second run of the demo) is gone for the next."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def loaded_for_the_module(django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Durable blocks inside behave as they do in a TestCase (Django's own marker for this).
        outer._from_testcase = True
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
