"""Looking up a database connection (`connections["default"]`) without raising an exception.

Django keeps each thread's connections in an asgiref `Local`, which answers every attribute
through `__getattr__`: Python first looks the name up the usual way, fails, and builds the
`AttributeError` message before it calls `__getattr__`, which then asks asyncio whether an event
loop runs. A create+resolve cycle over HTTP looks a connection up about fifty times (every
statement, transaction and request signal), and those lookups were 3% of its instructions.
`all()`, which Django calls at the start and end of every request, asks in the same way.

`FastConnectionHandler` reads a thread's own connection straight from the thread's storage when
no event loop runs in the thread, which is where the `Local` would have found it; anything else (an
event loop, a connection not made yet, a different `Local`) goes to Django's lookup.
"""

from __future__ import annotations

from asyncio import _get_running_loop

from django.db import connections
from django.db.utils import ConnectionHandler


class FastConnectionHandler(ConnectionHandler):
    def __getitem__(self, alias):
        if _get_running_loop() is None:
            try:
                return vars(self._connections._storage)[alias]
            except (AttributeError, KeyError, TypeError):
                pass  # not made yet in this thread, or a Local that keeps them elsewhere
        return super().__getitem__(alias)

    def all(self, initialized_only=False):
        """Django's `all()`, which asks the `Local` for each alias in turn (`hasattr`) when only the
        connections made are wanted: at the start and end of every request."""
        if initialized_only and _get_running_loop() is None:
            try:
                made = vars(self._connections._storage)
            except (AttributeError, TypeError):
                pass
            else:
                return [self[alias] for alias in self if alias in made]
        return super().all(initialized_only=initialized_only)


def install() -> None:
    """Make `django.db.connections` (created when Django starts) look connections up this way."""
    if type(connections) is ConnectionHandler:
        connections.__class__ = FastConnectionHandler
