// The scoring model: factor weights, every factor parameter, band thresholds, half-lives and
// windows, in one regular value type with a built-in default and validation that names the field.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "clientrisk/error.hpp"

namespace clientrisk {
inline namespace v1 {

// The risk categories, one factor each. Values are stable: they index arrays across the C ABI.
enum class Factor : std::uint8_t {
  non_payment = 0,
  dissatisfaction = 1,
  cancellation = 2,
  concentration = 3,
  seasonality = 4,
  reputation = 5,
  legal = 6,
};
inline constexpr int factor_count = 7;
inline constexpr std::array<std::string_view, factor_count> factor_names = {
    "non_payment", "dissatisfaction", "cancellation", "concentration", "seasonality", "reputation", "legal"};
constexpr std::string_view to_string(Factor f) { return factor_names[static_cast<std::size_t>(f)]; }

enum class Band : std::uint8_t { low = 0, moderate = 1, high = 2, critical = 3 };
inline constexpr std::array<std::string_view, 4> band_names = {"low", "moderate", "high", "critical"};
constexpr std::string_view to_string(Band b) { return band_names[static_cast<std::size_t>(b)]; }

// Every number of the model. docs/factors.md explains each formula and why its default.
struct Model {
  // Relative weights; scoring divides by their sum, so only ratios matter.
  std::array<double, factor_count> weights = {0.35, 0.15, 0.08, 0.06, 0.04, 0.07, 0.25};
  // Lower bounds of the moderate, high and critical bands, in score points.
  double band_moderate = 25, band_high = 50, band_critical = 75;

  // non_payment
  double payment_half_life_days = 180;   // weight of a payment experience halves every ... days
  double paydex_severe = 30;             // PAYDEX at which the payment-history part saturates (90 days late)
  double delinquency_full_days = 90;     // days past due at which the delinquency part saturates
  double material_amount_cents = 50000;  // overdue amounts below this count in proportion (500.00)
  double credibility_cents = 10000;      // prior weight of PAYDEX and of the shares of invoiced amounts (100.00)
  double overdue_share_weight = 0.5;     // part given when all open receivables are overdue
  double write_off_half_cents = 25000;   // written-off amount giving half of the write-off part (250.00)
  double write_off_window_days = 365;

  // dissatisfaction
  double dissatisfaction_half_life_days = 180;
  double complaint_half_severity = 5;    // decayed severity points giving half of the complaint part
  double return_share_half = 0.05;       // returned / invoiced giving half of the return part
  double dispute_count_half = 1.5;       // decayed disputes giving half of the dispute part
  double disputed_share_half = 0.10;     // disputed / invoiced giving half of the disputed-share part

  // cancellation
  double cancellation_window_days = 730;
  double early_cancellation_weight = 2;  // an early cancellation counts this many times
  double cancellation_ratio_half = 0.5;  // weighted cancellations per contract held giving half

  // concentration
  double concentration_share_low = 0.05;   // revenue share where dependence starts to count
  double concentration_share_high = 0.35;  // revenue share where it saturates

  // seasonality
  double seasonality_min_months = 6;  // completed months of history needed to judge
  double seasonality_cv_low = 0.4, seasonality_cv_high = 1.6;
  double seasonality_swing_low = 0.6, seasonality_swing_high = 1.0;

  // reputation
  double review_half_life_days = 365;
  double rating_good = 4.0, rating_bad = 1.5;
  double negative_share_low = 0.1, negative_share_high = 0.6;
  double review_credibility = 1;  // decayed reviews giving half credibility

  // legal
  double legal_window_days = 730;
  double lawyer_letter_severity = 0.5, formal_notice_severity = 0.6, lawsuit_severity = 1.0,
         litigation_severity = 1.0;

  // Calibration (docs/calibration.md). 0: the score is the weighted sum of the sub-scores in
  // points. 1 and 2: the weights are the coefficients of a logistic regression of going bad on
  // the sub-scores, eta = calibration_intercept + sum of weight x sub-score is the log-odds of
  // going bad, and the score is, for 1, the probability of going bad in percent,
  // 100 / (1 + exp(-eta)); for 2, scorecard points that grow with the risk, points_base at odds
  // of going bad of points_odds and points_pdo more each time those odds double:
  // points_base + points_pdo * log2(exp(eta) / points_odds).
  double calibrated = 0;
  double calibration_intercept = 0;
  double points_base = 50;
  double points_odds = 1.0 / 9;  // odds of going bad at points_base (1 to 9: a 10 % probability)
  double points_pdo = 10;

  // The actions policy (docs/actions.md): when each rule fires, its deadline, and the credit
  // limits. It decides actions, not scores, so the fingerprint does not cover it.
  double preventive_reminder_days = 7;    // an invoice due within this many days ...
  double preventive_paydex_below = 80;    // ... of a client whose PAYDEX is below this (has paid late)
  double reminder_deadline_days = 7;      // a payment reminder is due within this many days
  double formal_notice_days = 30;         // overdue more than this many days: a formal notice
  double insurer_claim_cents = 1000000;   // disputed amount from which to declare to the insurer (10 000.00)
  double insurer_deadline_days = 15;      // a declaration to the insurer is due within this many days
  double provision_days = 90;             // overdue more than this many days: provision
  double dispute_document_days = 30;      // a dispute open more than this many days: document it
  double dependence_share = 0.20;         // a client above this share of 12-month revenue: review the dependence
  double credit_months_low = 3, credit_months_moderate = 2, credit_months_high = 1, credit_months_critical = 0;
  double credit_limit_rounding_cents = 10000;  // recommended limits round down to a multiple of this (100.00)
  double worklist_urgency_days = 30;      // days past due at which a worklist's urgency is one half

  friend bool operator==(const Model&, const Model&) = default;
};

// A named parameter: how it is read and set by name, and its allowed range.
struct ModelParameter {
  std::string_view name;
  double Model::*field;
  double min, max;
};

inline constexpr double kUnbounded = 1e300;
inline constexpr std::array<ModelParameter, 37> model_parameters = {{
    {"band_moderate", &Model::band_moderate, 0, 100},
    {"band_high", &Model::band_high, 0, 100},
    {"band_critical", &Model::band_critical, 0, 100},
    {"payment_half_life_days", &Model::payment_half_life_days, 7, 36500},
    {"paydex_severe", &Model::paydex_severe, 1, 79},
    {"delinquency_full_days", &Model::delinquency_full_days, 1, 3650},
    {"material_amount_cents", &Model::material_amount_cents, 1, kUnbounded},
    {"credibility_cents", &Model::credibility_cents, 1, kUnbounded},
    {"overdue_share_weight", &Model::overdue_share_weight, 0, 1},
    {"write_off_half_cents", &Model::write_off_half_cents, 1, kUnbounded},
    {"write_off_window_days", &Model::write_off_window_days, 1, 3650},
    {"dissatisfaction_half_life_days", &Model::dissatisfaction_half_life_days, 7, 36500},
    {"complaint_half_severity", &Model::complaint_half_severity, 1e-9, kUnbounded},
    {"return_share_half", &Model::return_share_half, 1e-9, kUnbounded},
    {"dispute_count_half", &Model::dispute_count_half, 1e-9, kUnbounded},
    {"disputed_share_half", &Model::disputed_share_half, 1e-9, kUnbounded},
    {"cancellation_window_days", &Model::cancellation_window_days, 1, 3650},
    {"early_cancellation_weight", &Model::early_cancellation_weight, 0, 100},
    {"cancellation_ratio_half", &Model::cancellation_ratio_half, 1e-9, kUnbounded},
    {"concentration_share_low", &Model::concentration_share_low, 0, 1},
    {"concentration_share_high", &Model::concentration_share_high, 0, 1},
    {"seasonality_min_months", &Model::seasonality_min_months, 4, 24},
    {"seasonality_cv_low", &Model::seasonality_cv_low, 0, kUnbounded},
    {"seasonality_cv_high", &Model::seasonality_cv_high, 0, kUnbounded},
    {"seasonality_swing_low", &Model::seasonality_swing_low, 0, 1},
    {"seasonality_swing_high", &Model::seasonality_swing_high, 0, 1},
    {"review_half_life_days", &Model::review_half_life_days, 7, 36500},
    {"rating_good", &Model::rating_good, 1, 5},
    {"rating_bad", &Model::rating_bad, 1, 5},
    {"negative_share_low", &Model::negative_share_low, 0, 1},
    {"negative_share_high", &Model::negative_share_high, 0, 1},
    {"review_credibility", &Model::review_credibility, 0, kUnbounded},
    {"legal_window_days", &Model::legal_window_days, 1, 3650},
    {"lawyer_letter_severity", &Model::lawyer_letter_severity, 0, 1},
    {"formal_notice_severity", &Model::formal_notice_severity, 0, 1},
    {"lawsuit_severity", &Model::lawsuit_severity, 0, 1},
    {"litigation_severity", &Model::litigation_severity, 0, 1},
}};

// The calibration fields, by name: the first two from model file version 2 onwards, the
// scorecard's three (which only a points model, calibrated = 2, uses) from version 3.
inline constexpr std::array<ModelParameter, 5> calibration_parameters = {{
    {"calibrated", &Model::calibrated, 0, 2},
    {"calibration_intercept", &Model::calibration_intercept, -1000, 1000},
    {"points_base", &Model::points_base, -1e6, 1e6},
    {"points_odds", &Model::points_odds, 1e-9, 1e9},
    {"points_pdo", &Model::points_pdo, 1e-3, 1e6},
}};
// The actions policy, by name (model file version 3 onwards).
inline constexpr std::array<ModelParameter, 15> policy_parameters = {{
    {"preventive_reminder_days", &Model::preventive_reminder_days, 0, 365},
    {"preventive_paydex_below", &Model::preventive_paydex_below, 1, 101},
    {"reminder_deadline_days", &Model::reminder_deadline_days, 0, 365},
    {"formal_notice_days", &Model::formal_notice_days, 1, 3650},
    {"insurer_claim_cents", &Model::insurer_claim_cents, 1, kUnbounded},
    {"insurer_deadline_days", &Model::insurer_deadline_days, 0, 365},
    {"provision_days", &Model::provision_days, 1, 3650},
    {"dispute_document_days", &Model::dispute_document_days, 0, 3650},
    {"dependence_share", &Model::dependence_share, 0, 1},
    {"credit_months_low", &Model::credit_months_low, 0, 120},
    {"credit_months_moderate", &Model::credit_months_moderate, 0, 120},
    {"credit_months_high", &Model::credit_months_high, 0, 120},
    {"credit_months_critical", &Model::credit_months_critical, 0, 120},
    {"credit_limit_rounding_cents", &Model::credit_limit_rounding_cents, 1, 1e15},
    {"worklist_urgency_days", &Model::worklist_urgency_days, 1, 3650},
}};

// How many of calibration_parameters a model's scores depend on (its fingerprint hashes those).
constexpr std::size_t calibration_fields_used(const Model& m) {
  return m.calibrated == 0 ? 0 : m.calibrated == 1 ? 2 : calibration_parameters.size();
}

namespace detail {
inline std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
}  // namespace detail

// Reads or sets a weight ("weights.legal") or a parameter ("band_high") by name.
inline double* model_field(Model& m, std::string_view name) {
  if (name.starts_with("weights.")) {
    std::string_view f = name.substr(8);
    for (std::size_t i = 0; i < factor_names.size(); ++i)
      if (factor_names[i] == f) return &m.weights[i];
    return nullptr;
  }
  for (const ModelParameter& p : model_parameters)
    if (p.name == name) return &(m.*p.field);
  for (const ModelParameter& p : calibration_parameters)
    if (p.name == name) return &(m.*p.field);
  for (const ModelParameter& p : policy_parameters)
    if (p.name == name) return &(m.*p.field);
  return nullptr;
}

// Returns the problems of a model, each naming its field; empty when the model is usable.
inline std::optional<std::string> model_problem(const Model& m) {
  for (int f = 0; f < factor_count; ++f) {
    double w = m.weights[static_cast<std::size_t>(f)];
    std::string name = "weights." + std::string(factor_names[static_cast<std::size_t>(f)]);
    if (!std::isfinite(w)) return name + " must be a finite number, got " + detail::number(w);
    if (w < 0 || w > 1e6) return name + " must be in [0, 1e6], got " + detail::number(w);
  }
  double total = 0;
  for (double w : m.weights) total += w;
  for (const ModelParameter& p : calibration_parameters) {
    const double v = m.*p.field;
    if (!std::isfinite(v) || v < p.min || v > p.max)
      return std::string(p.name) + " must be in [" + detail::number(p.min) + ", " + detail::number(p.max) + "], got " +
             detail::number(v);
  }
  if (m.calibrated != 0 && m.calibrated != 1 && m.calibrated != 2)
    return "calibrated must be 0, 1 or 2, got " + detail::number(m.calibrated);
  // A calibrated model may have no weight: its score is then the base rate.
  if (!(total > 0) && m.calibrated == 0) return std::string("weights must not all be zero");
  for (const ModelParameter& p : model_parameters) {
    double v = m.*p.field;
    if (!std::isfinite(v)) return std::string(p.name) + " must be a finite number, got " + detail::number(v);
    // The bands of a points model are in its points, which may fall outside [0, 100].
    const bool band = p.name.starts_with("band_");
    if (band && m.calibrated == 2) {
      if (std::abs(v) > 1e6) return std::string(p.name) + " must be in [-1e+06, 1e+06], got " + detail::number(v);
      continue;
    }
    if (v < p.min || v > p.max)
      return std::string(p.name) + " must be in [" + detail::number(p.min) + ", " + detail::number(p.max) + "], got " +
             detail::number(v);
  }
  for (const ModelParameter& p : policy_parameters) {
    const double v = m.*p.field;
    if (!std::isfinite(v) || v < p.min || v > p.max)
      return std::string(p.name) + " must be in [" + detail::number(p.min) + ", " + detail::number(p.max) + "], got " +
             detail::number(v);
    if ((p.name.ends_with("_days") || p.name.ends_with("_cents")) && v != std::floor(v))
      return std::string(p.name) + " must be a whole number, got " + detail::number(v);
  }
  for (const char* name : {"write_off_window_days", "cancellation_window_days", "legal_window_days"}) {
    const double v = *model_field(const_cast<Model&>(m), name);
    if (v != std::floor(v)) return std::string(name) + " must be a whole number of days, got " + detail::number(v);
  }
  auto order = [](double lo, double hi, std::string_view a, std::string_view b) -> std::optional<std::string> {
    if (lo < hi) return std::nullopt;
    return std::string(a) + " (" + detail::number(lo) + ") must be below " + std::string(b) + " (" +
           detail::number(hi) + ")";
  };
  if (auto e = order(m.band_moderate, m.band_high, "band_moderate", "band_high")) return e;
  if (auto e = order(m.band_high, m.band_critical, "band_high", "band_critical")) return e;
  if (!(m.band_moderate > 0) && m.calibrated != 2) return std::string("band_moderate must be above 0, got ") + detail::number(m.band_moderate);
  if (auto e = order(m.concentration_share_low, m.concentration_share_high, "concentration_share_low",
                     "concentration_share_high"))
    return e;
  if (auto e = order(m.seasonality_cv_low, m.seasonality_cv_high, "seasonality_cv_low", "seasonality_cv_high"))
    return e;
  if (auto e = order(m.seasonality_swing_low, m.seasonality_swing_high, "seasonality_swing_low",
                     "seasonality_swing_high"))
    return e;
  if (auto e = order(m.rating_bad, m.rating_good, "rating_bad", "rating_good")) return e;
  if (auto e = order(m.negative_share_low, m.negative_share_high, "negative_share_low", "negative_share_high"))
    return e;
  return std::nullopt;
}

// Throws InvalidInput naming the first inconsistent field.
inline void validate(const Model& m) {
  if (auto problem = model_problem(m)) throw InvalidInput("invalid model: " + *problem);
}

}  // namespace v1
}  // namespace clientrisk
