"""The kiosk's touch screens (Qt Widgets). Knows nothing of HTTP: it talks to
``kiosk.storage`` for data and to a ``kiosk.sync.SyncService`` for sync state."""
