"""The one redaction of what pyprov records: command lines, config settings and URLs lose their secrets.

Used by ``pyprov build`` (its own command line and ``-C`` settings), ``pyprov run`` (the
recorded command) and signing; a record or log never holds a credential.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pyprov._internal import environ

REDACTED = "***"
_SECRET_NAME = re.compile(r"(token|passw(or)?d|secret|api[-_]?key|credential|auth)", re.IGNORECASE)
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]*@")
"""``user:password@`` in a URL anywhere in an argument (``MIRROR=https://u:p@host/``)."""
_JWT = re.compile(r"^eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_MIN_SECRET_LENGTH = 8
"""Credential values shorter than this are not searched for in the command line (too many false hits)."""


def redact_argv(argv: Sequence[str], environment: Mapping[str, str]) -> tuple[str, ...]:
    """The command line as it may be recorded: secrets replaced by ``***``.

    Hidden: the value of an option whose name says it is secret (``--token X``,
    ``--password=X``, ``-p`` is not guessed), anything shaped like a JWT, the value of
    any credential variable of ``environment`` wherever it appears (a shell expanded
    ``$SIGSTORE_ID_TOKEN``), and user names and passwords in URLs.
    """
    secrets = sorted(
        (
            value
            for name, value in environment.items()
            if environ.is_credential(name) and len(value) >= _MIN_SECRET_LENGTH
        ),
        key=len,
        reverse=True,
    )
    redacted: list[str] = []
    hide_next = False
    for index, arg in enumerate(argv):
        if hide_next:
            redacted.append(REDACTED)
            hide_next = False
            continue
        name, eq, _ = arg.partition("=")
        if index > 0 and name.startswith("-") and _SECRET_NAME.search(name):
            redacted.append(f"{name}={REDACTED}" if eq else arg)
            hide_next = not eq
            continue
        if eq and not name.startswith("-") and _SECRET_NAME.search(name):  # make TOKEN=x target
            redacted.append(f"{name}={REDACTED}")
            continue
        if _JWT.match(arg):
            redacted.append(REDACTED)
            continue
        text = arg
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        redacted.append(_USERINFO.sub(r"\1", text))
    return tuple(redacted)


def redact_config_settings(
    settings: Mapping[str, str | list[str]], environment: Mapping[str, str]
) -> dict[str, str | list[str]]:
    """PEP 517 config settings as they may be recorded (``-C index-url=https://u:p@host/``)."""

    def value(key: str, item: str) -> str:
        if _SECRET_NAME.search(key):
            return REDACTED
        (redacted,) = redact_argv([item], environment)
        return redacted

    return {
        key: [value(key, item) for item in items] if isinstance(items, list) else value(key, items)
        for key, items in settings.items()
    }
