"""Cases for playground_wrapper.results (formatting and validating the predictor's result),
run by results.test.ts."""

import json

import numpy as np

from cases import case, report
from playground_wrapper.results import format_result, success_body, validate_collection


def fc(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def poly(ring, properties=None, **extra):
    feature = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}}
    if properties is not None:
        feature["properties"] = properties
    feature.update(extra)
    return feature


SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
validate = validate_collection

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


fmt = format_result
case("None", lambda: fmt(None))
case("format() returning a dict", lambda: fmt(WithFormat(fc())))
case("format() returning a JSON string", lambda: fmt(WithFormat(json.dumps(fc(poly(SQUARE))))))
case("format() returning a list", lambda: fmt(WithFormat([])))
case("format() raising", lambda: fmt(WithFormat(KeyError("boxes"))))
case("__geo_interface__", lambda: fmt(GeoInterface()))
case("a Feature mapping", lambda: fmt({"type": "Feature"}))
case("a list", lambda: fmt([]))
case("a str", lambda: fmt("FeatureCollection"))
case("success body", lambda: success_body(fc()))

report()
