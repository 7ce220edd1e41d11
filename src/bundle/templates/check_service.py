#!/usr/bin/env python3
"""Acceptance check of a Playground processing service (Python standard library only).

    python3 check_service.py BASE_URL [--padding N] [--zoom Z] [--timeout SECONDS]
                             [--request-timeout SECONDS] [--details] [--json]

Checks, in order, one line each (PASS name / FAIL name: why):
  health            GET /api/v1/health answers 200, polled until --timeout (default 120 s)
  describe          GET /api/v1/describe answers a JSON object with _links
  openapi           GET /api/v1/openapi answers 200
  process           POST /api/v1/process with a generated (256 + 2 x padding) px PNG answers
                    200 with a body that passes the Playground's endpoint checker rules
  error-bad-json    a body that is not JSON         -> permanent 4xx with a JSON message
  error-empty-tiles {"tiles": []}                   -> permanent 4xx with a JSON message
  error-wrong-size  a 100 x 100 px tile             -> permanent 4xx with a JSON message
  error-bad-base64  a tile that is not base64       -> permanent 4xx with a JSON message
  error-not-image   base64 of bytes that are no image -> permanent 4xx with a JSON message

Without --padding / --zoom, the values come from the describe document (tile.padding,
tile.zoom or requirements.tile_size), else 0 and 16. Exit status: 0 when every check
passes, 1 when one fails, 2 on a usage error. --details adds what a passed check saw
(PASS name: detail), as the pipeline's test step shows it. --json prints one JSON object
{"ok": bool, "checks": [{"name", "ok", "detail"}]} instead of the lines.
"""

import argparse
import base64
import json
import math
import socket
import struct
import sys
import time
import urllib.error
import urllib.request
import zlib

EQUATOR_RESOLUTION = 156543.03392
TRANSIENT_CODES = (408, 423, 429, 500, 502, 503, 504)
DEFAULT_ZOOM = 16


# --------------------------------------------------------------------------- tiles


def _png_chunk(kind, data):
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def make_png(width, height=None):
    """An 8-bit RGB PNG with a field-like gradient, a road and two bright 'roofs'."""
    height = width if height is None else height
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            r, g, b = 60 + (x * 90) // width, 90 + (y * 80) // height, 50 + ((x ^ y) & 31)
            if abs(x - y) < 6:  # a diagonal road
                r = g = b = 120
            if (width // 5 <= x < width // 5 + width // 6
                    and height // 4 <= y < height // 4 + height // 7):
                r, g, b = 230, 225, 215
            dx, dy = x - (2 * width) // 3, y - (2 * height) // 3
            if dx * dx + dy * dy < (width // 10) ** 2:
                r, g, b = 200, 70, 60
            rows += bytes((r, g, b))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + _png_chunk(b"IEND", b""))


# --------------------------------------------------------------------------- HTTP


class Answer(object):
    def __init__(self, status, content_type, body):
        self.status = status
        self.content_type = content_type
        self.body = body

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError:
            return None

    def message(self):
        """The error message of a JSON error body, else the start of the body."""
        data = self.json()
        if isinstance(data, dict) and isinstance(data.get("message"), str):
            return data["message"]
        text = self.body.decode("utf-8", "replace").strip()
        return text[:200] if text else "(empty body)"


# A local service is reached directly even when HTTP(S)_PROXY is set for the outside world.
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_DEFAULT = urllib.request.build_opener()


def http(method, url, body=None, timeout=60.0, content_type="application/json"):
    """An Answer for any HTTP status; raises OSError when there is no HTTP answer."""
    headers = {"Accept": "application/json, text/plain, */*",
               "User-Agent": "playground-check/1"}
    if body is not None:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    opener = _DIRECT if req.host.split(":")[0].strip("[]") in _LOOPBACK else _DEFAULT
    try:
        with opener.open(req, timeout=timeout) as resp:
            return Answer(resp.status, resp.headers.get("Content-Type", ""), resp.read())
    except urllib.error.HTTPError as err:
        try:
            data = err.read()
        except OSError:
            data = b""
        return Answer(err.code, err.headers.get("Content-Type", "") if err.headers else "", data)


def why(exc):
    """A short reason for a failed connection."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    text = str(reason) or type(reason).__name__
    return text[:200]


# --------------------------------------------------------------------------- output rules


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _position_problem(position, where):
    if not isinstance(position, list) or len(position) != 2:
        return "%s: a point must be a pair [x, y], got %s" % (where, json.dumps(position)[:80])
    for value in position:
        if not is_number(value) or value < 0:
            return "%s: %s is not a non-negative number" % (where, json.dumps(value))
    return None


def _polygon_problem(rings, where):
    if not isinstance(rings, list) or not rings:
        return "%s: a Polygon needs at least one ring" % where
    for r, ring in enumerate(rings):
        here = "%s[%d]" % (where, r)
        if not isinstance(ring, list) or len(ring) < 4:
            return "%s: a ring needs at least 4 points" % here
        for p, position in enumerate(ring):
            problem = _position_problem(position, "%s[%d]" % (here, p))
            if problem:
                return problem
        if ring[0] != ring[-1]:
            return "%s: the ring is not closed" % here
    return None


def output_problem(body):
    """None when the process answer passes the Playground checker's rules, else why not."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    if body.get("type") != "FeatureCollection":
        return "root type is %s, expected FeatureCollection" % json.dumps(body.get("type"))
    features = body.get("features")
    if not isinstance(features, list):
        return "features is not a list"
    for index, feature in enumerate(features):
        where = "features[%d]" % index
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            return "%s: type is not Feature" % where
        props = feature.get("properties")
        if not isinstance(props, dict):
            return "%s: properties is missing or not an object" % where
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict):
            return "%s: geometry is missing" % where
        kind, coords = geometry.get("type"), geometry.get("coordinates")
        here = where + ".geometry.coordinates"
        if kind == "Polygon":
            problem = _polygon_problem(coords, here)
        elif kind == "MultiPolygon":
            if not isinstance(coords, list) or not coords:
                problem = "%s: a MultiPolygon needs at least one polygon" % here
            else:
                problem = None
                for p, polygon in enumerate(coords):
                    problem = _polygon_problem(polygon, "%s[%d]" % (here, p))
                    if problem:
                        break
        elif kind == "Point":
            problem = _position_problem(coords, here)
        else:
            problem = "%s.geometry: type %s is not Polygon, MultiPolygon or Point" % (
                where, json.dumps(kind))
        if problem:
            return problem
        if "confidence" in props:
            confidence = props["confidence"]
            if not is_number(confidence) or not 0 <= confidence <= 1:
                return "%s.properties.confidence: %s is not a number in [0, 1]" % (
                    where, json.dumps(confidence))
        if "category" in props and not isinstance(props["category"], list):
            return "%s.properties.category is not a list" % where
    return None


