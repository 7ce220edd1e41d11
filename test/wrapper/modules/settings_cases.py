"""Cases for playground_wrapper.settings (app.yaml's env_variables), run by settings.test.ts."""

import os
import tempfile

from cases import case, report
from playground_wrapper.settings import load_config


def config_from(text):
    handle, path = tempfile.mkstemp(suffix=".yaml")
    with os.fdopen(handle, "w") as out:
        out.write(text)
    try:
        c = load_config(path)
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
case("config file missing", lambda: load_config("/nonexistent/app.yaml"))

report()
