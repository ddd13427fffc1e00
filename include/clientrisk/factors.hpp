// The seven factors: each maps features to a sub-score in [0, 1] (0 for a clean history,
// monotone in its drivers, saturating). Only +, -, *, / and min/max are used, so a row gives
// the same bits whether it is scored alone or in a batch. docs/factors.md gives every formula.
#pragma once

#include <Eigen/Core>
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

}  // namespace detail

// Evaluates the factors of n feature rows, row r starting at x + r * stride, into sub (n rows
// of factor_count, row-major). parts, when not null, receives the parts of each row. One
// row or a million take the same path, element by element, so a row's bits never depend on
// its batch.
inline void evaluate_factor_rows(const double* x, std::size_t n, std::size_t stride, const Model& m, double* sub,
                                 FactorParts* parts = nullptr) {
  // Blocks of at most 64 rows, sized at compile time: no allocation, even for one row.
  constexpr int block = 64;
  using Col = Eigen::Array<double, Eigen::Dynamic, 1, Eigen::ColMajor, block, 1>;
  using Block = Eigen::Array<double, Eigen::Dynamic, feature_count, Eigen::ColMajor, block, feature_count>;
  Block f;
  for (std::size_t r0 = 0; r0 < n; r0 += block) {
    const auto b = static_cast<Eigen::Index>(std::min<std::size_t>(block, n - r0));
    f.resize(b, feature_count);
    for (Eigen::Index r = 0; r < b; ++r)
      for (int k = 0; k < feature_count; ++k) f(r, k) = x[(r0 + static_cast<std::size_t>(r)) * stride + static_cast<std::size_t>(k)];
    auto F = [&](Feature k) { return f.col(static_cast<Eigen::Index>(k)); };
    auto clamp01 = [](const auto& v) { return v.max(0.0).min(1.0); };
    auto ramp = [&](const auto& v, double lo, double hi) { return clamp01((v - lo) / (hi - lo)); };
    auto saturate = [](const auto& v, double half) { return v / (v + half); };
    const Col zero = Col::Zero(b);

    // Parts in order of precedence: on a tie the first names the reason.
    std::array<std::array<Col, max_parts>, factor_count> p;
    for (auto& factor : p)
      for (auto& part : factor) part = zero;
    p[0][0] = (F(Feature::amount_over_90) / m.material_amount_cents).min(1.0);
    p[0][1] = (F(Feature::days_past_due_max) / m.delinquency_full_days).min(1.0) *
              (F(Feature::overdue_amount) / m.material_amount_cents).min(1.0);
    p[0][2] = saturate(F(Feature::write_off_amount), m.write_off_half_cents);
    p[0][3] = clamp01((80.0 - F(Feature::paydex)) / (80 - m.paydex_severe));
    p[0][4] = (F(Feature::open_amount) > 0)
                  .select(m.overdue_share_weight * clamp01(F(Feature::overdue_amount) / F(Feature::open_amount)), zero);

    p[1][0] = saturate(F(Feature::complaint_severity), m.complaint_half_severity);
    p[1][1] = saturate(F(Feature::return_share), m.return_share_half);
    p[1][2] = saturate(F(Feature::dispute_count), m.dispute_count_half);
    p[1][3] = saturate(F(Feature::disputed_share), m.disputed_share_half);

    const Col ratio = (F(Feature::cancellations_early) * m.early_cancellation_weight + F(Feature::cancellations_at_term)) /
                      F(Feature::contracts_held).max(1.0);
    p[2][0] = saturate(ratio, m.cancellation_ratio_half);

    p[3][0] = ramp(F(Feature::revenue_share), m.concentration_share_low, m.concentration_share_high);

    const auto judged = F(Feature::seasonality_months) >= m.seasonality_min_months;
    p[4][0] = judged.select(ramp(F(Feature::seasonality_cv), m.seasonality_cv_low, m.seasonality_cv_high), zero);
    p[4][1] = judged.select(ramp(F(Feature::seasonality_swing), m.seasonality_swing_low, m.seasonality_swing_high), zero);

    // reputation: the rating and negative-share parts, scaled by the credibility of the reviews.
    const Col rw = F(Feature::review_weight);
    const Col credibility = rw / (rw + m.review_credibility);
    p[5][0] = (rw > 0).select(credibility * clamp01((m.rating_good - F(Feature::rating_mean)) / (m.rating_good - m.rating_bad)), zero);
    p[5][1] = (rw > 0).select(credibility * ramp(F(Feature::negative_review_share), m.negative_share_low, m.negative_share_high), zero);

    // legal: every notice in the window is an independent chance of a costly case.
    for (Eigen::Index r = 0; r < b; ++r) {
      p[6][0](r) = 1 - detail::survive(m.lawsuit_severity, F(Feature::lawsuits)(r));
      p[6][1](r) = 1 - detail::survive(m.litigation_severity, F(Feature::litigations)(r));
      p[6][2](r) = 1 - detail::survive(m.formal_notice_severity, F(Feature::formal_notices)(r));
      p[6][3](r) = 1 - detail::survive(m.lawyer_letter_severity, F(Feature::lawyer_letters)(r));
    }

    // Noisy or: 1 - prod(1 - part), multiplied left to right.
    for (int k = 0; k < factor_count; ++k) {
      const auto& q = p[static_cast<std::size_t>(k)];
      const Col keep = (1.0 - q[0]) * (1.0 - q[1]) * (1.0 - q[2]) * (1.0 - q[3]) * (1.0 - q[4]);
      for (Eigen::Index r = 0; r < b; ++r) sub[(r0 + static_cast<std::size_t>(r)) * factor_count + static_cast<std::size_t>(k)] = 1 - keep(r);
    }
    if (parts) {
      for (Eigen::Index r = 0; r < b; ++r)
        for (std::size_t k = 0; k < factor_count; ++k)
          for (std::size_t j = 0; j < max_parts; ++j) parts[r0 + static_cast<std::size_t>(r)].part[k][j] = p[k][j](r);
    }
  }
}

// Evaluates the factors of one feature row. parts, when given, receives every part.
inline void evaluate_factors(const double* f, const Model& m, SubScores& sub, FactorParts* parts = nullptr) {
  evaluate_factor_rows(f, 1, feature_count, m, sub.data(), parts);
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
