"""Playground wrapper: serves the partner's predictor as a Tile Geo Process service.

Started in /api/ as `gunicorn --config gunicorn.conf.py app:APP`. Settings come from
app.yaml next to this file (env_variables: PREDICTOR_PACKAGE, PREDICTOR_CLASS, ZOOM_LEVEL,
PADDING, ...). Copied verbatim into every bundle: nothing in it varies per submission.

Endpoints (contract: the Playground's Tile Geo Process API):
  GET  /api/v1/health    200 "OK" once the predictor is loaded; 503 while loading;
                         500 (JSON, names the exception) when loading failed
  GET  /api/v1/describe  JSON description with _links
  GET  /api/v1/openapi   OpenAPI 3.0 document (YAML)
  POST /api/v1/process   {"resolution": r, "tiles": [b64], "metadata": {...}}

The predictor class is instantiated once per worker process, in a background thread, so
that gunicorn answers health checks while a large model loads. predict() receives one
playground_wrapper.tiles.Tile when the request has one tile, and a list of Tiles when it
has several (change detection: before, after). Everything but the routes lives in the
playground_wrapper package next to this file.
"""

import json
import logging
import os
import sys
import time
import traceback

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)  # playground_wrapper and the partner's package live next to app.py

from flask import Flask, Response, request  # noqa: E402
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge  # noqa: E402

from playground_wrapper.describe import (  # noqa: E402
    base_url_of,
    describe_service,
    openapi_document,
)
from playground_wrapper.errors import (  # noqa: E402
    ServiceError,
    correlation_id,
    error_body,
    exception_text,
)
from playground_wrapper.predictor import Predictor  # noqa: E402
from playground_wrapper.process_request import parse_process_request  # noqa: E402
from playground_wrapper.results import (  # noqa: E402
    ResultError,
    format_result,
    success_body,
    validate_collection,
)
from playground_wrapper.settings import ConfigError, load_config  # noqa: E402

logging.basicConfig(
    level=logging.INFO,
    stream=sys.stderr,
    format="%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s",
)
LOG = logging.getLogger("playground.wrapper")

APP = Flask(__name__)
MAX_BODY_BYTES = 32 * 1024 * 1024  # a process request: one or two tiles, base64

CONFIG = None
CONFIG_ERROR = None
try:
    CONFIG = load_config(os.path.join(_HERE, "app.yaml"))
except ConfigError as _exc:
    CONFIG_ERROR = "configuration error: %s" % _exc
    LOG.error(CONFIG_ERROR)

PREDICTOR = Predictor(CONFIG, CONFIG_ERROR)
PREDICTOR.ensure_loading()


def _json(status, body):
    return Response(json.dumps(body, allow_nan=False), status=status, mimetype="application/json")


def _error(status, message, hint=None, state=None):
    body = error_body(message, hint, correlation_id(request.headers))
    if state is not None:
        body["state"] = state
    response = _json(status, body)
    if status == 503:
        response.headers["Retry-After"] = "10"
    return response


def _base_url():
    return base_url_of(request.headers, request.scheme, request.host)


def _read_body():
    """The request body, at most MAX_BODY_BYTES (413 beyond), with or without Content-Length.
    Checked here rather than with MAX_CONTENT_LENGTH, whose handling differs between
    Werkzeug 2 and 3."""
    limit = MAX_BODY_BYTES
    if request.content_length is not None and request.content_length > limit:
        _too_large()
    chunks, total = [], 0
    while True:
        chunk = request.stream.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            _too_large()


def _too_large():
    """413, after reading (and dropping) a bounded rest of the body so that the client,
    still sending, gets the answer instead of a connection reset."""
    stream = request.environ.get("wsgi.input")
    budget = 4 * MAX_BODY_BYTES
    try:
        while stream is not None and budget > 0:
            chunk = stream.read(min(1 << 20, budget))
            if not chunk:
                break
            budget -= len(chunk)
    except Exception:  # a broken connection: nothing to drain
        pass
    raise RequestEntityTooLarge()


def _not_ready(state, error):
    """503 (transient: retried later) while loading; 500 when the predictor cannot load."""
    if state == "loading":
        return _error(503, "the predictor is still loading", "retry in a few seconds", "loading")
    return _error(500, error, "see the service logs for the traceback", "failed")


@APP.route("/api/v1/health", methods=["GET"])
def health():
    state, _, error = PREDICTOR.snapshot()
    if state != "ready":
        return _not_ready(state, error)
    return Response("OK", status=200, mimetype="text/plain")


@APP.route("/api/v1/describe", methods=["GET"])
def describe():
    if CONFIG is None:
        return _error(500, CONFIG_ERROR, state="failed")
    return _json(200, describe_service(CONFIG, _base_url()))


@APP.route("/api/v1/openapi", methods=["GET"])
def openapi():
    if CONFIG is None:
        return _error(500, CONFIG_ERROR, state="failed")
    text = openapi_document(os.path.join(_HERE, "openapi.yaml"), CONFIG, _base_url())
    return Response(text, status=200, mimetype="text/yaml")


@APP.route("/api/v1/process", methods=["POST"])
def process():
    state, predictor, error = PREDICTOR.snapshot()
    if state != "ready":
        return _not_ready(state, error)
    tiles, _ = parse_process_request(_read_body(), CONFIG)
    argument = tiles[0] if len(tiles) == 1 else tiles
    started = time.monotonic()
    try:
        with PREDICTOR.predict_lock:
            result = predictor.predict(argument)
    except Exception as exc:
        cid = correlation_id(request.headers)
        LOG.error("[%s] predict() raised on %r:\n%s", cid, argument, traceback.format_exc())
        return _json(422, error_body(
            "the predictor raised %s" % exception_text(exc),
            "a permanent failure for this tile; the traceback is in the service logs", cid))
    try:
        collection = validate_collection(format_result(result))
    except ResultError as exc:
        LOG.error("invalid prediction result: %s", exc)
        raise ServiceError(422, "invalid prediction result: %s" % exc,
                           "predict() must return valid GeoJSON in pixel coordinates")
    LOG.info("processed %d tile(s) in %.2f s: %d feature(s)", len(tiles),
             time.monotonic() - started, len(collection["features"]))
    return _json(200, success_body(collection))


@APP.errorhandler(ServiceError)
def _service_error(exc):
    return _error(exc.status, exc.message, exc.hint)


@APP.errorhandler(HTTPException)
def _http_error(exc):
    hints = {
        404: "endpoints: /api/v1/health, /api/v1/describe, /api/v1/openapi, /api/v1/process",
        413: "the request body is limited to %d MiB" % (MAX_BODY_BYTES // (1024 * 1024)),
    }
    message = "%d %s: %s" % (exc.code, exc.name, request.path) if exc.code in (404, 405) \
        else "%d %s" % (exc.code, exc.name)
    response = _error(exc.code or 500, message, hints.get(exc.code))
    if exc.code == 405:
        allowed = getattr(exc, "valid_methods", None)
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
    return response


@APP.errorhandler(Exception)
def _unexpected(exc):
    cid = correlation_id(request.headers)
    LOG.error("[%s] unexpected error on %s %s:\n%s", cid, request.method, request.path,
              traceback.format_exc())
    return _json(500, error_body(
        "internal error in the wrapper: %s" % exception_text(exc),
        "see the service logs", cid))
