"""Public notices (公示): see :mod:`.services`."""
