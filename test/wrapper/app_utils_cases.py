"""Unit cases for src/bundle/templates/app_utils.py, run by app_utils.test.ts.

Prints one JSON object {case name: outcome}; an outcome is {"ok": value} or
{"error": "ExceptionType: message"}. The TypeScript test holds the expectations.
"""

import base64
import io
import json
import os
import sys
import tempfile
import time

import numpy as np
from PIL import Image

import app_utils as U

OUT = {}


def case(name, fn):
    try:
        OUT[name] = {"ok": fn()}
    except Exception as exc:  # the outcome is the error
        OUT[name] = {"error": "%s: %s" % (type(exc).__name__, exc)}


def fc(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def poly(ring, properties=None, **extra):
    feature = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}}
    if properties is not None:
        feature["properties"] = properties
    feature.update(extra)
    return feature


SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
validate = U.validate_collection

# --- validation: accepted, and normalised
case("valid square, properties missing", lambda: validate(fc(poly(SQUARE))))
case("tuples, numpy arrays and numpy scalars", lambda: validate(fc(
    poly(np.array(SQUARE, dtype=np.int64),
         {"confidence": np.float32(0.5), "category": ("car",), "n": np.int64(3),
          "flag": np.bool_(True), "box": np.array([1.5, 2.5])}, id=np.int32(7)))))
case("repeated consecutive positions", lambda: validate(fc(
    poly([[0, 0], [0, 0], [10, 0], [10, 10], [10, 10], [0, 0]]))))
case("polygon with a hole", lambda: validate(fc({
    "type": "Feature", "properties": {},
    "geometry": {"type": "Polygon", "coordinates": [SQUARE, [[2, 2], [2, 4], [4, 4], [2, 2]]]}})))
case("empty collection", lambda: validate(fc()))

# --- validation: rejected
case("confidence 1.7", lambda: validate(fc(poly(SQUARE), poly(SQUARE, {"confidence": 1.7}))))
case("confidence true", lambda: validate(fc(poly(SQUARE, {"confidence": True}))))
case("confidence NaN", lambda: validate(fc(poly(SQUARE, {"confidence": float("nan")}))))
case("category of numbers", lambda: validate(fc(poly(SQUARE, {"category": [1]}))))
case("three coordinates", lambda: validate(fc(poly([[0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 0, 1]]))))
case("infinite coordinate", lambda: validate(fc(poly([[0, 0], [float("inf"), 0], [1, 1], [0, 0]]))))
case("boolean coordinate", lambda: validate(fc(poly([[0, 0], [True, 0], [1, 1], [0, 0]]))))
case("spike", lambda: validate(fc(poly([[0, 0], [10, 0], [10, 10], [10, 20], [10, 5], [0, 0]]))))
case("collinear ring", lambda: validate(fc(poly([[0, 0], [1, 1], [2, 2], [0, 0]]))))
case("figure eight touching at a vertex", lambda: validate(fc(poly(
    [[0, 0], [4, 0], [2, 2], [4, 4], [0, 4], [2, 2], [0, 0]]))))
case("bowtie", lambda: validate(fc(poly([[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]))))
case("ring too short", lambda: validate(fc(poly([[0, 0], [1, 0], [0, 0]]))))
case("geometry missing", lambda: validate(fc({"type": "Feature", "properties": {}})))
case("coordinates missing", lambda: validate(fc({"type": "Feature", "geometry": {"type": "Point"}})))
case("feature type wrong", lambda: validate(fc({"type": "feature", "geometry": None})))
case("features not a list", lambda: validate({"type": "FeatureCollection", "features": "x"}))
case("unserialisable property", lambda: validate(fc(poly(SQUARE, {"model": object()}))))
case("empty multipolygon", lambda: validate(fc({
    "type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": []}})))


def big_ring_seconds():
    import math
    n = 5000
    ring = [[500 + (300 + 50 * math.sin(7 * 2 * math.pi * k / n)) * math.cos(2 * math.pi * k / n),
             500 + (300 + 50 * math.sin(7 * 2 * math.pi * k / n)) * math.sin(2 * math.pi * k / n)]
            for k in range(n)]
    ring.append(ring[0])
    started = time.time()
    problem = U.ring_problem(ring)
    return [problem, time.time() - started]


case("5000-vertex valid ring", big_ring_seconds)
case("segments touching at an end", lambda: U.segments_intersect([0, 0], [2, 0], [2, 0], [3, 5]))
case("parallel segments", lambda: U.segments_intersect([0, 0], [2, 0], [0, 1], [2, 1]))
case("collinear disjoint segments", lambda: U.segments_intersect([0, 0], [1, 0], [2, 0], [3, 0]))


