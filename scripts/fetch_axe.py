"""Fetch axe-core, the accessibility checker the browser tests inject into every page, from the
npm registry: one pinned version, checked against the registry's SHA-512 integrity before use.

Prints the path of axe.min.js. Does nothing when that file is already there and intact.
Usage: python scripts/fetch_axe.py [--dest DIR]   (default: .cache/axe-core)
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
# `npm view axe-core@4.14.1 dist.integrity`
INTEGRITY = "sha512-" + (
    "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
MEMBERS = ("package/axe.min.js", "package/LICENSE")


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def fetch(dest: Path) -> Path:
    target = dest / VERSION / "axe.min.js"
    stamp = target.with_name("tarball.integrity")
    if target.exists() and stamp.exists() and stamp.read_text() == INTEGRITY:
        return target
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        data = response.read()
    if (found := _integrity(data)) != INTEGRITY:
        sys.exit(f"axe-core {VERSION}: the download's integrity is {found}, not {INTEGRITY}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for name in MEMBERS:
            member = tar.extractfile(name)
            if member is None:
                sys.exit(f"axe-core {VERSION}: the package has no {name}")
            target.with_name(Path(name).name).write_bytes(member.read())
    stamp.write_text(INTEGRITY)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=Path(".cache/axe-core"))
    print(fetch(parser.parse_args().dest))


if __name__ == "__main__":
    main()
