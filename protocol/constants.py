"""Numbers and names of the sync protocol (docs/sync-protocol.md), shared by both sides."""

from __future__ import annotations

API_PREFIX = "/api/v1"

# Ratings per request, and the request body limits. 500 ratings whose 500-character
# comments are JSON-escaped as \uXXXX surrogate pairs (the worst case) stay under 3.5 MB:
# a valid batch always fits.
MAX_RATINGS_PER_REQUEST = 500
SMALL_BODY_BYTES = 8 * 1024
RATINGS_BODY_BYTES = 4 * 1024 * 1024

COMMENT_MAX_CHARS = 500
APP_VERSION_MAX_CHARS = 40
ENROLMENT_CODE_MAX_CHARS = 64
CATALOGUE_REFUSED_MAX_CHARS = 1000  # the reason a kiosk gives in its heartbeat
REASON_MAX_CHARS = 300  # a rejected rating's reason
MAX_QUEUE_DEPTH = 10**9
MAX_SEQ = 2**63 - 1

# Follow-up dimensions of a rating, in the protocol's order.
DIMENSIONS = ("staff", "waiting_time", "steps", "documents", "facilities", "outcome")
# ... and the survey dimension (Thai public-service satisfaction surveys) of each.
SURVEY_DIMENSION = {
    "staff": "staff",
    "waiting_time": "process",
    "steps": "process",
    "documents": "process",
    "facilities": "facilities",
    "outcome": "outcome",
}
RESULT_STATUSES = ("accepted", "duplicate", "rejected")
COPY_STATUSES = ("copy_required", "no_copy")

# Service and document codes (central: catalogue.models.catalogue_code_validator).
SERVICE_CODE_PATTERN = r"^[A-Z][A-Z0-9_]{1,39}$"
SERVICE_CODE_MAX_CHARS = 40

# What central stores for a rating whose service it does not know at the kiosk's point.
UNKNOWN_SERVICE_REASON = "not offered at this kiosk's service point"

# Catalogue field sizes: central's model max_length (catalogue/directory models).
SERVICE_POINT_NAME_MAX = 200
SERVICE_POINT_ADDRESS_MAX = 500
SERVICE_POINT_HOURS_MAX = 300
SERVICE_POINT_PHONE_MAX = 40
COUNTER_NAME_MAX = 200
SERVICE_NAME_MAX = 300
SERVICE_AGENCY_MAX = 300
SERVICE_FEE_TEXT_MAX = 300
STEP_TITLE_MAX = 300
DOCUMENT_NAME_MAX = 200
SMALL_INT_MAX = 32767  # PositiveSmallIntegerField
INT_MAX = 2**31 - 1  # PositiveIntegerField
