"""Cases for playground_wrapper.process_request (decoding a tile's base64), run by
process_request.test.ts."""

import base64

from cases import case, encoded, report
from playground_wrapper.process_request import decode_base64_tile

png = encoded("PNG", (8, 8))
b64 = base64.b64encode(png).decode()
case("base64 standard", lambda: decode_base64_tile(b64, 0) == png)
case("base64 url-safe without padding", lambda: decode_base64_tile(
    base64.urlsafe_b64encode(png).decode().rstrip("="), 0) == png)
case("base64 data URL with line breaks", lambda: decode_base64_tile(
    "data:image/png;base64," + "\n".join(b64[i:i + 60] for i in range(0, len(b64), 60)), 0) == png)
case("base64 garbage", lambda: decode_base64_tile("ab$c", 3))

report()
