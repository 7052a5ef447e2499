"""Log lines on stderr in the JSON form Terraform's plugin host (hclog) reads.

Terraform picks the level out of each line, so TF_LOG / TF_LOG_PROVIDER decide what is shown;
we also read them to avoid formatting lines nobody will see.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

TRACE = 5
logging.addLevelName(TRACE, "TRACE")

_LEVELS = {"TRACE": TRACE, "DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING}
_HCLOG_NAMES = {TRACE: "trace", logging.DEBUG: "debug", logging.INFO: "info", logging.WARNING: "warn"}
_STANDARD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class HclogFormatter(logging.Formatter):
    """Formats a record as one hclog JSON line; `extra=` fields become JSON fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "@level": _HCLOG_NAMES.get(record.levelno, "error"),
            "@message": record.getMessage(),
            "@module": record.name,
            "@timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="microseconds"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_FIELDS:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def level_from_environment() -> int:
    """The most verbose level that Terraform was asked to show for providers."""
    name = (os.environ.get("TF_LOG_PROVIDER") or os.environ.get("TF_LOG") or "").upper()
    if name in ("", "OFF"):
        return logging.ERROR
    return _LEVELS.get(name, TRACE if name == "JSON" else logging.ERROR)


def configure_logging() -> None:
    """Send the `provider` loggers to stderr as hclog JSON."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(HclogFormatter())
    root = logging.getLogger("provider")
    root.handlers[:] = [handler]
    root.setLevel(level_from_environment())
    root.propagate = False
