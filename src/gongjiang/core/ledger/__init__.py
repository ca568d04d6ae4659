"""The money ledger: funds and their append-only entries (see :mod:`.services`)."""
