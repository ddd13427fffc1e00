// The seven factors: each maps features to a sub-score in [0, 1] (0 for a clean history,
// monotone in its drivers, saturating). Only +, -, *, / and min/max are used, so a row gives
// the same bits whether it is scored alone or in a batch. docs/factors.md gives every formula.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "clientrisk/error.hpp"
#include "clientrisk/features.hpp"
#include "clientrisk/model.hpp"

namespace clientrisk {
inline namespace v1 {

using SubScores = std::array<double, factor_count>;

// The parts of each factor, combined by "noisy or": 1 - prod(1 - part). The largest part names
// the reason code of the factor.
inline constexpr int max_parts = 5;
struct FactorParts {
  std::array<std::array<double, max_parts>, factor_count> part{};
};

namespace detail {

inline double clamp01(double x) { return std::min(1.0, std::max(0.0, x)); }
// 0 at or below lo, 1 at or above hi, linear between.
inline double ramp(double x, double lo, double hi) { return clamp01((x - lo) / (hi - lo)); }
// x / (x + half): 0 at 0, 1/2 at half, tends to 1.
inline double saturate(double x, double half) { return x / (x + half); }
// (1 - s)^n for a whole n in [0, 2^20), by squaring: multiplications only.
inline double survive(double s, double n) {
  double base = 1 - s, out = 1;
  auto k = static_cast<std::uint32_t>(n);
  while (k) {
    if (k & 1u) out *= base;
    base *= base;
    k >>= 1;
  }
  return out;
}
inline double noisy_or(const std::array<double, max_parts>& p) {
  double keep = 1;
  for (double x : p) keep *= 1 - x;
  return 1 - keep;
}

}  // namespace detail

// Evaluates the factors of one feature row. parts, when given, receives every part.
inline void evaluate_factors(const double* f, const Model& m, SubScores& sub, FactorParts* parts = nullptr) {
  using namespace detail;
  FactorParts local;
  FactorParts& p = parts ? *parts : local;
  auto F = [&](Feature x) { return f[static_cast<std::size_t>(x)]; };

  // non_payment
  // Parts in order of precedence: on a tie the first names the reason.
  auto& np = p.part[0];
  np[0] = std::min(1.0, F(Feature::amount_over_90) / m.material_amount_cents);
  np[1] = std::min(1.0, F(Feature::days_past_due_max) / m.delinquency_full_days) *
          std::min(1.0, F(Feature::overdue_amount) / m.material_amount_cents);
  np[2] = saturate(F(Feature::write_off_amount), m.write_off_half_cents);
  np[3] = clamp01((80 - F(Feature::paydex)) / (80 - m.paydex_severe));
  np[4] = F(Feature::open_amount) > 0
              ? m.overdue_share_weight * clamp01(F(Feature::overdue_amount) / F(Feature::open_amount))
              : 0;

  // dissatisfaction
  auto& ds = p.part[1];
  ds[0] = saturate(F(Feature::complaint_severity), m.complaint_half_severity);
  ds[1] = saturate(F(Feature::return_share), m.return_share_half);
  ds[2] = saturate(F(Feature::dispute_count), m.dispute_count_half);
  ds[3] = saturate(F(Feature::disputed_share), m.disputed_share_half);

  // cancellation
  const double cancelled = F(Feature::cancellations_early) * m.early_cancellation_weight +
                           F(Feature::cancellations_at_term);
  const double ratio = cancelled / std::max(1.0, F(Feature::contracts_held));
  p.part[2][0] = saturate(ratio, m.cancellation_ratio_half);

  // concentration
  p.part[3][0] = ramp(F(Feature::revenue_share), m.concentration_share_low, m.concentration_share_high);

  // seasonality
  if (F(Feature::seasonality_months) >= m.seasonality_min_months) {
    p.part[4][0] = ramp(F(Feature::seasonality_cv), m.seasonality_cv_low, m.seasonality_cv_high);
    p.part[4][1] = ramp(F(Feature::seasonality_swing), m.seasonality_swing_low, m.seasonality_swing_high);
  }

  // reputation: the rating and negative-share parts, scaled by the credibility of the reviews.
  const double rw = F(Feature::review_weight);
  if (rw > 0) {
    const double credibility = rw / (rw + m.review_credibility);
    p.part[5][0] = credibility * clamp01((m.rating_good - F(Feature::rating_mean)) / (m.rating_good - m.rating_bad));
    p.part[5][1] = credibility * ramp(F(Feature::negative_review_share), m.negative_share_low, m.negative_share_high);
  }

  // legal: every notice in the window is an independent chance of a costly case.
  auto& lg = p.part[6];
  lg[0] = 1 - survive(m.lawsuit_severity, F(Feature::lawsuits));
  lg[1] = 1 - survive(m.litigation_severity, F(Feature::litigations));
  lg[2] = 1 - survive(m.formal_notice_severity, F(Feature::formal_notices));
  lg[3] = 1 - survive(m.lawyer_letter_severity, F(Feature::lawyer_letters));

  for (int k = 0; k < factor_count; ++k) sub[static_cast<std::size_t>(k)] = noisy_or(p.part[static_cast<std::size_t>(k)]);
}

// Checks a caller's feature row: every value finite and non-negative, shares within [0, 1],
// counts whole. Returns the name of the first bad feature and why, or an empty string.
inline std::string feature_problem(const double* f) {
  for (int k = 0; k < feature_count; ++k) {
    const double v = f[k];
    const auto feature = static_cast<Feature>(k);
    auto name = [&] { return std::string(to_string(feature)); };
    if (!(v >= 0) || v > 1e300) return name() + " must be a finite number >= 0, got " + detail::number(v);
    switch (feature) {
      case Feature::return_share:
      case Feature::disputed_share:
      case Feature::revenue_share:
      case Feature::seasonality_swing:
      case Feature::negative_review_share:
        if (v > 1) return name() + " must be at most 1, got " + detail::number(v);
        break;
      case Feature::paydex:
        if (v > 100) return name() + " must be at most 100, got " + detail::number(v);
        break;
      case Feature::rating_mean:
        if (v > 5) return name() + " must be at most 5, got " + detail::number(v);
        break;
      case Feature::cancellations_early:
      case Feature::cancellations_at_term:
      case Feature::contracts_held:
      case Feature::seasonality_months:
      case Feature::lawyer_letters:
      case Feature::formal_notices:
      case Feature::lawsuits:
      case Feature::litigations:
        if (v != static_cast<double>(static_cast<std::uint32_t>(std::min(v, 1e6))) || v >= 1e6)
          return name() + " must be a whole number below 1000000, got " + detail::number(v);
        break;
      default:
        break;
    }
  }
  return {};
}

}  // namespace v1
}  // namespace clientrisk
