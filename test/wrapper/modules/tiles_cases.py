"""Cases for playground_wrapper.tiles (image headers, the Tile predict() receives), run by
tiles.test.ts."""

import sys

from PIL import Image

from cases import case, encoded, report
from playground_wrapper.tiles import PNG_SIGNATURE, Tile, image_header

# --- image headers
exif = Image.Exif()
exif[0x010F] = "Partner camera"
case("PNG header", lambda: image_header(encoded("PNG", (300, 200))))
case("JPEG baseline header", lambda: image_header(encoded("JPEG", (123, 45))))
case("JPEG progressive with EXIF", lambda: image_header(encoded(
    "JPEG", (64, 80), progressive=True, exif=exif.tobytes())))
case("GIF header", lambda: image_header(encoded("GIF", (4, 4))))
case("zero-size PNG header", lambda: image_header(
    PNG_SIGNATURE + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 8))
png = encoded("PNG", (8, 8))


# --- Tile
def tile_of(data, **kw):
    fmt_name, width, height = image_header(data)
    return Tile(data, width, height, fmt_name, 16, 0, 2.39, **kw)


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

report()
