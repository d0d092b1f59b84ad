"""The admins' web UI (Django admin, made for non-IT staff) and the citizens' public
service page.

- ``admin_site``: the CounterPoint admin site (mounted at ``/admin/``);
- ``adminkit``: the ONE base class every admin uses: agency scope (``central.scope``),
  role-based permissions, and the audit log of every admin change;
- ``labels``: Thai / English labels of models and fields;
- ``public``: ``/services/<CODE>?sp=sp-000123``, the page the kiosk's QR code opens.
"""
