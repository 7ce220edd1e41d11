"""BoatDetector: bright blobs on a darker background, reported as boat outlines.

A deliberately simple "model" (thresholding and connected components, no weights) that
behaves like a real one towards the Playground: it is loaded once, receives tiles, and
returns a GeoJSON FeatureCollection in pixel coordinates of the tile it received.
"""

import logging
from collections import deque

LOG = logging.getLogger("boat_detector")


class BoatDetector(object):
    """Finds boats: connected groups of pixels much brighter than the rest of the tile."""

    #: A pixel is "bright" when its mean RGB value reaches this (0..255)...
    min_brightness = 180
    #: ...and exceeds the tile's mean brightness by this much.
    min_contrast = 60
    #: Blobs smaller than this many pixels are noise (waves, glints).
    min_area = 12
    #: Blobs covering more than this share of the tile are not boats (clouds, beaches).
    max_area_share = 0.25

    def __init__(self):
        # A real model would load its weights here; the Playground waits for this to
        # finish (health answers 503 meanwhile) before it sends any tile.
        self.tiles_seen = 0
        self._warned = False
        LOG.info("BoatDetector ready (min_brightness=%d, min_area=%d px)",
                 self.min_brightness, self.min_area)

    def predict(self, tile):
        """Detects boats on one tile; returns a GeoJSON FeatureCollection (a dict).

        tile: the Playground's Tile (image bytes, width, height, padding, zoom,
        resolution, to_array()). Change detection requests send a list of tiles
        (before, after): boats are detected on the last one.
        """
        if isinstance(tile, list):
            tile = tile[-1]
        self.tiles_seen += 1
        try:
            pixels = tile.to_array("RGB")
        except RuntimeError as exc:  # numpy or Pillow missing from the image
            if not self._warned:
                LOG.warning("cannot decode tiles, reporting no boats: %s", exc)
                self._warned = True
            return _collection([])
        return _collection(self.detect(pixels, tile.width, tile.height, tile.padding))

    def detect(self, pixels, width, height, padding):
        """Features for the bright blobs of an RGB array (height, width, 3)."""
        brightness = pixels.astype("float64").mean(axis=2)
        threshold = max(self.min_brightness, brightness.mean() + self.min_contrast)
        bright = brightness >= threshold
        features = []
        for blob in _blobs(bright):
            area = len(blob)
            if area < self.min_area or area > self.max_area_share * width * height:
                continue
            xs = [x for _, x in blob]
            ys = [y for y, _ in blob]
            x0, y0, x1, y1 = min(xs), min(ys), max(xs) + 1, max(ys) + 1
            # Only boats centred in the tile proper: those centred in the padding belong
            # to the neighbouring tile, which reports them.
            cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
            if not (padding <= cx < width - padding and padding <= cy < height - padding):
                continue
            mean = sum(brightness[y, x] for y, x in blob) / area
            fill = area / float((x1 - x0) * (y1 - y0))  # hulls fill their box well
            confidence = 0.5 + 0.3 * min(1.0, (mean - threshold) / max(1.0, 255 - threshold)) \
                + 0.2 * fill
            features.append({
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [
                    [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]},
                "properties": {
                    "category": ["boat"],
                    "confidence": round(min(1.0, confidence), 3),
                    "area_px": area,
                },
            })
        return features


def _blobs(mask):
    """The 4-connected groups of True pixels of a 2-D boolean array, as [(y, x), ...]."""
    height, width = mask.shape
    todo = set(zip(*(axis.tolist() for axis in mask.nonzero())))
    blobs = []
    while todo:
        start = todo.pop()
        blob, queue = [start], deque([start])
        while queue:
            y, x = queue.popleft()
            for neighbour in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                if neighbour in todo:
                    todo.remove(neighbour)
                    blob.append(neighbour)
                    queue.append(neighbour)
        blobs.append(blob)
    return blobs


def _collection(features):
    return {"type": "FeatureCollection", "features": features}
