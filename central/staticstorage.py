"""Static files storage for production: WhiteNoise's compressed, content-hashed manifest
storage, except that source-map comments (``//# sourceMappingURL=...``) are left alone.
Vendored browser libraries often ship them without the ``.map`` file, and Django's
manifest storage would then refuse to collect static files at all ("MissingFileError")."""

from __future__ import annotations

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    out = []
    for glob, rules in patterns:
        kept = tuple(
            r for r in rules if "sourceMappingURL" not in (r if isinstance(r, str) else r[0])
        )
        out.append((glob, kept))
    return tuple(out)


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(ManifestStaticFilesStorage.patterns)
