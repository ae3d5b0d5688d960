"""List the distributions an interpreter can import, as JSON on stdout.

Run by the build environment's own interpreter (``python -I inventory_script.py``),
so it sees exactly what the backend sees. Standard library only: nothing of pyprov
is installed there.
"""

import hashlib
import importlib.metadata
import json
import sys


def main() -> None:
    """Print ``[{"name", "version", "recordSha256"}, ...]`` for every importable distribution."""
    seen = set()
    found = []
    for distribution in importlib.metadata.distributions():
        name = distribution.metadata["Name"]
        if not name:
            continue
        key = name.lower().replace("_", "-").replace(".", "-")
        if key in seen:  # shadowed by an earlier entry of sys.path
            continue
        seen.add(key)
        record = distribution.read_text("RECORD")
        found.append(
            {
                "name": name,
                "version": distribution.version,
                "recordSha256": hashlib.sha256(record.encode()).hexdigest() if record else None,
            }
        )
    json.dump(found, sys.stdout)


if __name__ == "__main__":
    main()
