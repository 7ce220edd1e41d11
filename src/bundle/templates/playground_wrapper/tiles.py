"""The Tile a predictor receives, and image sizes read from PNG and JPEG headers."""

import io
import struct


class Tile(object):
    """One image of a process request, as the partner's predict() receives it.

    image       raw PNG or JPEG bytes, as sent by the Playground
    width       pixels, read from the image header (no Pillow needed)
    height      pixels
    format      "png" or "jpeg"
    zoom        ZOOM_LEVEL of the service
    padding     PADDING of the service (pixels on each side of the 256 px tile)
    resolution  metres per pixel, from the request
    index       position of the tile in the request (0, or 0 and 1 for change detection)
    metadata    this tile's metadata: each request metadata list is split per tile
    """

    def __init__(self, image, width, height, format, zoom, padding, resolution, index=0,
                 metadata=None):
        self.image = image
        self.width = width
        self.height = height
        self.format = format
        self.zoom = zoom
        self.padding = padding
        self.resolution = resolution
        self.index = index
        self.metadata = metadata if metadata is not None else {}

    @property
    def size(self):
        return (self.width, self.height)

    def to_array(self, mode=None):
        """The decoded image as a numpy array (height, width[, bands]); needs numpy and Pillow.

        mode: optional Pillow mode to convert to first, e.g. "RGB" to drop alpha.
        """
        try:
            import numpy
            from PIL import Image
        except ImportError as exc:
            raise RuntimeError(
                "Tile.to_array() needs numpy and Pillow installed in the predictor image "
                "(pip install numpy Pillow): %s" % exc
            )
        with Image.open(io.BytesIO(self.image)) as picture:
            if mode is not None and picture.mode != mode:
                picture = picture.convert(mode)
            return numpy.array(picture)

    def __repr__(self):
        return "Tile(%s %dx%d, zoom=%d, padding=%d, resolution=%r, %d bytes)" % (
            self.format, self.width, self.height, self.zoom, self.padding, self.resolution,
            len(self.image),
        )


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Start-of-frame markers that carry the image size (not DHT C4, JPG C8, DAC CC).
_JPEG_SOF = frozenset((0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE,
                       0xCF))


def image_header(data):
    """(format, width, height) from a PNG or JPEG header; ValueError otherwise."""
    if data.startswith(PNG_SIGNATURE):
        if len(data) < 24 or data[12:16] != b"IHDR":
            raise ValueError("PNG data without an IHDR header")
        width, height = struct.unpack(">II", data[16:24])
        fmt = "png"
    elif data[:3] == b"\xff\xd8\xff":
        width, height = _jpeg_size(data)
        fmt = "jpeg"
    else:
        raise ValueError("not a PNG or JPEG image (it starts with %r)" % data[:8])
    if width == 0 or height == 0:
        raise ValueError("the %s header says %d x %d px" % (fmt.upper(), width, height))
    return fmt, width, height


def _jpeg_size(data):
    i, n = 2, len(data)
    while i < n:
        if data[i] != 0xFF:
            raise ValueError("corrupt JPEG: no marker at byte %d" % i)
        while i < n and data[i] == 0xFF:
            i += 1
        if i >= n:
            break
        marker = data[i]
        i += 1
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:
            continue  # markers without a length
        if marker in (0xD9, 0xDA):
            break  # end of image, or scan data before any frame header
        if i + 2 > n:
            break
        length = struct.unpack(">H", data[i:i + 2])[0]
        if length < 2:
            raise ValueError("corrupt JPEG: segment length %d at byte %d" % (length, i))
        if marker in _JPEG_SOF:
            if i + 7 > n:
                break
            height, width = struct.unpack(">HH", data[i + 3:i + 7])
            return width, height
        i += length
    raise ValueError("JPEG data without a frame header (SOF)")
