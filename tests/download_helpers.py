"""Reading the file name a download is sent with."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote


def download_name(response: Any) -> str:
    """The UTF-8 name of ``filename*=UTF-8''…`` (RFC 5987), checking the ASCII fallback is there."""
    header = response["Content-Disposition"]
    fallback = re.search(r'filename="([^"]*)"', header)
    assert fallback and fallback.group(1).isascii(), header
    match = re.search(r"filename\*=UTF-8''([^;\s]+)", header)
    assert match, header
    return unquote(match.group(1))