def error_problem(answer):
    """None when the answer is a permanent client error with a JSON message, else why not."""
    if answer.status == 200:
        return "HTTP 200, expected a 4xx error"
    if answer.status in TRANSIENT_CODES:
        return "HTTP %d is read as transient by the Playground (retried forever): %s" % (
            answer.status, answer.message())
    if not 400 <= answer.status < 500:
        return "HTTP %d, expected a 4xx error: %s" % (answer.status, answer.message())
    data = answer.json()
    if not isinstance(data, dict) or not isinstance(data.get("message"), str) \
            or not data["message"].strip():
        return "HTTP %d without a JSON {\"message\": ...} body" % answer.status
    return None


# --------------------------------------------------------------------------- checks


class Report(object):
    def __init__(self, as_json, details=False):
        self.as_json = as_json
        self.details = details
        self.checks = []

    def add(self, name, ok, detail=""):
        self.checks.append({"name": name, "ok": bool(ok), "detail": detail})
        if not self.as_json:
            if not ok:
                line = "FAIL %s: %s" % (name, detail)
            elif self.details and detail:
                line = "PASS %s: %s" % (name, detail)
            else:
                line = "PASS %s" % name
            print(line, flush=True)
        return ok

    @property
    def ok(self):
        return bool(self.checks) and all(c["ok"] for c in self.checks)


