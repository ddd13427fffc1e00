// From sub-scores to the score: weighted contributions in points, the band, and up to four
// reason codes with one-line texts. Batches go through Eigen on the matrix of sub-scores.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <numbers>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "clientrisk/detail/memory.hpp"
#include "clientrisk/detail/parallel.hpp"
#include "clientrisk/factors.hpp"
#include "clientrisk/language.hpp"
#include "clientrisk/features.hpp"
#include "clientrisk/model.hpp"

namespace clientrisk {
inline namespace v1 {

using SubScoreMatrix = Eigen::Matrix<double, Eigen::Dynamic, factor_count, Eigen::RowMajor>;

struct Reason {
  std::string code;   // stable, e.g. "NP-OVER-90"
  Factor factor;
  double points;      // the factor's contribution
  std::string text;   // one line, in the language asked for (English by default)
  friend bool operator==(const Reason&, const Reason&) = default;
};

// A client's score as of a date, with everything needed to explain it.
struct Score {
  std::string client;
  Date as_of;
  double score = 0;                                // in [0, 100], or scorecard points (Model::calibrated = 2)
  Band band = Band::low;
  SubScores sub{};                                 // per factor, in [0, 1]
  std::array<double, factor_count> contribution{}; // points; they sum to score (calibrated: score minus the base score)
  std::vector<Reason> reasons;                     // at most four, largest contribution first
  KeyFigures key;
  FeatureRow features{};
  std::string model_fingerprint;                   // of the model that produced it
};

inline Band band_of(double score, const Model& m) {
  if (score >= m.band_critical) return Band::critical;
  if (score >= m.band_high) return Band::high;
  if (score >= m.band_moderate) return Band::moderate;
  return Band::low;
}

// Points per unit of sub-score for each factor: 100 * w / sum(w); for a calibrated model, the
// weights themselves (log-odds per unit of sub-score; finish_row() turns them into points).
inline Eigen::Matrix<double, factor_count, 1> factor_points(const Model& m) {
  double total = 0;
  for (double w : m.weights) total += w;
  Eigen::Matrix<double, factor_count, 1> p;
  for (int k = 0; k < factor_count; ++k)
    p(k) = m.calibrated != 0 ? m.weights[static_cast<std::size_t>(k)] : m.weights[static_cast<std::size_t>(k)] / total * 100.0;
  return p;
}

// The score of one row of contributions: summed left to right, in one fixed order, whatever
// the batch, then clamped to [0, 100].
inline double sum_contributions(const double* c) {
  double s = 0;
  for (int k = 0; k < factor_count; ++k) s += c[k];
  return std::min(100.0, std::max(0.0, s));
}

// The score of one row, from its contributions as factor_points() makes them, which it rewrites
// for a calibrated model. For a probability model the score is 100 / (1 + exp(-(intercept +
// their sum))) and the contributions split what the score has above the base score
// 100 / (1 + exp(-intercept)) in proportion; for a points model each contribution is its
// log-odds times points_pdo / ln 2, and they sum to the score less the base score, the points at
// the intercept. One fixed order of operations, whatever the batch.
inline double finish_row(double* c, const Model& m) {
  if (m.calibrated == 0) return sum_contributions(c);
  double eta = 0;
  for (int k = 0; k < factor_count; ++k) eta += c[k];
  if (m.calibrated == 2) {
    const double per_log_odds = m.points_pdo / std::numbers::ln2;
    for (int k = 0; k < factor_count; ++k) c[k] *= per_log_odds;
    return m.points_base + per_log_odds * (m.calibration_intercept + eta - std::log(m.points_odds));
  }
  const double score = 100 / (1 + std::exp(-(m.calibration_intercept + eta)));
  const double base = 100 / (1 + std::exp(-m.calibration_intercept));
  const double scale = eta > 0 ? (score - base) / eta : 0;
  for (int k = 0; k < factor_count; ++k) c[k] *= scale;
  return score;
}

// The probability of going bad that a calibrated model's score stands for; for an uncalibrated
// model, score / 100 (a ranking, not a probability).
inline double probability_of(double score, const Model& m) {
  if (m.calibrated != 2) return score / 100;
  const double log_odds = std::log(m.points_odds) + (score - m.points_base) * std::numbers::ln2 / m.points_pdo;
  return 1 / (1 + std::exp(-log_odds));
}

// The score that stands for a probability of going bad p in (0, 1) under a calibrated model.
inline double score_of_probability(double p, const Model& m) {
  if (m.calibrated != 2) return 100 * p;
  return m.points_base + m.points_pdo * std::log2(p / (1 - p) / m.points_odds);
}

// Contributions and scores of a block of sub-score rows; a client's bits do not depend on the
// batch it was scored in.
inline void weigh(const SubScoreMatrix& sub, const Eigen::Matrix<double, factor_count, 1>& points, const Model& m,
                  SubScoreMatrix& contribution, Eigen::VectorXd& score) {
  contribution.noalias() = sub * points.asDiagonal();
  score.resize(contribution.rows());
  for (Eigen::Index r = 0; r < contribution.rows(); ++r) score(r) = finish_row(&contribution(r, 0), m);
}

namespace detail {

// printf's "%.Nf" and "%%" for up to two numbers, through std::to_chars: the same correctly
// rounded digits at a fraction of the cost, which matters when every score is explained.
inline std::string fmt(const char* format, double a, double b = 0, Language lang = Language::en) {
  std::string out;
  out.reserve(80);
  const double args[2] = {a, b};
  int next = 0;
  for (const char* p = format; *p;) {
    const char* pct = std::strchr(p, '%');
    if (!pct) {
      out.append(p);
      break;
    }
    out.append(p, pct);
    if (pct[1] == '%') {
      out += '%';
      p = pct + 2;
    } else if (pct[1] == '.' && pct[2] >= '0' && pct[2] <= '9' && pct[3] == 'f' && next < 2) {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, args[next++], std::chars_format::fixed, pct[2] - '0');
      std::string digits(buf, r.ec == std::errc() ? r.ptr : buf);
      localise_number(digits, lang);
      out += digits;
      p = pct + 4;
    } else {
      out += '%';
      p = pct + 1;
    }
  }
  return out;
}

// Amounts come back from features as doubles; a saturated total is 2^63, past int64.
inline std::string money_text(double cents, Language lang = Language::en) {
  constexpr double limit = 9223372036854774784.0;  // the largest double below 2^63
  std::string out = Money::from_cents(static_cast<std::int64_t>(std::min(cents, limit))).to_string();
  localise_number(out, lang);
  return out;
}

inline constexpr std::array<std::array<const char*, max_parts>, factor_count> reason_codes = {{
    {"NP-OVER-90", "NP-OVERDUE", "NP-WRITE-OFF", "NP-SLOW-PAYER", "NP-OVERDUE-SHARE"},
    {"DS-COMPLAINTS", "DS-RETURNS", "DS-DISPUTES", "DS-DISPUTED-SHARE", nullptr},
    {"CN-CANCELLATIONS", nullptr, nullptr, nullptr, nullptr},
    {"CC-DEPENDENCE", nullptr, nullptr, nullptr, nullptr},
    {"SE-VARIABILITY", "SE-SWING", nullptr, nullptr, nullptr},
    {"RP-LOW-RATING", "RP-NEGATIVE-REVIEWS", nullptr, nullptr, nullptr},
    {"LG-LAWSUIT", "LG-LITIGATION", "LG-FORMAL-NOTICE", "LG-LAWYER-LETTER", nullptr},
}};

inline std::string reason_text(int factor, int part, const double* f, const Model& m, Language lang = Language::en) {
  auto F = [&](Feature x) { return f[static_cast<std::size_t>(x)]; };
  const bool fr = lang == Language::fr;
  auto fm = [&](const char* en, const char* french, double a, double b = 0) { return fmt(fr ? french : en, a, b, lang); };
  const double legal = m.legal_window_days;
  switch (factor * 10 + part) {
    case 0:
      return money_text(F(Feature::amount_over_90), lang) +
             fm(" more than 90 days past due, the oldest %.0f days", " échus depuis plus de 90 jours, le plus ancien depuis %.0f jours",
                F(Feature::days_past_due_max));
    case 1:
      return money_text(F(Feature::overdue_amount), lang) +
             fm(" overdue, the oldest %.0f days past due", " échus, le plus ancien en retard de %.0f jours",
                F(Feature::days_past_due_max));
    case 2:
      return money_text(F(Feature::write_off_amount), lang) +
             fm(" written off in the last %.0f days", " passés en perte sur les %.0f derniers jours", m.write_off_window_days);
    case 3: return fm("pays late: PAYDEX %.0f of 100 (80 is prompt)", "paie en retard : PAYDEX %.0f sur 100 (80 = à l'échéance)", F(Feature::paydex));
    case 4:
      return fm("%.0f%% of open receivables are overdue", "%.0f %% des créances ouvertes sont échues",
                100 * F(Feature::overdue_amount) / std::max(1.0, F(Feature::open_amount)));
    case 10: return fm("complaints of decayed severity %.1f", "réclamations de gravité amortie %.1f", F(Feature::complaint_severity));
    case 11: return fm("returns are %.1f%% of invoiced amounts", "les retours font %.1f %% des montants facturés", 100 * F(Feature::return_share));
    case 12: return fm("%.1f disputes opened (time-decayed)", "%.1f litiges ouverts (amortis dans le temps)", F(Feature::dispute_count));
    case 13: return fm("disputes cover %.1f%% of invoiced amounts", "les litiges couvrent %.1f %% des montants facturés", 100 * F(Feature::disputed_share));
    case 20:
      return fm("%.0f contract cancellations", "%.0f résiliations de contrat",
                F(Feature::cancellations_early) + F(Feature::cancellations_at_term)) +
             fm(" (%.0f early) against %.0f contracts held", " (dont %.0f anticipées) pour %.0f contrats détenus",
                F(Feature::cancellations_early), F(Feature::contracts_held));
    case 30: return fm("%.1f%% of the portfolio's revenue over 12 months", "%.1f %% du chiffre d'affaires du portefeuille sur 12 mois", 100 * F(Feature::revenue_share));
    case 40:
      return fm("invoicing varies widely from quarter to quarter (coefficient of variation %.2f over %.0f months)",
                "la facturation varie fortement d'un trimestre à l'autre (coefficient de variation %.2f sur %.0f mois)",
                F(Feature::seasonality_cv), F(Feature::seasonality_months));
    case 41: return fm("lowest quarter is %.0f%% below the highest", "le trimestre le plus faible est %.0f %% sous le plus fort", 100 * F(Feature::seasonality_swing));
    case 50: return fm("reviews average %.1f of 5", "les avis donnent en moyenne %.1f sur 5", F(Feature::rating_mean));
    case 51: return fm("%.0f%% of reviews are negative (1 or 2 of 5)", "%.0f %% des avis sont négatifs (1 ou 2 sur 5)", 100 * F(Feature::negative_review_share));
    case 60: return fm("%.0f lawsuit(s) in the last %.0f days", "%.0f action(s) en justice sur les %.0f derniers jours", F(Feature::lawsuits), legal);
    case 61: return fm("%.0f dispute(s) ended in litigation in the last %.0f days", "%.0f litige(s) porté(s) au contentieux sur les %.0f derniers jours", F(Feature::litigations), legal);
    case 62: return fm("%.0f formal notice(s) in the last %.0f days", "%.0f mise(s) en demeure sur les %.0f derniers jours", F(Feature::formal_notices), legal);
    case 63: return fm("%.0f lawyer's letter(s) in the last %.0f days", "%.0f courrier(s) d'avocat sur les %.0f derniers jours", F(Feature::lawyer_letters), legal);
    default: return {};
  }
}

}  // namespace detail

// Up to four reasons: factors with a positive contribution, largest first (ties by factor
// order), each named after the part of the factor that weighs most.
inline std::vector<Reason> explain(const FeatureRow& f, const Model& m, const std::array<double, factor_count>& contribution,
                                   const FactorParts& parts, Language lang = Language::en) {
  std::array<int, factor_count> order;
  for (int k = 0; k < factor_count; ++k) order[static_cast<std::size_t>(k)] = k;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return contribution[static_cast<std::size_t>(a)] > contribution[static_cast<std::size_t>(b)];
  });
  std::vector<Reason> out;
  out.reserve(4);
  for (int k : order) {
    const double points = contribution[static_cast<std::size_t>(k)];
    if (!(points > 0) || out.size() == 4) break;
    const auto& p = parts.part[static_cast<std::size_t>(k)];
    const int top = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
    out.push_back(Reason{detail::reason_codes[static_cast<std::size_t>(k)][static_cast<std::size_t>(top)],
                         static_cast<Factor>(k), points, detail::reason_text(k, top, f.data(), m, lang)});
  }
  return out;
}

