"""The error contract: every error answers JSON {message, hint, timestamp, correlationId}."""

import datetime
import re
import uuid

from .json_values import short


class ServiceError(Exception):
    """An error answered as JSON {message, hint, timestamp, correlationId}."""

    def __init__(self, status, message, hint=None):
        Exception.__init__(self, message)
        self.status = status
        self.message = message
        self.hint = hint


def bad_request(message, hint=None):
    return ServiceError(400, message, hint)


def utc_timestamp():
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)


def correlation_id(headers):
    """The caller's request id when it sent a sane one, else a fresh UUID."""
    for name in ("X-Correlation-Id", "X-Request-Id"):
        value = headers.get(name)
        if value and len(value) <= 128 and re.match(r"^[A-Za-z0-9._:/=+-]+$", value):
            return value
    return str(uuid.uuid4())


def error_body(message, hint, cid):
    body = {"message": message, "timestamp": utc_timestamp(), "correlationId": cid}
    if hint:
        body["hint"] = hint
    return body


def exception_text(exc):
    text = str(exc)
    return type(exc).__name__ + (": " + short(text) if text else "")
