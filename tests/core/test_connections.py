"""Connections are looked up without asgiref's exception path, and are the ones Django would give."""

from __future__ import annotations

import asyncio
import threading

from django.db import connection, connections
from django.db.utils import ConnectionHandler

from ipps.core.connections import FastConnectionHandler


def django_lookup(alias="default"):
    return ConnectionHandler.__getitem__(connections, alias)


def test_the_handler_is_installed_and_gives_djangos_connection(db):
    assert type(connections) is FastConnectionHandler
    assert connections["default"] is django_lookup()
    with connection.cursor() as cursor:  # the proxy Django code uses goes to the same object
        cursor.execute("SELECT 1")
    assert connections["default"].connection is connection.connection


def test_each_thread_has_its_own_connection(db):
    mine = connections["default"]
    seen = {}

    def other():
        seen["fast"] = connections["default"]
        seen["django"] = django_lookup()
        connections["default"].close()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen["fast"] is seen["django"]
    assert seen["fast"] is not mine
    assert connections["default"] is mine


def test_under_an_event_loop_the_lookup_is_djangos(db):
    """With a loop running, asgiref keeps connections per task: the shortcut must not answer."""
    mine = connections["default"]

    async def inside():
        return connections["default"], django_lookup()

    fast, django = asyncio.run(inside())
    assert fast is django
    assert fast is not mine


def test_an_unknown_alias_is_refused_as_django_refuses_it(db):
    import pytest
    from django.utils.connection import ConnectionDoesNotExist

    with pytest.raises(ConnectionDoesNotExist):
        connections["nowhere"]


def test_all_lists_the_connections_made_in_this_thread(db):
    from django.db import connection

    connection.ensure_connection()
    assert connections.all(initialized_only=True) == ConnectionHandler.all(
        connections, initialized_only=True
    )
    assert connection.alias in [c.alias for c in connections.all(initialized_only=True)]
    seen = {}

    def other():  # a new thread has made none yet
        seen["fast"] = connections.all(initialized_only=True)
        seen["django"] = ConnectionHandler.all(connections, initialized_only=True)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen == {"fast": [], "django": []}
    assert len(connections.all()) == len(ConnectionHandler.all(connections))