def wait_for_health(base, timeout, request_timeout):
    """(ok, detail): polls the health endpoint until 200 or the timeout."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False, "no 200 within %g s (last: %s)" % (timeout, last)
        try:
            answer = http("GET", base + "/api/v1/health", timeout=min(remaining, request_timeout))
            if answer.status == 200:
                text = answer.body.decode("utf-8", "replace").strip()
                return True, "200 %s" % (text[:40] or "(empty body)")
            last = "HTTP %d: %s" % (answer.status, answer.message())
            data = answer.json()
            if isinstance(data, dict) and data.get("state") == "failed":
                return False, last  # the wrapper says the model cannot load: no use waiting
        except (OSError, ValueError) as exc:
            last = why(exc)
        time.sleep(max(0.0, min(1.0, deadline - time.monotonic())))


def tile_settings(describe, padding, zoom):
    """--padding/--zoom, else what the describe document says, else 0 and 16."""
    if isinstance(describe, dict):
        tile = describe.get("tile") if isinstance(describe.get("tile"), dict) else {}
        if padding is None and isinstance(tile.get("padding"), int):
            padding = tile["padding"]
        if zoom is None and isinstance(tile.get("zoom"), int):
            zoom = tile["zoom"]
        if padding is None:
            try:
                optimal = describe["requirements"]["tile_size"]["optimal"]
                if isinstance(optimal, int) and optimal >= 256 and (optimal - 256) % 2 == 0:
                    padding = (optimal - 256) // 2
            except (KeyError, TypeError):
                pass
    return (0 if padding is None else padding), (DEFAULT_ZOOM if zoom is None else zoom)


def run_checks(base, args, report):
    ok, detail = wait_for_health(base, args.timeout, args.request_timeout)
    if not report.add("health", ok, detail):
        return  # nothing else can pass

    def get(path):
        try:
            return http("GET", base + path, timeout=args.request_timeout), None
        except (OSError, ValueError) as exc:
            return None, why(exc)

    def post(name, payload):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        try:
            return http("POST", base + "/api/v1/process", body, args.request_timeout), None
        except (OSError, ValueError) as exc:
            return None, "no answer: %s" % why(exc)

    answer, error = get("/api/v1/describe")
    describe = None
    if error:
        report.add("describe", False, "no answer: %s" % error)
    elif answer.status != 200:
        report.add("describe", False, "HTTP %d: %s" % (answer.status, answer.message()))
    else:
        describe = answer.json()
        if not isinstance(describe, dict):
            report.add("describe", False, "the body is not a JSON object")
        elif not isinstance(describe.get("_links"), dict) or not describe["_links"]:
            report.add("describe", False, "no _links object")
        else:
            report.add("describe", True, "%d links" % len(describe["_links"]))

    answer, error = get("/api/v1/openapi")
    if error:
        report.add("openapi", False, "no answer: %s" % error)
    elif answer.status != 200 or not answer.body.strip():
        report.add("openapi", False, "HTTP %d: %s" % (answer.status, answer.message()))
    else:
        report.add("openapi", True, "%d bytes" % len(answer.body))

    padding, zoom = tile_settings(describe, args.padding, args.zoom)
    size = 256 + 2 * padding
    resolution = EQUATOR_RESOLUTION / 2 ** zoom
    tile = base64.b64encode(make_png(size)).decode("ascii")
    answer, error = post("process", {"resolution": resolution, "tiles": [tile]})
    if error:
        report.add("process", False, error)
    elif answer.status != 200:
        kind = " (transient)" if answer.status in TRANSIENT_CODES else ""
        report.add("process", False, "HTTP %d%s: %s" % (answer.status, kind, answer.message()))
    else:
        body = answer.json()
        problem = output_problem(body) if body is not None else "the body is not JSON"
        if problem:
            report.add("process", False, problem)
        else:
            report.add("process", True, "%d feature(s) on a %d px tile at zoom %d"
                       % (len(body["features"]), size, zoom))

    wrong = base64.b64encode(make_png(100)).decode("ascii")
    cases = (
        ("error-bad-json", b'{"resolution": 1, "tiles": ["'),
        ("error-empty-tiles", {"tiles": []}),
        ("error-wrong-size", {"resolution": resolution, "tiles": [wrong]}),
        ("error-bad-base64", {"resolution": resolution, "tiles": ["%%% not base64 %%%"]}),
        ("error-not-image", {"resolution": resolution,
                             "tiles": [base64.b64encode(b"this is not an image" * 8).decode()]}),
    )
    for name, payload in cases:
        answer, error = post(name, payload)
        problem = error or error_problem(answer)
        report.add(name, problem is None,
                   problem or "HTTP %d: %s" % (answer.status, answer.message()))


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="check_service.py",
        description="Acceptance check of a Playground processing service.")
    parser.add_argument("base_url", metavar="BASE_URL",
                        help="service origin, e.g. http://127.0.0.1:8080")
    parser.add_argument("--padding", type=int, default=None,
                        help="tile padding in px (tiles are 256 + 2 x padding square); "
                             "default: from describe, else 0")
    parser.add_argument("--zoom", type=int, default=None,
                        help="zoom level (sets the resolution); default: from describe, else 16")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds to wait for health to answer 200 (default 120)")
    parser.add_argument("--request-timeout", type=float, default=60.0,
                        help="seconds to wait for each other request (default 60)")
    parser.add_argument("--details", action="store_true",
                        help="PASS lines say what the check saw too (PASS name: detail)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    base = args.base_url.rstrip("/")
    if not (base.startswith("http://") or base.startswith("https://")) or "://" == base[-3:]:
        parser.error("BASE_URL must start with http:// or https://")
    if args.padding is not None and not 0 <= args.padding <= 256:
        parser.error("--padding must be between 0 and 256")
    if args.zoom is not None and not 0 <= args.zoom <= 30:
        parser.error("--zoom must be between 0 and 30")
    if not args.timeout > 0 or not args.request_timeout > 0:
        parser.error("--timeout and --request-timeout must be positive")

    report = Report(args.json, args.details)
    try:
        run_checks(base, args, report)
    except KeyboardInterrupt:
        report.add("interrupted", False, "stopped by the user")
    if args.json:
        print(json.dumps({"ok": report.ok, "checks": report.checks}))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
