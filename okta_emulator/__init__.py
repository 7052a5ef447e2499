"""Local in-memory emulator of Okta's app provisioning-connection API.

Start an `Emulator` in-process (tests) or run `okta-emulator` / `python -m okta_emulator`
(scripts); seed apps of an `AppKind` through `Emulator.store` or the `/emulator/` admin API,
script failures with `Store.inject` (a `FaultKind`), and register OAuth service apps with
`Store.add_service_app`.
"""

from okta_emulator.faults import FaultKind
from okta_emulator.server import Emulator
from okta_emulator.store import AppKind, ConnectionSnapshot, JournalEntry, Store

__all__ = ["AppKind", "ConnectionSnapshot", "Emulator", "FaultKind", "JournalEntry", "Store"]
