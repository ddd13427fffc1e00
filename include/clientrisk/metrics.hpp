// How well scores rank and predict outcomes: AUC (ties counted half), Gini, the two-sample KS
// statistic, Brier score, log loss, a calibration table by quantile groups, and the population
// stability index between two score distributions. docs/calibration.md gives the formulas.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "clientrisk/error.hpp"

namespace clientrisk {
inline namespace v1 {

namespace detail {

// Checks scores and 0/1 outcomes of the same length, with at least one of each class when
// both_classes; names the argument and index of a bad value.
inline void check_scored(std::span<const double> score, std::span<const double> outcome, const char* what,
                         bool both_classes) {
  if (score.size() != outcome.size())
    throw InvalidInput(std::string(what) + ": " + std::to_string(score.size()) + " scores but " +
                       std::to_string(outcome.size()) + " outcomes");
  if (score.empty()) throw InvalidInput(std::string(what) + ": no rows");
  if (score.size() >= (std::size_t{1} << 32)) throw InvalidInput(std::string(what) + ": more than 2^32 - 1 rows");
  std::size_t bad = 0;
  for (std::size_t i = 0; i < score.size(); ++i) {
    if (!std::isfinite(score[i]))
      throw InvalidInput(std::string(what) + ": score " + std::to_string(i) + " is not a finite number");
    if (outcome[i] != 0 && outcome[i] != 1)
      throw InvalidInput(std::string(what) + ": outcome " + std::to_string(i) + " is not 0 or 1");
    bad += outcome[i] == 1;
  }
  if (both_classes && (bad == 0 || bad == score.size()))
    throw InvalidInput(std::string(what) + ": the outcomes are all " + (bad == 0 ? "0" : "1") +
                       "; it needs both classes");
}

// Visits the distinct scores in ascending order with the counts of bad (1) and good (0)
// outcomes at each: visit(bad_here, good_here).
template <typename Visit>
void by_distinct_score(std::span<const double> score, std::span<const double> outcome, Visit&& visit) {
  std::vector<std::uint32_t> order(score.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return score[a] < score[b]; });
  for (std::size_t i = 0; i < order.size();) {
    std::size_t bad = 0, good = 0, j = i;
    for (; j < order.size() && score[order[j]] == score[order[i]]; ++j) (outcome[order[j]] == 1 ? bad : good)++;
    visit(bad, good);
    i = j;
  }
}

}  // namespace detail

// Area under the ROC curve of scores that rank bad outcomes (1) high: the probability that a
// random bad row scores above a random good one, ties counting half. Exact: the counts are
// summed in integers and divided once.
inline double auc(std::span<const double> score, std::span<const double> outcome) {
  detail::check_scored(score, outcome, "auc", true);
  // Twice the count of (bad, good) pairs ordered right, plus ties: at most n^2 / 2 < 2^63.
  std::uint64_t twice = 0;
  std::uint64_t good_below = 0, bads = 0, goods = 0;
  detail::by_distinct_score(score, outcome, [&](std::size_t bad, std::size_t good) {
    twice += static_cast<std::uint64_t>(bad) * (2 * good_below + good);
    good_below += good;
    bads += bad;
    goods += good;
  });
  return static_cast<double>(twice) / (2.0 * static_cast<double>(bads) * static_cast<double>(goods));
}

// 2 AUC - 1.
inline double gini(std::span<const double> score, std::span<const double> outcome) {
  return 2 * auc(score, outcome) - 1;
}

// The two-sample Kolmogorov-Smirnov statistic between the scores of bad and good rows: the
// largest gap between their empirical distribution functions.
inline double ks(std::span<const double> score, std::span<const double> outcome) {
  detail::check_scored(score, outcome, "ks", true);
  std::size_t bads = 0;
  for (double o : outcome) bads += o == 1;
  const double n_bad = static_cast<double>(bads), n_good = static_cast<double>(outcome.size() - bads);
  std::uint64_t bad_below = 0, good_below = 0;
  double best = 0;
  detail::by_distinct_score(score, outcome, [&](std::size_t bad, std::size_t good) {
    bad_below += bad;
    good_below += good;
    best = std::max(best, std::abs(static_cast<double>(bad_below) / n_bad - static_cast<double>(good_below) / n_good));
  });
  return best;
}

namespace detail {
inline void check_probabilities(std::span<const double> p, const char* what) {
  for (std::size_t i = 0; i < p.size(); ++i)
    if (!(p[i] >= 0 && p[i] <= 1))
      throw InvalidInput(std::string(what) + ": probability " + std::to_string(i) + " is not within [0, 1]");
}
}  // namespace detail

// Mean of (p - outcome)^2.
inline double brier(std::span<const double> probability, std::span<const double> outcome) {
  detail::check_scored(probability, outcome, "brier", false);
  detail::check_probabilities(probability, "brier");
  double s = 0;
  for (std::size_t i = 0; i < probability.size(); ++i) s += (probability[i] - outcome[i]) * (probability[i] - outcome[i]);
  return s / static_cast<double>(probability.size());
}

// Mean of -(y ln p + (1 - y) ln(1 - p)), p clipped to [eps, 1 - eps] as scikit-learn does
// (eps = 1e-15), so that a certain wrong prediction costs ln(1e15), not infinity.
inline double log_loss(std::span<const double> probability, std::span<const double> outcome, double eps = 1e-15) {
  detail::check_scored(probability, outcome, "log_loss", false);
  detail::check_probabilities(probability, "log_loss");
  double s = 0;
  for (std::size_t i = 0; i < probability.size(); ++i) {
    const double p = std::clamp(probability[i], eps, 1 - eps);
    s -= outcome[i] == 1 ? std::log(p) : std::log1p(-p);
  }
  return s / static_cast<double>(probability.size());
}

// One group of a calibration table: rows sorted by predicted probability, cut into groups of
// equal counts (the first groups one row larger when the count does not divide).
struct CalibrationGroup {
  std::size_t rows = 0;
  double lowest = 0, highest = 0;  // predicted probabilities in the group
  double mean_predicted = 0;
  double observed_rate = 0;  // share of bad outcomes
};

inline std::vector<CalibrationGroup> calibration_table(std::span<const double> probability,
                                                       std::span<const double> outcome, std::size_t groups = 10) {
  detail::check_scored(probability, outcome, "calibration_table", false);
  detail::check_probabilities(probability, "calibration_table");
  if (groups == 0 || groups > probability.size())
    throw InvalidInput("calibration_table: groups must be between 1 and the " + std::to_string(probability.size()) +
                       " rows, got " + std::to_string(groups));
  std::vector<std::uint32_t> order(probability.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return probability[a] < probability[b]; });
  std::vector<CalibrationGroup> out(groups);
  const std::size_t n = order.size(), base = n / groups, extra = n % groups;
  std::size_t at = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    CalibrationGroup& c = out[g];
    c.rows = base + (g < extra ? 1 : 0);
    double p = 0, bad = 0;
    for (std::size_t i = at; i < at + c.rows; ++i) {
      p += probability[order[i]];
      bad += outcome[order[i]];
    }
    c.lowest = probability[order[at]];
    c.highest = probability[order[at + c.rows - 1]];
    c.mean_predicted = p / static_cast<double>(c.rows);
    c.observed_rate = bad / static_cast<double>(c.rows);
    at += c.rows;
  }
  return out;
}

