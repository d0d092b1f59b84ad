"""Behind nginx (``CP_BEHIND_PROXY=1``), every request comes from 127.0.0.1: the client's
address is in ``X-Real-IP``, which deploy/nginx/central.conf sets to the address nginx
saw (overwriting whatever the client sent). ``RealIpMiddleware`` puts it in
``REMOTE_ADDR`` before anything reads it (the fleet's last IP, the audit log), when it is a
valid IP address and the request really came from the proxy (a loopback or private peer:
``CP_PROXY_ADDRESSES``), so a client that reaches gunicorn directly cannot choose its
address."""

from __future__ import annotations

import ipaddress

from django.conf import settings


class RealIpMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.proxies = [ipaddress.ip_network(n) for n in settings.CP_PROXY_ADDRESSES]

    def __call__(self, request):
        real = request.META.get("HTTP_X_REAL_IP", "").strip()
        if real:
            try:
                peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
                client = ipaddress.ip_address(real)
            except ValueError:
                pass
            else:
                if any(peer in net for net in self.proxies):
                    request.META["REMOTE_ADDR"] = str(client)
        return self.get_response(request)
