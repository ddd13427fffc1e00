"""Type stubs of clientrisk._core, the compiled half of the clientrisk package."""

import datetime
import decimal
import os
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt
import pandas as pd

__version__: str
FEATURES: tuple[str, ...]
FACTORS: tuple[str, ...]
BANDS: tuple[str, ...]
ACTIONS: tuple[str, ...]
EVENT_KINDS: tuple[str, ...]
PARAMETERS: tuple[str, ...]

DateLike = Union[str, datetime.date, np.datetime64]
AmountLike = Union[str, decimal.Decimal, int, float]
PathLike = Union[str, os.PathLike[str]]

class Error(Exception): ...
class InvalidInputError(Error, ValueError): ...

class FormatError(InvalidInputError):
    problem: Optional[str]

class IoError(Error, OSError): ...

class Model:
    def __init__(self, *, weights: Optional[Mapping[str, float]] = ..., **parameters: float) -> None: ...
    @staticmethod
    def default() -> Model: ...
    @staticmethod
    def load(path: PathLike) -> Model: ...
    def save(self, path: PathLike, format: str = "xml") -> None: ...
    def validate(self) -> None: ...
    def to_dict(self) -> dict[str, Any]: ...
    @property
    def fingerprint(self) -> str: ...
    weights: dict[str, float]
    band_moderate: float
    band_high: float
    band_critical: float
    payment_half_life_days: float
    paydex_severe: float
    delinquency_full_days: float
    material_amount_cents: float
    credibility_cents: float
    overdue_share_weight: float
    write_off_half_cents: float
    write_off_window_days: float
    dissatisfaction_half_life_days: float
    complaint_half_severity: float
    return_share_half: float
    dispute_count_half: float
    disputed_share_half: float
    cancellation_window_days: float
    early_cancellation_weight: float
    cancellation_ratio_half: float
    concentration_share_low: float
    concentration_share_high: float
    seasonality_min_months: float
    seasonality_cv_low: float
    seasonality_cv_high: float
    seasonality_swing_low: float
    seasonality_swing_high: float
    review_half_life_days: float
    rating_good: float
    rating_bad: float
    negative_share_low: float
    negative_share_high: float
    review_credibility: float
    legal_window_days: float
    lawyer_letter_severity: float
    formal_notice_severity: float
    lawsuit_severity: float
    litigation_severity: float
    calibrated: float
    calibration_intercept: float
    points_base: float
    points_odds: float
    points_pdo: float
    preventive_reminder_days: float
    preventive_paydex_below: float
    reminder_deadline_days: float
    formal_notice_days: float
    insurer_claim_cents: float
    insurer_deadline_days: float
    provision_days: float
    dispute_document_days: float
    dependence_share: float
    credit_months_low: float
    credit_months_moderate: float
    credit_months_high: float
    credit_months_critical: float
    credit_limit_rounding_cents: float
    worklist_urgency_days: float
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Model: ...
    def __deepcopy__(self, memo: Any) -> Model: ...

class Reason:
    @property
    def code(self) -> str: ...
    @property
    def factor(self) -> str: ...
    @property
    def points(self) -> float: ...
    @property
    def text(self) -> str: ...

class Score:
    @property
    def client(self) -> str: ...
    @property
    def as_of(self) -> datetime.date: ...
    @property
    def score(self) -> float: ...
    @property
    def band(self) -> str: ...
    @property
    def sub_scores(self) -> dict[str, float]: ...
    @property
    def contributions(self) -> dict[str, float]: ...
    @property
    def reasons(self) -> list[Reason]: ...
    @property
    def key_figures(self) -> dict[str, Union[int, float]]: ...
    @property
    def features(self) -> npt.NDArray[np.float64]: ...
    @property
    def model_fingerprint(self) -> str: ...

class CsvRejection:
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> str: ...
    @property
    def message(self) -> str: ...

class CsvReport:
    @property
    def rows(self) -> int: ...
    @property
    def accepted(self) -> int: ...
    @property
    def bytes(self) -> int: ...
    @property
    def rejected(self) -> list[CsvRejection]: ...

class FrameRejection:
    @property
    def row(self) -> int: ...
    @property
    def label(self) -> Any: ...
    @property
    def column(self) -> str: ...
    @property
    def message(self) -> str: ...

class FrameReport:
    @property
    def rows(self) -> int: ...
    @property
    def accepted(self) -> int: ...
    @property
    def rejected(self) -> list[FrameRejection]: ...

