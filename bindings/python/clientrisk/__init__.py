"""clientrisk: explained client risk scores from a receivables ledger.

The Python face of the clientrisk C++ library. Post the events of a ledger (invoices, payments,
disputes, complaints, contracts, legal notices, reviews) into an :class:`Engine`, then read each
client's score, band, factor sub-scores, contributions, reasons and key figures, one client at a
time or as a pandas DataFrame. :func:`score_features` scores a feature matrix directly;
:func:`calibrate` fits a logistic regression of outcomes, and :func:`auc`, :func:`ks`, :func:`psi`
and the other metrics measure how well scores rank and predict.

Every score equals, bit for bit, what the C++ library, the C ABI and the command line give.
docs/python.md walks through an analysis; docs/factors.md explains every formula.
"""

from ._core import (
    ACTIONS,
    BANDS,
    EVENT_KINDS,
    FACTORS,
    FEATURES,
    PARAMETERS,
    CsvRejection,
    CsvReport,
    Engine,
    Error,
    FormatError,
    FrameRejection,
    FrameReport,
    InvalidInputError,
    IoError,
    Model,
    Reason,
    LogisticFit,
    Score,
    __version__,
    auc,
    backtest,
    brier,
    calibrate,
    calibrated_model,
    scorecard_model,
    calibration_table,
    gini,
    ks,
    log_loss,
    loss_rates,
    psi,
    roll_rates,
    score_features,
)

__all__ = [
    "ACTIONS",
    "BANDS",
    "EVENT_KINDS",
    "FACTORS",
    "FEATURES",
    "PARAMETERS",
    "CsvRejection",
    "CsvReport",
    "Engine",
    "Error",
    "FormatError",
    "FrameRejection",
    "FrameReport",
    "InvalidInputError",
    "IoError",
    "Model",
    "Reason",
    "LogisticFit",
    "Score",
    "__version__",
    "auc",
    "backtest",
    "brier",
    "calibrate",
    "calibrated_model",
    "scorecard_model",
    "calibration_table",
    "gini",
    "ks",
    "log_loss",
    "loss_rates",
    "psi",
    "roll_rates",
    "score_features",
]

# The classes of _core present themselves as clientrisk's own.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = __name__
del _name, _obj
