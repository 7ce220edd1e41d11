"""The Playground wrapper's parts, imported by app.py (which holds only the Flask routes).

Copied verbatim into /api/playground_wrapper/ next to app.py; nothing in it varies per
submission. One package, under a name no partner uses, so that its modules never shadow
the partner's own top-level modules in /api/. Runs on Python 3.8 or newer and needs only
PyYAML (Flask is imported by app.py alone); Pillow and numpy are used by Tile.to_array()
when the partner's image has them.

  settings         Config, read from app.yaml's env_variables
  predictor        loading the partner's predictor class in a background thread
  process_request  a process request body -> Tiles
  tiles            the Tile predict() receives; image sizes from PNG and JPEG headers
  results          the predictor's result -> a validated FeatureCollection
  rings            whether a polygon ring crosses or touches itself
  describe         /api/v1/describe and /api/v1/openapi
  errors           the error contract (ServiceError, the JSON error body)
  json_values      naming and checking JSON values in messages
"""