class Engine:
    threads: int
    language: str
    max_clients: Optional[int]
    max_events_per_client: Optional[int]
    portfolio_revenue_12m: Optional[int]
    def own_revenue_12m(self, as_of: Optional[DateLike] = None) -> int: ...
    @property
    def latest_event_date(self) -> Optional[datetime.date]: ...
    def actions(
        self,
        as_of: Optional[DateLike] = None,
        *,
        open_orders: Optional[Mapping[str, Any]] = None,
        credit_limits: Optional[Mapping[str, Any]] = None,
    ) -> pd.DataFrame: ...
    def worklist(
        self,
        as_of: Optional[DateLike] = None,
        *,
        open_orders: Optional[Mapping[str, Any]] = None,
        credit_limits: Optional[Mapping[str, Any]] = None,
    ) -> pd.DataFrame: ...
    def credit_limits(
        self,
        as_of: Optional[DateLike] = None,
        *,
        open_orders: Optional[Mapping[str, Any]] = None,
        credit_limits: Optional[Mapping[str, Any]] = None,
    ) -> pd.DataFrame: ...
    def alerts(self, since: DateLike, as_of: Optional[DateLike] = None) -> pd.DataFrame: ...
    def provisions(
        self,
        as_of: Optional[DateLike] = None,
        *,
        loss_rates: Optional[Sequence[float]] = None,
        bounds: Optional[Sequence[int]] = None,
        disputed_rate: float = 0.5,
        lawsuit_rate: float = 1.0,
        vat_rate: float = 0.0,
    ) -> pd.DataFrame: ...
    def portfolio(
        self,
        as_of: Optional[DateLike] = None,
        *,
        loss_rates: Optional[Sequence[float]] = None,
        bounds: Optional[Sequence[int]] = None,
        disputed_rate: float = 0.5,
        lawsuit_rate: float = 1.0,
        vat_rate: float = 0.0,
    ) -> dict[str, Any]: ...
    def __init__(
        self,
        model: Optional[Model] = None,
        threads: int = 1,
        *,
        keep_history: bool = False,
        language: str = "en",
        max_clients: Optional[int] = None,
        max_events_per_client: Optional[int] = None,
    ) -> None: ...
    @property
    def keeps_history(self) -> bool: ...
    def post(
        self,
        date: DateLike,
        client: str,
        kind: str,
        ref: Optional[str] = None,
        amount: Optional[AmountLike] = None,
        due: Optional[DateLike] = None,
        detail: Optional[Union[str, int]] = None,
        *,
        amount_cents: Optional[int] = None,
    ) -> None: ...
    def post_frame(self, frame: pd.DataFrame, lenient: bool = False) -> FrameReport: ...
    def import_csv(
        self,
        path: PathLike,
        lenient: bool = False,
        *,
        max_field_bytes: Optional[int] = 4096,
        max_row_bytes: Optional[int] = 65536,
        max_file_bytes: Optional[int] = None,
    ) -> CsvReport: ...
    def score(self, client: str, as_of: Optional[DateLike] = None) -> Score: ...
    def scores(self, as_of: Optional[DateLike] = None) -> pd.DataFrame: ...
    def save_snapshot(self, path: PathLike) -> None: ...
    @staticmethod
    def load_snapshot(path: PathLike) -> Engine: ...
    @property
    def model(self) -> Model: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def clients(self) -> list[str]: ...
    def __len__(self) -> int: ...

def score_features(
    X: Union[npt.ArrayLike, pd.DataFrame], model: Optional[Model] = None, threads: int = 1
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.uint8]]: ...

class LogisticFit:
    @property
    def coef(self) -> npt.NDArray[np.float64]: ...
    @property
    def intercept(self) -> float: ...
    @property
    def std_error(self) -> npt.NDArray[np.float64]: ...
    @property
    def intercept_std_error(self) -> float: ...
    @property
    def log_likelihood(self) -> float: ...
    @property
    def iterations(self) -> int: ...
    @property
    def converged(self) -> bool: ...
    @property
    def columns(self) -> list[str]: ...
    def predict_proba(self, X: Union[npt.ArrayLike, pd.DataFrame]) -> npt.NDArray[np.float64]: ...

def calibrate(
    X: Union[npt.ArrayLike, pd.DataFrame],
    y: npt.ArrayLike,
    *,
    l2: float = 0.0,
    intercept: bool = True,
    non_negative: bool = False,
    max_iterations: int = 100,
    tolerance: float = 1e-10,
    threads: int = 1,
) -> LogisticFit: ...
def auc(scores: npt.ArrayLike, y: npt.ArrayLike) -> float: ...
def gini(scores: npt.ArrayLike, y: npt.ArrayLike) -> float: ...
def ks(scores: npt.ArrayLike, y: npt.ArrayLike) -> float: ...
def brier(p: npt.ArrayLike, y: npt.ArrayLike) -> float: ...
def log_loss(p: npt.ArrayLike, y: npt.ArrayLike) -> float: ...
def roll_rates(events: pd.DataFrame, months: int = 12, model: Optional[Model] = None) -> pd.DataFrame: ...
def loss_rates(
    events: pd.DataFrame, bounds: Optional[Sequence[int]] = None, months: int = 12, model: Optional[Model] = None
) -> npt.NDArray[np.float64]: ...
def psi(expected: npt.ArrayLike, actual: npt.ArrayLike, bins: int = 10) -> float: ...
def calibration_table(p: npt.ArrayLike, y: npt.ArrayLike, groups: int = 10) -> pd.DataFrame: ...
def backtest(
    events: Union[pd.DataFrame, Engine],
    dates: Union[DateLike, Sequence[DateLike]],
    horizon: int = 180,
    model: Optional[Model] = None,
    *,
    days_past_due: int = 60,
    write_off: bool = True,
    lawsuit: bool = True,
    litigation: bool = True,
) -> pd.DataFrame: ...
def calibrated_model(
    backtest: pd.DataFrame,
    model: Optional[Model] = None,
    l2: float = 0.0,
    points: Optional[tuple[float, float, float]] = None,
) -> tuple[Model, LogisticFit]: ...
def scorecard_model(model: Model, base: float, odds: float, pdo: float) -> Model: ...
