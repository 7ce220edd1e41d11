"""The predictor's result: formatted by duck typing, validated against the Playground's
output rules (GeoJSON in pixel coordinates), and the success body."""

import json
import math
import numbers
from collections.abc import Mapping

from .errors import exception_text
from .json_values import is_number, short
from .rings import ring_problem


class ResultError(ValueError):
    """The predictor's result breaks the Playground's output rules; the message names where."""


def empty_collection():
    return {"type": "FeatureCollection", "features": []}


def format_result(result):
    """The predictor's return value as a FeatureCollection mapping (duck typing, no SDK):

    - an object with a callable format() (the seed's PredictionResult): its return value,
      a mapping or a JSON string;
    - a mapping whose type is FeatureCollection (geojson.FeatureCollection is a dict): as is;
    - an object with __geo_interface__ (geojson, shapely-style): that mapping;
    - None: an empty FeatureCollection;
    - anything else: ResultError naming the type.
    """
    if result is None:
        return empty_collection()
    if isinstance(result, (str, bytes, bytearray)):  # str has a format() of its own
        raise ResultError("predict() returned a value of type %s, expected a FeatureCollection "
                          "or an object with format()" % type(result).__name__)
    if isinstance(result, Mapping):
        return _collection_mapping(result, "predict() returned a mapping")
    formatter = getattr(result, "format", None)
    if callable(formatter):
        try:
            formatted = formatter()
        except Exception as exc:
            raise ResultError("%s.format() raised %s"
                              % (type(result).__name__, exception_text(exc)))
        if isinstance(formatted, (str, bytes, bytearray)):
            try:
                formatted = json.loads(formatted)
            except ValueError:
                raise ResultError("%s.format() returned a string that is not JSON"
                                  % type(result).__name__)
        if isinstance(formatted, Mapping):
            return _collection_mapping(formatted, "%s.format() returned a mapping"
                                       % type(result).__name__)
        raise ResultError("%s.format() returned a value of type %s, expected a "
                          "FeatureCollection mapping"
                          % (type(result).__name__, type(formatted).__name__))
    geo = getattr(result, "__geo_interface__", None)
    if isinstance(geo, Mapping):
        return _collection_mapping(geo, "%s.__geo_interface__" % type(result).__name__)
    raise ResultError("predict() returned a value of type %s, expected a FeatureCollection, "
                      "an object with format(), or None" % type(result).__name__)


def _collection_mapping(value, what):
    if value.get("type") != "FeatureCollection":
        raise ResultError("%s whose type is %s, expected FeatureCollection"
                          % (what, short(repr(value.get("type")), 60)))
    return value


def _as_list(value):
    """Lists, tuples and numpy arrays as a list; None for anything else."""
    if isinstance(value, (list, tuple)):
        return list(value)
    tolist = getattr(value, "tolist", None)
    if callable(tolist) and not isinstance(value, (str, bytes)):
        converted = tolist()
        return converted if isinstance(converted, list) else None
    return None


