"""The scoring formulas of docs/factors.md written as vectorised numpy: what an analyst would write
to score a feature matrix without clientrisk. Validates like clientrisk (finite, in range) first.
"""
import numpy as np

import clientrisk as cr

F = {name: i for i, name in enumerate(cr.FEATURES)}


def score_features(x, model=None):
    m = model or cr.Model()
    x = np.asarray(x, dtype=np.float64)
    if not np.isfinite(x).all() or (x < 0).any():
        raise ValueError("features must be finite and non-negative")
    col = lambda name: x[:, F[name]]  # noqa: E731
    clamp01 = lambda v: np.minimum(1.0, np.maximum(0.0, v))  # noqa: E731
    saturate = lambda v, half: v / (v + half)  # noqa: E731

    np0 = np.minimum(1.0, col("amount_over_90") / m.material_amount_cents)
    np1 = np.minimum(1.0, col("days_past_due_max") / m.delinquency_full_days) * np.minimum(
        1.0, col("overdue_amount") / m.material_amount_cents)
    np2 = saturate(col("write_off_amount"), m.write_off_half_cents)
    np3 = clamp01((80 - col("paydex")) / (80 - m.paydex_severe))
    open_amount = col("open_amount")
    np4 = np.where(open_amount > 0, m.overdue_share_weight *
                   clamp01(col("overdue_amount") / np.where(open_amount > 0, open_amount, 1)), 0.0)
    ds = [saturate(col("complaint_severity"), m.complaint_half_severity),
          saturate(col("return_share"), m.return_share_half),
          saturate(col("dispute_count"), m.dispute_count_half),
          saturate(col("disputed_share"), m.disputed_share_half)]
    ratio = (col("cancellations_early") * m.early_cancellation_weight + col("cancellations_at_term")) / np.maximum(
        1.0, col("contracts_held"))
    cn = saturate(ratio, m.cancellation_ratio_half)
    cc = clamp01((col("revenue_share") - m.concentration_share_low) /
                 (m.concentration_share_high - m.concentration_share_low))
    judged = col("seasonality_months") >= m.seasonality_min_months
    se0 = np.where(judged, clamp01((col("seasonality_cv") - m.seasonality_cv_low) /
                                   (m.seasonality_cv_high - m.seasonality_cv_low)), 0.0)
    se1 = np.where(judged, clamp01((col("seasonality_swing") - m.seasonality_swing_low) /
                                   (m.seasonality_swing_high - m.seasonality_swing_low)), 0.0)
    rw = col("review_weight")
    credibility = rw / (rw + m.review_credibility)
    rp0 = np.where(rw > 0, credibility * clamp01((m.rating_good - col("rating_mean")) / (m.rating_good - m.rating_bad)), 0)
    rp1 = np.where(rw > 0, credibility * clamp01((col("negative_review_share") - m.negative_share_low) /
                                                 (m.negative_share_high - m.negative_share_low)), 0)
    lg = [1 - (1 - m.lawsuit_severity) ** col("lawsuits"), 1 - (1 - m.litigation_severity) ** col("litigations"),
          1 - (1 - m.formal_notice_severity) ** col("formal_notices"),
          1 - (1 - m.lawyer_letter_severity) ** col("lawyer_letters")]

    def noisy_or(parts):
        keep = np.ones(len(x))
        for p in parts:
            keep = keep * (1 - p)
        return 1 - keep

    sub = np.column_stack([noisy_or([np0, np1, np2, np3, np4]), noisy_or(ds), cn, cc, noisy_or([se0, se1]),
                           noisy_or([rp0, rp1]), noisy_or(lg)])
    w = np.array([m.weights[f] for f in cr.FACTORS])
    scores = np.clip(sub @ (w / w.sum() * 100), 0, 100)
    bands = np.searchsorted([m.band_moderate, m.band_high, m.band_critical], scores, side="right").astype(np.uint8)
    return scores, bands
