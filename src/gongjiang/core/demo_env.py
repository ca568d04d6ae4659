"""Environment for ``gongjiang demo``: a self-contained instance in the data directory.

Runs before Django loads settings, so that the demo needs nothing configured: it keeps a generated
SECRET_KEY and FIELD_ENCRYPTION_KEY in the data directory (so a second run can read the first run's
encrypted data), serves plain HTTP on localhost, and uses SQLite unless DATABASE_URL says otherwise.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _persisted(path: Path, make: callable) -> str:  # type: ignore[valid-type]
    if path.exists():
        return path.read_text().strip()
    value = make()
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def prepare_demo_environment(args: list[str]) -> None:
    data_dir = Path(os.environ.get("GONGJIANG_DATA_DIR", "gongjiang-data")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["GONGJIANG_DATA_DIR"] = str(data_dir)
    if not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = _persisted(
            data_dir / "secret_key", lambda: secrets.token_urlsafe(50)
        )
    if not os.environ.get("FIELD_ENCRYPTION_KEYS") and not os.environ.get("FIELD_ENCRYPTION_KEY"):
        from cryptography.fernet import Fernet

        os.environ["FIELD_ENCRYPTION_KEY"] = _persisted(
            data_dir / "field_encryption_key", lambda: Fernet.generate_key().decode()
        )
    # The demo serves plain HTTP on this machine.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
    os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
    os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
    # QR codes on the demo's certificates open the demo itself.
    os.environ.setdefault("PUBLIC_BASE_URL", demo_address(args))


def demo_address(args: list[str]) -> str:
    """The address ``gongjiang demo [--host H] [--port N]`` serves on (defaults 127.0.0.1:8000)."""
    values = {"--host": "127.0.0.1", "--port": "8000"}
    for i, arg in enumerate(args):
        for flag in values:
            if arg == flag and i + 1 < len(args):
                values[flag] = args[i + 1]
            elif arg.startswith(flag + "="):
                values[flag] = arg.split("=", 1)[1]
    host = values["--host"]
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{values['--port']}"
