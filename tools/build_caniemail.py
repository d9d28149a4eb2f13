"""Build ``mailtemplates/lint/data/caniemail.json`` from the caniemail npm package, pinned.

    python tools/build_caniemail.py            # npm pack caniemail@2.0.2, verify, compile, write
    python tools/build_caniemail.py --tarball caniemail-2.0.2.tgz   # from a tarball you have

The package (MIT, https://www.caniemail.com) ships ``data/caniemail.json``: HTML and CSS features
by email client, platform and client version. We keep the facts only: each feature's slug, title,
category, page URL, and its support per client family, platform and tested version reduced to
``y`` (supported), ``a`` (partial), ``n`` (not supported) or ``u`` (unknown), in caniemail's own
order (oldest tested version first), written ``"2019=n 2021-03=a"`` per platform. Descriptions, notes, keywords and test links are left out.
The MIT notice goes next to the data (``LICENSE.caniemail``). The tarball is checked against the
sha512 integrity the registry published for this exact version before anything is read from it.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "caniemail"
VERSION = "2.0.2"
#: ``npm view caniemail@2.0.2 dist.integrity``
INTEGRITY = "sha512-lvhn4RrF2Ae3PQA3HMOVGxFPqPAxfv8HWp+xUSqJPumbzFUzQGVgFG0nl8s0sjSoBd2PgmAqB5xRF0wcPbrVcA=="
#: What 2.0.2's data file holds; a different count means a different file.
FEATURES = 307

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "mailtemplates" / "lint" / "data"
SUPPORT = {"y", "a", "n", "u"}


def fetch(dest: Path) -> Path:
    """``npm pack`` the pinned version into ``dest`` (the registry npm is configured for)."""
    subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(dest), "--silent"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return dest / f"{PACKAGE}-{VERSION}.tgz"


def verify(tarball: Path) -> None:
    algo, _, want = INTEGRITY.partition("-")
    got = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
    if got != want:
        raise SystemExit(f"{tarball}: {algo} is {got}, want {want} ({PACKAGE}@{VERSION}): not the pinned package")


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    f = tar.extractfile(f"package/{name}")
    if f is None:
        raise SystemExit(f"{name} is not a file in the package")
    return f.read()


def compile_data(raw: dict[str, Any]) -> dict[str, Any]:
    """The facts of caniemail.json, compact: no descriptions, notes, keywords or test links."""
    features: dict[str, Any] = {}
    for item in raw["data"]:
        support: dict[str, dict[str, str]] = {}
        for family, platforms in item["stats"].items():
            for platform, versions in platforms.items():
                cells = []
                for version, value in versions.items():
                    flag = value.split()[0]  # "a #1 #2": the note numbers refer to dropped notes
                    if flag not in SUPPORT or "=" in version or " " in version:
                        raise SystemExit(f"{item['slug']}: cannot encode {version!r}: {value!r}")
                    cells.append(f"{version}={flag}")
                # "2019=n 2021-03=a": tested versions in caniemail's order, oldest first.
                support.setdefault(family, {})[platform] = " ".join(cells)
        features[item["slug"]] = {
            "title": item["title"],
            "category": item["category"],
            "url": item["url"],
            "support": support,
        }
    if len(features) != FEATURES:
        raise SystemExit(f"{len(features)} features, want {FEATURES}")
    names = raw["nicenames"]
    return {
        "source": {
            "package": f"{PACKAGE}@{VERSION}",
            "integrity": INTEGRITY,
            "last_update_date": raw["last_update_date"],
            "license": "MIT (LICENSE.caniemail)",
        },
        "clients": names["family"],
        "platforms": names["platform"],
        "features": features,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tarball", type=Path, help="use this caniemail tarball instead of npm pack")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or fetch(Path(tmp))
        verify(tarball)
        with tarfile.open(tarball, "r:gz") as tar:
            raw = json.loads(_member(tar, "data/caniemail.json"))
            licence = _member(tar, "LICENSE").decode("utf-8")
    data = compile_data(raw)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "caniemail.json").write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n", encoding="utf-8"
    )
    (OUT / "LICENSE.caniemail").write_text(
        f"The data in caniemail.json is compiled from the npm package {PACKAGE}@{VERSION}\n"
        f"(data/caniemail.json, https://www.caniemail.com), distributed under this licence:\n\n{licence}",
        encoding="utf-8",
    )
    print(f"wrote {OUT.relative_to(REPO)}/caniemail.json ({len(data['features'])} features) and LICENSE.caniemail")
    return 0


if __name__ == "__main__":
    sys.exit(main())