def _plain(value, where):
    """A JSON-ready copy of a properties value (numpy scalars and arrays converted)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ResultError("%s: %r is not a finite number" % (where, number))
        return number
    if isinstance(value, Mapping):
        return dict((str(k), _plain(v, "%s.%s" % (where, k))) for k, v in value.items())
    items = _as_list(value)
    if items is not None:
        return [_plain(v, "%s[%d]" % (where, i)) for i, v in enumerate(items)]
    item = getattr(value, "item", None)  # numpy bool_ and other 0-d values
    if callable(item):
        return _plain(item(), where)
    raise ResultError("%s: a value of type %s cannot be written as JSON"
                      % (where, type(value).__name__))


def _position(value, where):
    coords = _as_list(value)
    if coords is None or len(coords) != 2:
        raise ResultError("%s: a position must be a pair [x, y], got %s"
                          % (where, short(repr(value), 80)))
    out = []
    for axis, number in zip("xy", coords):
        if not is_number(number):
            raise ResultError("%s: %s is %s, expected a number"
                              % (where, axis, short(repr(number), 40)))
        number = float(number) if not isinstance(number, numbers.Integral) else int(number)
        if isinstance(number, float) and not math.isfinite(number):
            raise ResultError("%s: %s is %r, expected a finite number" % (where, axis, number))
        if number < 0:
            raise ResultError("%s: %s is %s; pixel coordinates must be >= 0 (origin top left, "
                              "padding included)" % (where, axis, number))
        out.append(number)
    return out


def _ring(value, where):
    items = _as_list(value)
    if items is None:
        raise ResultError("%s: a ring must be an array of positions" % where)
    ring = [_position(p, "%s[%d]" % (where, i)) for i, p in enumerate(items)]
    if len(ring) < 4:
        raise ResultError("%s: a ring needs at least 4 positions, got %d" % (where, len(ring)))
    if ring[0] != ring[-1]:
        raise ResultError("%s: the ring is not closed (first position %s, last %s)"
                          % (where, ring[0], ring[-1]))
    problem = ring_problem(ring)
    if problem:
        raise ResultError("%s: %s" % (where, problem))
    return ring


def _polygon(value, where):
    rings = _as_list(value)
    if not rings:
        raise ResultError("%s: a Polygon needs at least one ring" % where)
    return [_ring(r, "%s[%d]" % (where, i)) for i, r in enumerate(rings)]


def _geometry(value, where):
    if not isinstance(value, Mapping):
        raise ResultError("%s is %s, expected a Polygon, MultiPolygon or Point"
                          % (where, "missing" if value is None else "a " + type(value).__name__))
    kind = value.get("type")
    coordinates = value.get("coordinates")
    if coordinates is None:
        raise ResultError("%s.coordinates is missing" % where)
    where_c = where + ".coordinates"
    if kind == "Polygon":
        return {"type": kind, "coordinates": _polygon(coordinates, where_c)}
    if kind == "MultiPolygon":
        polygons = _as_list(coordinates)
        if not polygons:
            raise ResultError("%s: a MultiPolygon needs at least one polygon" % where_c)
        return {"type": kind, "coordinates": [
            _polygon(p, "%s[%d]" % (where_c, i)) for i, p in enumerate(polygons)]}
    if kind == "Point":
        return {"type": kind, "coordinates": _position(coordinates, where_c)}
    raise ResultError("%s.type is %s; the Playground accepts Polygon, MultiPolygon or Point"
                      % (where, short(repr(kind), 60)))


def _properties(value, where):
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ResultError("%s is a %s, expected a mapping" % (where, type(value).__name__))
    props = _plain(value, where)
    if "confidence" in props:
        confidence = props["confidence"]
        if not is_number(confidence):
            raise ResultError("%s.confidence: %s is not a number"
                              % (where, short(json.dumps(confidence), 60)))
        if not 0.0 <= confidence <= 1.0:
            raise ResultError("%s.confidence: %s is outside 0..1" % (where, confidence))
    if "category" in props:
        category = props["category"]
        if not isinstance(category, list) or not all(isinstance(c, str) for c in category):
            raise ResultError("%s.category: %s is not a list of strings"
                              % (where, short(json.dumps(category), 60)))
    return props


def validate_collection(collection):
    """A clean copy of a FeatureCollection that follows the Playground's rules, or ResultError.

    Rules: features is a list; each feature has type Feature, a Polygon, MultiPolygon or
    Point geometry in pixel coordinates (pairs of finite numbers >= 0), rings closed with
    at least 4 positions and not crossing themselves; properties a mapping (missing: {}),
    confidence a number in [0, 1], category a list of strings.
    """
    if not isinstance(collection, Mapping) or collection.get("type") != "FeatureCollection":
        raise ResultError("the result is not a FeatureCollection")
    features = _as_list(collection.get("features"))
    if features is None:
        raise ResultError("features is %s, expected a list"
                          % ("missing" if collection.get("features") is None
                             else "a " + type(collection.get("features")).__name__))
    clean = []
    for index, feature in enumerate(features):
        where = "features[%d]" % index
        if not isinstance(feature, Mapping):
            raise ResultError("%s is a %s, expected a Feature mapping"
                              % (where, type(feature).__name__))
        if feature.get("type") != "Feature":
            raise ResultError("%s.type is %s, expected Feature"
                              % (where, short(repr(feature.get("type")), 60)))
        out = {
            "type": "Feature",
            "geometry": _geometry(feature.get("geometry"), where + ".geometry"),
            "properties": _properties(feature.get("properties"), where + ".properties"),
        }
        if "id" in feature and feature["id"] is not None:
            out["id"] = _plain(feature["id"], where + ".id")
        clean.append(out)
    return {"type": "FeatureCollection", "features": clean}


def success_body(collection):
    """The process answer: the FeatureCollection at the root (what the Playground's checker
    reads: type, features) and the same collection under "prediction" (the seed's
    {"prediction": ...} shape), so that readers of either shape work. Deliberate: a GeoJSON
    object may carry foreign members such as "prediction"."""
    return {"type": "FeatureCollection", "features": collection["features"],
            "prediction": collection}
