"""Parsing a process request body into Tiles; ServiceError(400) names what is wrong."""

import base64
import binascii
import json
import math
import re

from .errors import bad_request
from .json_values import is_number, json_type, short
from .tiles import Tile, image_header


_DATA_URL = re.compile(r"^data:[^,]{0,100};base64,", re.IGNORECASE)
_URLSAFE_TO_STANDARD = str.maketrans("-_", "+/")


def decode_base64_tile(value, index):
    """Raw bytes of tiles[index]; accepts data: URLs, line breaks, URL-safe alphabet and
    missing '=' padding."""
    where = "tiles[%d]" % index
    if not isinstance(value, str):
        raise bad_request(
            "%s is %s, expected a base64 string" % (where, json_type(value)),
            "each tile is a base64-encoded PNG or JPEG image",
        )
    text = _DATA_URL.sub("", value.strip(), count=1)
    text = "".join(text.split()).translate(_URLSAFE_TO_STANDARD)
    if not text:
        raise bad_request("%s is an empty string" % where, "send a base64-encoded PNG or JPEG")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad_request("%s is not valid base64: %s" % (where, exc),
                          "send the image bytes base64-encoded (RFC 4648)")


def parse_process_request(body, config):
    """Checks a process request body; returns (tiles, resolution). ServiceError(400) when bad."""
    if not body:
        raise bad_request("the request body is empty",
                          'send JSON: {"resolution": 0.5, "tiles": ["<base64 PNG or JPEG>"]}')
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise bad_request("the request body is not UTF-8: %s" % exc, "send a JSON object")
    except ValueError as exc:
        raise bad_request("the request body is not valid JSON: %s" % exc,
                          'send JSON: {"resolution": 0.5, "tiles": ["<base64 PNG or JPEG>"]}')
    if isinstance(payload, list):
        raise bad_request("batched requests (a JSON array of payloads) are not supported",
                          "send one JSON object per request")
    if not isinstance(payload, dict):
        raise bad_request("the request body is %s, expected a JSON object" % json_type(payload),
                          'send JSON: {"resolution": 0.5, "tiles": ["<base64 PNG or JPEG>"]}')

    tiles = payload.get("tiles")
    if tiles is None:
        raise bad_request("'tiles' is missing", "'tiles' is an array of base64 PNG or JPEG images")
    if not isinstance(tiles, list):
        raise bad_request("'tiles' is %s, expected an array" % json_type(tiles),
                          "'tiles' is an array of base64 PNG or JPEG images")
    if not tiles:
        raise bad_request("'tiles' is empty", "send one tile (two for change detection)")

    resolution = payload.get("resolution")
    if resolution is None:
        raise bad_request("'resolution' is missing",
                          "'resolution' is the ground resolution in metres per pixel, e.g. %.4f"
                          % config.resolution)
    if not is_number(resolution) or not math.isfinite(resolution) or resolution <= 0:
        raise bad_request("'resolution' must be a positive number, got %s"
                          % short(json.dumps(resolution)),
                          "'resolution' is the ground resolution in metres per pixel, e.g. %.4f"
                          % config.resolution)

    metadata = payload.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise bad_request("'metadata' is %s, expected an object" % json_type(metadata),
                          'e.g. {"incidenceAngle": [12.5], '
                          '"acquisitionDate": ["2020-01-01T10:00:00Z"]}')
    metadata = metadata or {}

    result = []
    expected = config.tile_size
    for index, value in enumerate(tiles):
        data = decode_base64_tile(value, index)
        try:
            fmt, width, height = image_header(data)
        except ValueError as exc:
            raise bad_request("tiles[%d] is not a PNG or JPEG image: %s" % (index, exc),
                              "send a base64-encoded PNG or JPEG image")
        if width != expected or height != expected:
            raise bad_request(
                "tiles[%d] is %d x %d px; this service expects %d x %d px "
                "(256 px plus %d px of padding on each side)"
                % (index, width, height, expected, expected, config.padding),
                "request tiles at zoom %d with padding %d" % (config.zoom, config.padding),
            )
        tile_metadata = {}
        for key, item in metadata.items():
            if isinstance(item, list) and len(item) == len(tiles):
                tile_metadata[key] = item[index]
            else:
                tile_metadata[key] = item
        result.append(Tile(data, width, height, fmt, config.zoom, config.padding,
                           resolution, index, tile_metadata))
    return result, resolution
