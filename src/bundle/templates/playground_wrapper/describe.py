"""The service's self-description: /api/v1/describe and /api/v1/openapi."""

from .json_values import is_number


def links(base_url):
    def ref(path, relation, media_type, method="GET"):
        return {"href": base_url + path, "relation": relation, "type": media_type,
                "method": method}

    return {
        "self": ref("/api/v1/describe", "This description", "application/json"),
        "describe": ref("/api/v1/describe", "This description", "application/json"),
        "health": ref("/api/v1/health", "Health check: 200 OK once the model is loaded",
                      "text/plain"),
        "openapi": ref("/api/v1/openapi", "OpenAPI 3.0 document of this service", "text/yaml"),
        "process": ref("/api/v1/process", "Synchronous processing of one tile (two for change "
                       "detection)", "application/json", "POST"),
    }


def process_input_schema(config):
    size = config.tile_size
    return {
        "type": "object",
        "required": ["resolution", "tiles"],
        "properties": {
            "resolution": {"type": "number", "exclusiveMinimum": 0,
                           "description": "Ground resolution in metres per pixel",
                           "example": round(config.resolution, 6)},
            "tiles": {"type": "array", "minItems": 1,
                      "description": "One tile (two for change detection)",
                      "items": {"type": "string",
                                "description": "Base64 PNG or JPEG of %d x %d px" % (size, size)}},
            "metadata": {"type": "object",
                         "properties": {
                             "incidenceAngle": {"type": "array", "items": {"type": "number"}},
                             "acquisitionDate": {"type": "array", "items": {"type": "string"}}}},
        },
    }


def describe_service(config, base_url):
    size = config.tile_size
    ram_gb = config.resources.get("memory_gb")
    cpu = config.resources.get("cpu")
    resources = {"gpu_enabled": False, "cpu_enabled": True}
    if is_number(ram_gb):
        resources["ram"] = int(ram_gb * 1024 ** 3)
    if is_number(cpu):
        resources["cpu"] = int(cpu)
    return {
        "name": config.service_name,
        "title": config.title,
        "family": "object-detection",
        "version": config.version,
        "description": config.description,
        "organization": config.organization,
        "email": config.email,
        "keywords": [],
        "image": config.partner_image,
        "requirements": {
            "tile_size": {"optimal": size, "min": size, "max": size},
            "resolution": {"optimal": config.resolution, "min": config.resolution,
                           "max": config.resolution},
            "overlap_size": config.padding,
            "number_of_images": 1,
            "max_concurrent_requests": 1,
            "supported_image_type": [
                {"format": "PNG", "bit_depth": 8, "bands": ["R", "G", "B"]},
                {"format": "JPG", "bit_depth": 8, "bands": ["R", "G", "B"]},
            ],
        },
        "capabilities": {"tags": []},
        "resources": resources,
        "input": process_input_schema(config),
        "output": {
            "format": "application/json",
            "content": {
                "description": "A GeoJSON FeatureCollection in pixel coordinates of the received "
                               "image (origin top left, padding included); the same collection "
                               "is repeated under 'prediction'.",
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["FeatureCollection"]},
                    "features": {"type": "array", "items": {
                        "type": "object",
                        "properties": {
                            "type": {"type": "string", "enum": ["Feature"]},
                            "geometry": {"type": "object", "properties": {"type": {
                                "type": "string", "enum": ["Polygon", "MultiPolygon", "Point"]}}},
                            "properties": {"type": "object", "properties": {
                                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                                "category": {"type": "array", "items": {"type": "string"}}}},
                        }}},
                    "prediction": {"type": "object"},
                },
            },
        },
        "batched": False,
        "tile": {"zoom": config.zoom, "padding": config.padding, "size": size},
        "_links": links(base_url),
    }


def openapi_document(path, config, base_url):
    """openapi.yaml next to app.py, with this service's title, version and tile size filled in."""
    import yaml

    with open(path, "r", encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    info = document.setdefault("info", {})
    info["title"] = config.title
    info["version"] = config.version
    info["description"] = "%s\n\nTiles: %d x %d px (256 px plus %d px of padding on each side) " \
                          "at zoom %d." % (config.description, config.tile_size,
                                           config.tile_size, config.padding, config.zoom)
    document["servers"] = [{"url": base_url}]
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def base_url_of(headers, scheme, host):
    """The service's public origin: App Engine's front end sets X-Forwarded-Proto."""
    proto = (headers.get("X-Forwarded-Proto") or scheme or "http").split(",")[0].strip().lower()
    if proto not in ("http", "https"):
        proto = "http"
    return "%s://%s" % (proto, host)
