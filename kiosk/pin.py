"""The staff PIN: salted PBKDF2 hash in the settings, and a growing lockout.

After ``MAX_TRIES`` wrong PINs in a row the pad locks for 30 s; every further lockout
doubles that, up to an hour. The counters live in the settings, so pulling the plug does
not reset them. A correct PIN clears them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_TRIES = 5
FIRST_LOCK_S = 30
MAX_LOCK_S = 3600
PBKDF2_ROUNDS = 120_000


@dataclass(frozen=True)
class PinResult:
    ok: bool
    tries_left: int = MAX_TRIES
    locked_for_s: int = 0


def valid_new_pin(pin: str) -> bool:
    return pin.isdigit() and 4 <= len(pin) <= 8


class PinGuard:
    def __init__(self, store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def has_pin(self) -> bool:
        return bool(self.store.get_setting("pin_hash"))

    def set_pin(self, pin: str) -> None:
        if not valid_new_pin(pin):
            raise ValueError("the PIN must have 4 to 8 digits")
        salt = os.urandom(16)
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, PBKDF2_ROUNDS)
        self.store.set_setting("pin_hash", {"salt": salt.hex(), "hash": digest.hex()})
        self._reset()

    def locked_for(self) -> int:
        """Seconds left in the current lockout (0 when the pad is open)."""
        until = float(self.store.get_setting("pin_locked_until", 0) or 0)
        return max(0, int(until - self.clock() + 0.999))

    def check(self, pin: str) -> PinResult:
        locked = self.locked_for()
        if locked:
            return PinResult(False, 0, locked)
        stored = self.store.get_setting("pin_hash")
        if stored:
            digest = hashlib.pbkdf2_hmac(
                "sha256", pin.encode(), bytes.fromhex(stored["salt"]), PBKDF2_ROUNDS
            )
            if hmac.compare_digest(digest.hex(), stored["hash"]):
                self._reset()
                return PinResult(True)
        failures = int(self.store.get_setting("pin_failures", 0)) + 1
        if failures < MAX_TRIES:
            self.store.set_setting("pin_failures", failures)
            return PinResult(False, MAX_TRIES - failures)
        lockouts = int(self.store.get_setting("pin_lockouts", 0)) + 1
        lock_s = min(MAX_LOCK_S, FIRST_LOCK_S * 2 ** (lockouts - 1))
        self.store.set_setting("pin_failures", 0)
        self.store.set_setting("pin_lockouts", lockouts)
        self.store.set_setting("pin_locked_until", self.clock() + lock_s)
        return PinResult(False, 0, lock_s)

    def _reset(self) -> None:
        self.store.set_setting("pin_failures", 0)
        self.store.set_setting("pin_lockouts", 0)
        self.store.set_setting("pin_locked_until", 0)
