"""The harness of the *_cases.py files beside it, run by their .test.ts files.

A cases file records outcomes with case() and ends with report(), which prints one JSON
object {case name: outcome}; an outcome is {"ok": value} or
{"error": "ExceptionType: message"}. The TypeScript test holds the expectations.
"""

import io
import json

from PIL import Image

OUT = {}


def case(name, fn):
    try:
        OUT[name] = {"ok": fn()}
    except Exception as exc:  # the outcome is the error
        OUT[name] = {"error": "%s: %s" % (type(exc).__name__, exc)}


def report():
    print(json.dumps(OUT))


def encoded(fmt_name, size, **options):
    """An image of one colour, as Pillow writes it (PNG, JPEG, GIF, ...)."""
    out = io.BytesIO()
    image = Image.new("RGB", size, (10, 20, 30))
    image.save(out, fmt_name, **options)
    return out.getvalue()
