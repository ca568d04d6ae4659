"""The database session store, reading a session with one plain SQL statement.

Every authenticated request (each exam answer save among them) reads its session row. Django's
database store builds, compiles and runs an ORM query and makes a model instance for it, which costs
several times the CPU of the query itself. This store reads the same row (same table, same
conditions: the key and ``expire_date > now``) with a plain statement; everything else — writing,
cycling keys, expiry, ``clearsessions`` — is Django's database store unchanged.

Selected with ``SESSION_ENGINE = "gongjiang.core.sessions"``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        key = self.session_key
        if not key:
            self._session_key = None
            return {}
        model = self.model
        connection = connections[router.db_for_read(model)]
        table = connection.ops.quote_name(model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [key, now],
            )
            row = cursor.fetchone()
        if row is None:  # missing or expired: an empty session with a new key when saved
            self._session_key = None
            return {}
        return self.decode(row[0])
