"""The C ABI from Python's ctypes: libclientrisk.so scores the bundled ledger exactly as the
command line does. Standard library only.

usage: ctypes_test.py LIBCLIENTRISK_SO CLIENTRISK_CLI LEDGER_CSV
"""
import ctypes
import json
import subprocess
import sys

CR_NO_DATE = -(2**31)
FACTORS = 7


class CsvReport(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("rows", ctypes.c_uint64), ("accepted", ctypes.c_uint64),
                ("rejected", ctypes.c_uint64)]


def main(lib_path, cli, ledger):
    lib = ctypes.CDLL(lib_path)
    lib.cr_version.restype = ctypes.c_char_p
    lib.cr_last_error.restype = ctypes.c_char_p
    lib.cr_engine_new.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.cr_engine_import_csv.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(CsvReport)]
    lib.cr_engine_client_count.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]
    lib.cr_engine_score_all.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_size_t,
                                        ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_uint32),
                                        ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_uint8),
                                        ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_double)]
    lib.cr_engine_client_id.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.POINTER(ctypes.c_char_p)]
    lib.cr_engine_free.argtypes = [ctypes.c_void_p]

    def check(status):
        if status != 0:
            sys.exit(f"status {status}: {lib.cr_last_error().decode()}")

    engine = ctypes.c_void_p()
    check(lib.cr_engine_new(None, ctypes.byref(engine)))
    report = CsvReport(ctypes.sizeof(CsvReport), 0, 0, 0)
    check(lib.cr_engine_import_csv(engine, ledger.encode(), 0, ctypes.byref(report)))
    count = ctypes.c_size_t()
    check(lib.cr_engine_client_count(engine, ctypes.byref(count)))
    n = count.value
    clients = (ctypes.c_uint32 * n)()
    scores = (ctypes.c_double * n)()
    bands = (ctypes.c_uint8 * n)()
    subs = (ctypes.c_double * (n * FACTORS))()
    contributions = (ctypes.c_double * (n * FACTORS))()
    rows = ctypes.c_size_t()
    check(lib.cr_engine_score_all(engine, CR_NO_DATE, n, ctypes.byref(rows), clients, scores, bands, subs,
                                  contributions))
    ours = {}
    for r in range(rows.value):
        cid = ctypes.c_char_p()
        check(lib.cr_engine_client_id(engine, clients[r], ctypes.byref(cid)))
        ours[cid.value.decode()] = (scores[r], bands[r], [subs[r * FACTORS + k] for k in range(FACTORS)],
                                    [contributions[r * FACTORS + k] for k in range(FACTORS)])
    lib.cr_engine_free(engine)

    out = subprocess.run([cli, "score", "--events", ledger, "--format", "json"], check=True, capture_output=True,
                         text=True).stdout
    theirs = json.loads(out)["clients"]
    bands_by_name = {"low": 0, "moderate": 1, "high": 2, "critical": 3}
    assert len(theirs) == len(ours), (len(theirs), len(ours))
    for c in theirs:
        score, band, sub, contribution = ours[c["client"]]
        # The JSON holds 17 significant digits: the same doubles, bit for bit.
        assert score == c["score"], (c["client"], score, c["score"])
        assert band == bands_by_name[c["band"]], c["client"]
        assert sub == list(c["sub_scores"].values()), c["client"]
        assert contribution == list(c["contributions"].values()), c["client"]
    print(f"{lib.cr_version().decode()}: {len(ours)} clients, same scores as the command line")


if __name__ == "__main__":
    main(*sys.argv[1:])
