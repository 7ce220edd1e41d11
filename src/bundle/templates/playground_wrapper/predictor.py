"""The partner's predictor instance for this process, loaded in a background thread so
that gunicorn answers health checks while a large model loads."""

import importlib
import logging
import os
import threading
import time
import traceback

from .errors import exception_text

LOG = logging.getLogger("playground.wrapper")


class Predictor(object):
    """state is "loading", "ready" (instance set) or "failed" (error says why)."""

    def __init__(self, config, config_error):
        self.config = config
        self.config_error = config_error
        self.lock = threading.Lock()
        self.predict_lock = threading.Lock()  # models are rarely thread-safe
        self.pid = None
        self.state = "loading"
        self.instance = None
        self.error = None

    def ensure_loading(self):
        """Starts loading in this process (again after a fork, e.g. gunicorn --preload)."""
        with self.lock:
            if self.pid == os.getpid():
                return
            self.pid = os.getpid()
            self.state, self.instance, self.error = "loading", None, None
            if self.config is None:
                self.state, self.error = "failed", self.config_error
                return
            thread = threading.Thread(target=self._load, name="predictor-loader")
            thread.daemon = True
            thread.start()

    def _load(self):
        config = self.config
        started = time.monotonic()
        name = "%s.%s" % (config.predictor_package, config.predictor_class)
        LOG.info("loading predictor %s", name)
        try:
            module = importlib.import_module(config.predictor_package)
            try:
                cls = getattr(module, config.predictor_class)
            except AttributeError:
                raise AttributeError(
                    "module %s has no attribute %s (set PREDICTOR_PACKAGE to package.module "
                    "when the class is not importable from the package)"
                    % (config.predictor_package, config.predictor_class)
                )
            instance = cls()
            if not callable(getattr(instance, "predict", None)):
                raise TypeError("%s has no predict() method" % name)
        except BaseException as exc:  # even SystemExit from partner code: health says why
            LOG.error("loading predictor %s failed:\n%s", name, traceback.format_exc())
            with self.lock:
                self.state = "failed"
                self.error = "loading predictor %s failed: %s" % (name, exception_text(exc))
            return
        with self.lock:
            self.instance, self.state = instance, "ready"
        LOG.info("predictor %s loaded in %.1f s", name, time.monotonic() - started)

    def snapshot(self):
        self.ensure_loading()
        with self.lock:
            return self.state, self.instance, self.error