// The same, computing the parts from the features.
inline std::vector<Reason> explain(const FeatureRow& f, const Model& m, const std::array<double, factor_count>& contribution,
                                   Language lang = Language::en) {
  if (!feature_row_ok(f.data())) throw InvalidInput("explain: " + feature_problem(f.data()));
  SubScores sub;
  FactorParts parts;
  evaluate_factors(f.data(), m, sub, &parts);
  return explain(f, m, contribution, parts, lang);
}

// Scores a caller's feature matrix: `rows` rows of feature_count values, `row_stride` doubles
// apart. Writes scores and bands (either may be null). Throws InvalidInput naming the row
// and feature of the first bad value, before writing anything. `threads` share the rows (0:
// one per hardware thread; InvalidInput above max_threads); the results are the same bits
// whatever their number.
inline void score_features(const double* x, std::size_t rows, std::size_t row_stride, const Model& m, double* scores,
                           Band* bands, unsigned threads = 1) {
  validate(m);
  if (rows > 0 && !x) throw InvalidInput("feature matrix is null");
  if (row_stride < static_cast<std::size_t>(feature_count))
    throw InvalidInput("row stride " + std::to_string(row_stride) + " is below the " + std::to_string(feature_count) +
                       " features");
  constexpr std::size_t block = 1024;
  const unsigned n = detail::thread_count(threads, rows, block);
  std::vector<std::size_t> bad(n, rows);
  auto refuse_bad_row = [&] {  // the lowest bad row any thread found
    if (const std::size_t r = *std::min_element(bad.begin(), bad.end()); r < rows)
      throw InvalidInput("feature matrix row " + std::to_string(r) + ": " + feature_problem(x + r * row_stride));
  };
  const auto points = factor_points(m);
#if CLIENTRISK_X86_DISPATCH
  // One read of the matrix; the scores wait in a buffer until every row has passed.
  if (m.calibrated == 0 && detail::has_avx2()) {
    const auto score_rows = detail::has_avx512f() ? detail::avx512::score_rows : detail::avx2::score_rows;
    const FactorConstants k(m);
    detail::UninitialisedArray<double> out(rows);  // huge pages: first touches of a large buffer are costly
    detail::parallel_rows(rows, n, block, [&](unsigned thread, std::size_t first, std::size_t last) {
      if (bad[thread] < first) return;  // this thread has found a bad row before this piece
      const std::size_t r = score_rows(x + first * row_stride, last - first, row_stride, k, points.data(), out.data() + first);
      if (r < last - first) bad[thread] = std::min(bad[thread], first + r);
    });
    refuse_bad_row();
    detail::parallel_rows(rows, n, block, [&](unsigned, std::size_t first, std::size_t last) {
      for (std::size_t r = first; r < last; ++r) {
        if (scores) scores[r] = out[r];
        if (bands) bands[r] = band_of(out[r], m);
      }
    });
    return;
  }
#endif
  detail::parallel_rows(rows, n, block, [&](unsigned thread, std::size_t first, std::size_t last) {
    if (bad[thread] < first) return;
    const std::size_t r = detail::first_bad_row(x + first * row_stride, last - first, row_stride);
    if (r < last - first) bad[thread] = std::min(bad[thread], first + r);
  });
  refuse_bad_row();
  detail::parallel_rows(rows, n, block, [&](unsigned, std::size_t first, std::size_t last) {
    SubScoreMatrix sub(static_cast<Eigen::Index>(std::min(last - first, block)), factor_count), contribution;
    Eigen::VectorXd s;
    for (std::size_t r0 = first; r0 < last; r0 += block) {
      const std::size_t k = std::min(block, last - r0);
      sub.resize(static_cast<Eigen::Index>(k), factor_count);
      evaluate_factor_rows(x + r0 * row_stride, k, row_stride, m, sub.data());
      weigh(sub, points, m, contribution, s);
      for (std::size_t r = 0; r < k; ++r) {
        if (scores) scores[r0 + r] = s(static_cast<Eigen::Index>(r));
        if (bands) bands[r0 + r] = band_of(s(static_cast<Eigen::Index>(r)), m);
      }
    }
  });
}

}  // namespace v1
}  // namespace clientrisk
