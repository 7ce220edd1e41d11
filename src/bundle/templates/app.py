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
app_utils.Tile when the request has one tile, and a list of Tiles when it has several
(change detection: before, after).
"""

import importlib
import json
import logging
import os
import sys
import threading
import time
import traceback

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)  # app_utils and the partner's package live next to app.py

from flask import Flask, Response, request  # noqa: E402
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge  # noqa: E402

import app_utils  # noqa: E402
from app_utils import ResultError, ServiceError  # noqa: E402

logging.basicConfig(
    level=logging.INFO,
    stream=sys.stderr,
    format="%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s",
)
LOG = logging.getLogger("playground.wrapper")

APP = Flask(__name__)

CONFIG = None
CONFIG_ERROR = None
try:
    CONFIG = app_utils.load_config(app_utils.here("app.yaml"))
except app_utils.ConfigError as _exc:
    CONFIG_ERROR = "configuration error: %s" % _exc
    LOG.error(CONFIG_ERROR)


class _Predictor(object):
    """The partner's predictor instance for this process, loaded in a background thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.predict_lock = threading.Lock()  # models are rarely thread-safe
        self.pid = None
        self.state = "loading"
        self.instance = None
        self.error = None

    def ensure_loading(self):
        """Starts loading in this process (again after a fork, e.g. gunicorn --preload)."""
        with self.lock:
            if self.pid == os.getpid():
                return
            self.pid = os.getpid()
            self.state, self.instance, self.error = "loading", None, None
            if CONFIG is None:
                self.state, self.error = "failed", CONFIG_ERROR
                return
            thread = threading.Thread(target=self._load, name="predictor-loader")
            thread.daemon = True
            thread.start()

    def _load(self):
        started = time.monotonic()
        name = "%s.%s" % (CONFIG.predictor_package, CONFIG.predictor_class)
        LOG.info("loading predictor %s", name)
        try:
            module = importlib.import_module(CONFIG.predictor_package)
            try:
                cls = getattr(module, CONFIG.predictor_class)
            except AttributeError:
                raise AttributeError(
                    "module %s has no attribute %s (set PREDICTOR_PACKAGE to package.module "
                    "when the class is not importable from the package)"
                    % (CONFIG.predictor_package, CONFIG.predictor_class)
                )
            instance = cls()
            if not callable(getattr(instance, "predict", None)):
                raise TypeError("%s has no predict() method" % name)
        except BaseException as exc:  # even SystemExit from partner code: health says why
            LOG.error("loading predictor %s failed:\n%s", name, traceback.format_exc())
            with self.lock:
                self.state = "failed"
                self.error = "loading predictor %s failed: %s" % (
                    name, app_utils.exception_text(exc))
            return
        with self.lock:
            self.instance, self.state = instance, "ready"
        LOG.info("predictor %s loaded in %.1f s", name, time.monotonic() - started)

    def snapshot(self):
        self.ensure_loading()
        with self.lock:
            return self.state, self.instance, self.error


PREDICTOR = _Predictor()
PREDICTOR.ensure_loading()


def _json(status, body):
    return Response(json.dumps(body, allow_nan=False), status=status, mimetype="application/json")


def _error(status, message, hint=None, state=None):
    body = app_utils.error_body(message, hint, app_utils.correlation_id(request.headers))
    if state is not None:
        body["state"] = state
    response = _json(status, body)
    if status == 503:
        response.headers["Retry-After"] = "10"
    return response


def _base_url():
    return app_utils.base_url_of(request.headers, request.scheme, request.host)


def _read_body():
    """The request body, at most MAX_BODY_BYTES (413 beyond), with or without Content-Length.
    Checked here rather than with MAX_CONTENT_LENGTH, whose handling differs between
    Werkzeug 2 and 3."""
    limit = app_utils.MAX_BODY_BYTES
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
    budget = 4 * app_utils.MAX_BODY_BYTES
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
    return _json(200, app_utils.describe(CONFIG, _base_url()))


@APP.route("/api/v1/openapi", methods=["GET"])
def openapi():
    if CONFIG is None:
        return _error(500, CONFIG_ERROR, state="failed")
    text = app_utils.openapi_document(app_utils.here("openapi.yaml"), CONFIG, _base_url())
    return Response(text, status=200, mimetype="text/yaml")


@APP.route("/api/v1/process", methods=["POST"])
def process():
    state, predictor, error = PREDICTOR.snapshot()
    if state != "ready":
        return _not_ready(state, error)
    tiles, _ = app_utils.parse_process_request(_read_body(), CONFIG)
    argument = tiles[0] if len(tiles) == 1 else tiles
    started = time.monotonic()
    try:
        with PREDICTOR.predict_lock:
            result = predictor.predict(argument)
    except Exception as exc:
        cid = app_utils.correlation_id(request.headers)
        LOG.error("[%s] predict() raised on %r:\n%s", cid, argument, traceback.format_exc())
        return _json(422, app_utils.error_body(
            "the predictor raised %s" % app_utils.exception_text(exc),
            "a permanent failure for this tile; the traceback is in the service logs", cid))
    try:
        collection = app_utils.validate_collection(app_utils.format_result(result))
    except ResultError as exc:
        LOG.error("invalid prediction result: %s", exc)
        raise ServiceError(422, "invalid prediction result: %s" % exc,
                           "predict() must return valid GeoJSON in pixel coordinates")
    LOG.info("processed %d tile(s) in %.2f s: %d feature(s)", len(tiles),
             time.monotonic() - started, len(collection["features"]))
    return _json(200, app_utils.success_body(collection))


@APP.errorhandler(ServiceError)
def _service_error(exc):
    return _error(exc.status, exc.message, exc.hint)


@APP.errorhandler(HTTPException)
def _http_error(exc):
    hints = {
        404: "endpoints: /api/v1/health, /api/v1/describe, /api/v1/openapi, /api/v1/process",
        413: "the request body is limited to %d MiB" % (app_utils.MAX_BODY_BYTES // (1024 * 1024)),
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
    cid = app_utils.correlation_id(request.headers)
    LOG.error("[%s] unexpected error on %s %s:\n%s", cid, request.method, request.path,
              traceback.format_exc())
    return _json(500, app_utils.error_body(
        "internal error in the wrapper: %s" % app_utils.exception_text(exc),
        "see the service logs", cid))
