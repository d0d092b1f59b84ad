"""Local storage of the kiosk: one SQLite file with the catalogue cache, the ratings
outbox and the settings. Knows nothing of Qt or HTTP.

    store = KioskStore.open(default_data_dir())
    ref = store.record_rating(5, "ID_RENEW")      # durable when it returns
    store.update_followup(ref.uuid, dimensions=["staff"], asked_for_copy=False)
    store.finish_followup(ref.uuid)               # the outbox may send it now
"""

from kiosk.storage.catalogue import thai_sort_key, validate_catalogue
from kiosk.storage.errors import (
    StorageCorruptError,
    StorageError,
    StorageFullError,
    StorageReadOnlyError,
)
from kiosk.storage.models import (
    COPY_STATUSES,
    DIMENSIONS,
    MAX_COMMENT_CHARS,
    SURVEY_DIMENSION,
    Document,
    RatingRef,
    Service,
    ServicePoint,
    Step,
)
from kiosk.storage.schema import SCHEMA_VERSION
from kiosk.storage.store import (
    DB_FILENAME,
    DEFAULT_FOLLOWUP_HOLD_S,
    DEFAULT_MIN_RATING_INTERVAL_S,
    SETTING_CATALOGUE_REFUSED,
    SETTING_COUNTER_SERVICES,
    SETTING_ENROLMENT,
    SETTING_FOLLOWUP_HOLD,
    SETTING_KIOSK_ID,
    SETTING_MIN_RATING_INTERVAL,
    KioskStore,
)

__all__ = [
    "COPY_STATUSES",
    "DB_FILENAME",
    "DEFAULT_FOLLOWUP_HOLD_S",
    "DEFAULT_MIN_RATING_INTERVAL_S",
    "DIMENSIONS",
    "MAX_COMMENT_CHARS",
    "SCHEMA_VERSION",
    "SETTING_CATALOGUE_REFUSED",
    "SETTING_COUNTER_SERVICES",
    "SETTING_ENROLMENT",
    "SETTING_FOLLOWUP_HOLD",
    "SETTING_KIOSK_ID",
    "SETTING_MIN_RATING_INTERVAL",
    "SURVEY_DIMENSION",
    "Document",
    "KioskStore",
    "RatingRef",
    "Service",
    "ServicePoint",
    "Step",
    "StorageCorruptError",
    "StorageError",
    "StorageFullError",
    "StorageReadOnlyError",
    "thai_sort_key",
    "validate_catalogue",
]
