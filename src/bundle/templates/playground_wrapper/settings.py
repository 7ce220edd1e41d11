"""The wrapper's settings, read from app.yaml's env_variables."""

import re
from collections.abc import Mapping

TILE_BASE_SIZE = 256
MAX_PADDING = 256
# Ground resolution (m/px) at the equator for zoom 0; divide by 2**zoom.
EQUATOR_RESOLUTION = 156543.03392

REQUIRED_SETTINGS = (
    "PREDICTOR_CLASS",
    "PREDICTOR_PACKAGE",
    "PROJECT_NAME",
    "ZOOM_LEVEL",
    "PADDING",
    "SERVICE_NAME",
    "PARTNER_IMAGE",
)

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class ConfigError(ValueError):
    pass


class Config(object):
    """The wrapper's settings, read from app.yaml's env_variables (all strings)."""

    def __init__(self, env, resources=None):
        self.predictor_class = env["PREDICTOR_CLASS"]
        self.predictor_package = env["PREDICTOR_PACKAGE"]
        self.project_name = env["PROJECT_NAME"]
        self.zoom = _int_setting(env, "ZOOM_LEVEL", 0, 30)
        self.padding = _int_setting(env, "PADDING", 0, MAX_PADDING)
        self.service_name = env["SERVICE_NAME"]
        self.partner_image = env["PARTNER_IMAGE"]
        self.title = env.get("DESCRIBE_TITLE") or self.service_name
        self.description = env.get("DESCRIBE_DESCRIPTION") or (
            "Detections on %d x %d px tiles at zoom %d, wrapped for the Intelligence Playground."
            % (self.tile_size, self.tile_size, self.zoom)
        )
        self.organization = env.get("DESCRIBE_ORGANIZATION") or ""
        self.email = env.get("DESCRIBE_EMAIL") or ""
        self.resources = resources if isinstance(resources, Mapping) else {}
        if not _DOTTED.match(self.predictor_package):
            raise ConfigError(
                "PREDICTOR_PACKAGE %r is not a dotted Python module name" % self.predictor_package
            )
        if not _IDENTIFIER.match(self.predictor_class):
            raise ConfigError(
                "PREDICTOR_CLASS %r is not a Python class name" % self.predictor_class
            )

    @property
    def tile_size(self):
        return TILE_BASE_SIZE + 2 * self.padding

    @property
    def resolution(self):
        return EQUATOR_RESOLUTION / (2 ** self.zoom)

    @property
    def version(self):
        """The partner image's tag (or digest), which is what changes between releases."""
        image = self.partner_image
        if "@" in image:
            return image.split("@", 1)[1]
        last = image.rsplit("/", 1)[-1]
        return last.split(":", 1)[1] if ":" in last else "latest"


def _int_setting(env, name, low, high):
    raw = env[name]
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ConfigError("%s must be an integer, got %r" % (name, raw))
    if not low <= value <= high:
        raise ConfigError("%s must be between %d and %d, got %d" % (name, low, high, value))
    return value


def load_config(path):
    """Reads app.yaml (an App Engine app.yaml) and returns a Config; ConfigError when unusable."""
    import yaml  # PyYAML, from the wrapper's requirements.txt

    try:
        with open(path, "r", encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except OSError as exc:
        raise ConfigError("cannot read %s: %s" % (path, exc))
    except yaml.YAMLError as exc:
        raise ConfigError("%s is not valid YAML: %s" % (path, exc))
    if not isinstance(document, Mapping):
        raise ConfigError("%s must be a YAML mapping" % path)
    raw_env = document.get("env_variables")
    if not isinstance(raw_env, Mapping):
        raise ConfigError("%s has no env_variables mapping" % path)
    env = {}
    for key, value in raw_env.items():
        env[str(key)] = "" if value is None else str(value)
    missing = [key for key in REQUIRED_SETTINGS if key not in env]
    empty = [key for key in ("PREDICTOR_CLASS", "PREDICTOR_PACKAGE", "ZOOM_LEVEL", "PADDING")
             if key in env and not env[key].strip()]
    if missing or empty:
        raise ConfigError(
            "%s env_variables: %s"
            % (path, ", ".join(["missing " + k for k in missing] + ["empty " + k for k in empty]))
        )
    return Config(env, document.get("resources"))