# --- result formatting (duck typing)
class WithFormat(object):
    def __init__(self, value):
        self.value = value

    def format(self):
        if isinstance(self.value, Exception):
            raise self.value
        return self.value


class GeoInterface(object):
    __geo_interface__ = fc(poly(SQUARE))


fmt = U.format_result
case("None", lambda: fmt(None))
case("format() returning a dict", lambda: fmt(WithFormat(fc())))
case("format() returning a JSON string", lambda: fmt(WithFormat(json.dumps(fc(poly(SQUARE))))))
case("format() returning a list", lambda: fmt(WithFormat([])))
case("format() raising", lambda: fmt(WithFormat(KeyError("boxes"))))
case("__geo_interface__", lambda: fmt(GeoInterface()))
case("a Feature mapping", lambda: fmt({"type": "Feature"}))
case("a list", lambda: fmt([]))
case("a str", lambda: fmt("FeatureCollection"))
case("success body", lambda: U.success_body(fc()))


# --- image headers and base64
def encoded(fmt_name, size, **options):
    out = io.BytesIO()
    image = Image.new("RGB", size, (10, 20, 30))
    image.save(out, fmt_name, **options)
    return out.getvalue()


exif = Image.Exif()
exif[0x010F] = "Partner camera"
case("PNG header", lambda: U.image_header(encoded("PNG", (300, 200))))
case("JPEG baseline header", lambda: U.image_header(encoded("JPEG", (123, 45))))
case("JPEG progressive with EXIF", lambda: U.image_header(encoded(
    "JPEG", (64, 80), progressive=True, exif=exif.tobytes())))
case("GIF header", lambda: U.image_header(encoded("GIF", (4, 4))))
case("zero-size PNG header", lambda: U.image_header(
    U.PNG_SIGNATURE + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 8))
png = encoded("PNG", (8, 8))
b64 = base64.b64encode(png).decode()
case("base64 standard", lambda: U.decode_base64_tile(b64, 0) == png)
case("base64 url-safe without padding", lambda: U.decode_base64_tile(
    base64.urlsafe_b64encode(png).decode().rstrip("="), 0) == png)
case("base64 data URL with line breaks", lambda: U.decode_base64_tile(
    "data:image/png;base64," + "\n".join(b64[i:i + 60] for i in range(0, len(b64), 60)), 0) == png)
case("base64 garbage", lambda: U.decode_base64_tile("ab$c", 3))


# --- settings
def config_from(text):
    handle, path = tempfile.mkstemp(suffix=".yaml")
    with os.fdopen(handle, "w") as out:
        out.write(text)
    try:
        c = U.load_config(path)
        return {"zoom": c.zoom, "padding": c.padding, "tile_size": c.tile_size,
                "resolution": c.resolution, "version": c.version, "title": c.title,
                "package": c.predictor_package}
    finally:
        os.unlink(path)


BASE = ("env_variables:\n  PREDICTOR_CLASS: M\n  PREDICTOR_PACKAGE: pkg.mod\n  PROJECT_NAME: p\n"
        "  SERVICE_NAME: svc\n")
case("config with YAML integers", lambda: config_from(
    BASE + "  ZOOM_LEVEL: 18\n  PADDING: 32\n  PARTNER_IMAGE: localhost:5000/img\n"))
case("config with a digest", lambda: config_from(
    BASE + "  ZOOM_LEVEL: '16'\n  PADDING: '0'\n  PARTNER_IMAGE: 'gcr.io/a/b@sha256:abc'\n"))
case("config zoom not a number", lambda: config_from(
    BASE + "  ZOOM_LEVEL: high\n  PADDING: '0'\n  PARTNER_IMAGE: x\n"))
case("config without env_variables", lambda: config_from("runtime: custom\n"))
case("config not YAML", lambda: config_from("env_variables: [\n"))
case("config file missing", lambda: U.load_config("/nonexistent/app.yaml"))


# --- Tile
def tile_of(data, **kw):
    fmt_name, width, height = U.image_header(data)
    return U.Tile(data, width, height, fmt_name, 16, 0, 2.39, **kw)


case("tile repr", lambda: repr(tile_of(png)))
case("to_array shape", lambda: list(tile_of(png).to_array().shape))
case("to_array grey", lambda: list(tile_of(png).to_array("L").shape))


def without_numpy():
    saved = sys.modules.get("numpy")
    sys.modules["numpy"] = None  # import numpy now raises ImportError
    try:
        return tile_of(png).to_array()
    finally:
        sys.modules["numpy"] = saved


case("to_array without numpy", without_numpy)

print(json.dumps(OUT))
