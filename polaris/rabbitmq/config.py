"""The broker of Polaris's parallel mode: ``$RABBITMQ_URL``, read when it is needed.

Fixes against the original (which parsed the URL once, at import): the port comes from the
URL (it was always 5672), credentials come from the URL or ``RABBITMQ_USER`` /
``RABBITMQ_PASSWORD`` (never an implicit guest), and the scheme is checked, except that
the ``ampq://`` typo of the original documentation is read as ``amqp://`` with a warning.
"""

from __future__ import annotations

import logging
import os
from typing import Mapping, Optional

URL_ENV = "RABBITMQ_URL"
DEFAULT_URL = "amqp://localhost:5672/%2F"
"""Used when ``RABBITMQ_URL`` is unset: the local broker's default vhost ``/``; the
credentials must then come from ``RABBITMQ_USER`` and ``RABBITMQ_PASSWORD``."""


def broker_url(
    environ: Optional[Mapping[str, str]] = None, logger: Optional[logging.Logger] = None
) -> str:
    """The broker URL: ``$RABBITMQ_URL`` or :data:`DEFAULT_URL`.

    Returns:
        An ``amqp://`` or ``amqps://`` URL (``ampq://`` rewritten to ``amqp://``).
    """
    env = os.environ if environ is None else environ
    url = env.get(URL_ENV, "").strip() or DEFAULT_URL
    if url.lower().startswith("ampq://"):
        (logger or logging.getLogger("polaris")).warning(
            "%s starts with 'ampq://' (a typo of the Polaris docs); reading it as 'amqp://'",
            URL_ENV,
        )
        url = "amqp://" + url[len("ampq://") :]
    return url


__all__ = ["DEFAULT_URL", "URL_ENV", "broker_url"]
