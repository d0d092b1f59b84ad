"""CounterPoint kiosk: the touchscreen app on a service-point counter.

``kiosk.storage`` holds the local SQLite data (catalogue cache, ratings outbox, settings),
``kiosk.sync`` talks to central, ``kiosk.ui`` draws the screens.
"""

APP_VERSION = "0.1.0"
