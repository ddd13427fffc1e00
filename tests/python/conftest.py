"""Fixtures of the Python tests: where the bundled ledger and the command line are.

ctest sets CLIENTRISK_SOURCE_DIR and CLIENTRISK_CLI; run by hand, the defaults are the release build's.
"""
import json
import os
import pathlib
import subprocess

import pytest

SOURCE = pathlib.Path(os.environ.get("CLIENTRISK_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
CLI = os.environ.get("CLIENTRISK_CLI", str(SOURCE / "build" / "release" / "clientrisk"))
LEDGER = SOURCE / "examples" / "ledger.csv"


@pytest.fixture(scope="session")
def ledger():
    return LEDGER


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE


@pytest.fixture(scope="session")
def cli_json():
    """The command line's JSON scores of the bundled ledger."""
    out = subprocess.run([CLI, "score", "--events", str(LEDGER), "--format", "json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)
