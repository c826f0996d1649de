from whitenoise.storage import CompressedManifestStaticFilesStorage


def without_source_maps(patterns):
    return tuple(
        (glob, tuple(pattern for pattern in rules if "sourceMappingURL" not in str(pattern)))
        for glob, rules in patterns
    )


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; source map comments are left as they are.

    Packaged libraries such as Leaflet (xstatic-leaflet) reference .map files they do not ship, which would make
    `collectstatic` fail. Browsers only fetch source maps when developer tools are open.
    """

    patterns = without_source_maps(CompressedManifestStaticFilesStorage.patterns)