// Population stability index of `actual` scores against `expected` ones: bins cut at the
// quantiles of expected (bins - 1 inner edges, a score equal to an edge goes to the upper
// bin), then sum over bins of (a - e) ln(a / e) with shares floored at 1e-4 so that an empty
// bin counts, but finitely. 0.10 is worth watching, 0.25 worth acting on.
inline double psi(std::span<const double> expected, std::span<const double> actual, std::size_t bins = 10) {
  if (expected.empty() || actual.empty()) throw InvalidInput("psi: both distributions need rows");
  if (bins < 2) throw InvalidInput("psi: bins must be at least 2, got " + std::to_string(bins));
  for (auto [name, v] : {std::pair{"expected", expected}, std::pair{"actual", actual}})
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!std::isfinite(v[i])) throw InvalidInput(std::string("psi: ") + name + " score " + std::to_string(i) + " is not a finite number");
  std::vector<double> sorted(expected.begin(), expected.end());
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> edge;
  for (std::size_t b = 1; b < bins; ++b) {
    const double e = sorted[std::min(sorted.size() - 1, b * sorted.size() / bins)];
    if (edge.empty() || e > edge.back()) edge.push_back(e);  // ties collapse bins
  }
  auto shares = [&](std::span<const double> v) {
    std::vector<double> count(edge.size() + 1, 0);
    for (double x : v) count[static_cast<std::size_t>(std::upper_bound(edge.begin(), edge.end(), x) - edge.begin())] += 1;
    for (double& c : count) c = std::max(c / static_cast<double>(v.size()), 1e-4);
    return count;
  };
  const auto e = shares(expected), a = shares(actual);
  double s = 0;
  for (std::size_t b = 0; b < e.size(); ++b) s += (a[b] - e[b]) * std::log(a[b] / e[b]);
  return s;
}

}  // namespace v1
}  // namespace clientrisk
