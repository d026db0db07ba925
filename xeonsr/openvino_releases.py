"""Which OpenVINO releases xeonsr runs on, and the one place that bridges their differences.

Deployed services pin OpenVINO, often to an LTS release, so the slim install (no torch, the
shipped IRs) reaches back to :data:`OLDEST`: tests/test_wheel.py installs it with every other
deployment requirement at its floor and checks the IRs there against the newest release;
scripts/openvino_versions.py measures every IR on a list of releases (docs/deployment.md).
Nothing here imports xeonsr's modules but its errors.
"""

from __future__ import annotations

# requirements-deploy.txt states the same floor (a test holds them equal); 2023.3 is an LTS release.
OLDEST = (2023, 3)


def check_version(version: str) -> None:
    """Refuse an OpenVINO older than :data:`OLDEST` in one line (``version``: its
    ``__version__``, "2024.6.0-17404-4c0f47d2335-releases/2024/6")."""
    from xeonsr.errors import UserError

    parts = version.split("-")[0].split(".")
    try:
        found = (int(parts[0]), int(parts[1]))
    except (ValueError, IndexError):
        return  # a build of its own naming: let it try
    if found < OLDEST:
        oldest = ".".join(map(str, OLDEST))
        raise UserError(
            f"OpenVINO {version.split('-')[0]} is older than {oldest}, the oldest the shipped IRs are tested on: "
            f"pip install -U 'openvino>={oldest}'"
        )


def opset(version: int = 13):
    """OpenVINO's ``opsetN`` module: ``openvino.opsetN`` since 2025.0, ``openvino.runtime.opsetN``
    in the 2023.3 (LTS) and 2024 releases that deployed services still run (requirements-deploy.txt)."""
    import importlib

    try:
        return importlib.import_module(f"openvino.opset{version}")
    except ModuleNotFoundError:
        return importlib.import_module(f"openvino.runtime.opset{version}")
