"""Boat detector: finds bright hulls on dark water in Playground tiles.

The Playground loads the class named by PREDICTOR_CLASS from the module named by
PREDICTOR_PACKAGE (here BoatDetector from boat_detector.model).
"""

from .model import BoatDetector  # noqa: F401  (also importable from the package)

__version__ = "1.0"
