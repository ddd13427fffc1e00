"""Out of memory inside the library is a MemoryError in Python, and the engine stays usable."""
import os
import subprocess
import sys
import textwrap

import pytest


@pytest.mark.skipif("asan" in os.environ.get("LD_PRELOAD", ""),
                    reason="AddressSanitizer aborts when its own mappings hit the address-space cap")
def test_running_out_of_memory_raises_memory_error(tmp_path):
    ledger = tmp_path / "ledger.csv"
    subprocess.run([os.environ["CLIENTRISK_CLI"], "generate", "--clients", "20000", "--months", "12",
                    "--output", str(ledger)], check=True)
    # In a child whose address space is capped a little above what it uses once imported, so
    # that reading the ledger (tens of MB) cannot fit.
    child = textwrap.dedent(f"""
        import resource
        import clientrisk
        engine = clientrisk.Engine()
        with open("/proc/self/status") as f:
            vm = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (vm + (8 << 20), resource.RLIM_INFINITY))
        try:
            engine.import_csv({str(ledger)!r})
        except MemoryError:
            resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            assert len(engine) == 0, "a failed import left clients behind"
            engine.import_csv({str(ledger)!r})
            fresh = clientrisk.Engine()
            fresh.import_csv({str(ledger)!r})
            assert len(engine) == len(fresh) > 0
            print("MemoryError")
        else:
            print("imported")
    """)
    run = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "MemoryError"
