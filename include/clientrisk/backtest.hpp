// Backtests from a ledger's own history: every client's features, sub-scores and score as of
// one or more dates T, using only the events dated on or before T, beside whether the client
// went bad in (T, T + horizon]. docs/calibration.md describes the outcome and its checks.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "clientrisk/calibrate.hpp"
#include "clientrisk/engine.hpp"
#include "clientrisk/event.hpp"
#include "clientrisk/metrics.hpp"

namespace clientrisk {
inline namespace v1 {

// What "went bad" means: any of these on some day of the window (an invoice that became
// overdue by days_past_due before the window and is still open in it counts).
struct OutcomeRule {
  int days_past_due = 60;  // an invoice still open this many days after its due date (0: ignored)
  bool write_off = true;   // a write-off
  bool lawsuit = true;     // a legal notice of type lawsuit
  bool litigation = true;  // a dispute resolved by litigation
};

struct BacktestOptions {
  int horizon_days = 180;
  OutcomeRule outcome;
};

// One row per client with events on or before each date, dates ascending, clients in ledger
// order within a date.
struct BacktestData {
  std::vector<std::string> client;
  std::vector<Date> as_of;
  Eigen::Matrix<double, Eigen::Dynamic, feature_count, Eigen::RowMajor> features;
  SubScoreMatrix sub;
  Eigen::VectorXd score;
  Eigen::VectorXd probability;  // of going bad, that the score stands for (probability_of)
  std::vector<Band> band;
  std::vector<double> outcome;  // 1 when the client was bad on some day of (as_of, as_of + horizon]
  std::size_t size() const { return client.size(); }
};

namespace detail {

// When each client was bad, as day intervals [first, end): an invoice from the day it became
// days_past_due past due until the day it closed (open at the end: for good), and one day for
// each write-off, lawsuit and litigation, per the rule; indexed by client. Collected from the
// ledger that scores the backtest, so its events are posted and applied once.
struct BadSpell {
  std::int32_t first, end;
};

class SpellLog {
 public:
  explicit SpellLog(const OutcomeRule& rule) : rule_(rule) {}

  // Records the invoices of l that close late, as l applies events (set before posting).
  void watch(Ledger& l) {
    const int late = rule_.days_past_due;
    if (late > 0)
      l.on_invoice_closed([this, late](std::uint32_t client, Date due, Date closed) {
        if (closed.days() > due.days() + late) mark(client, due.days() + late, closed.days());
      });
  }

  // Once l has been scored at every date: applies the rest up to latest, then adds the invoices
  // still open and the events that count as bad by themselves.
  std::vector<std::vector<BadSpell>> finish(Ledger& l, std::span<const Event> events, Date latest) {
    l.advance(latest);
    l.on_invoice_closed(nullptr);
    if (spells_.size() < l.client_count()) spells_.resize(l.client_count());
    constexpr std::int32_t never = std::numeric_limits<std::int32_t>::max();
    const int late = rule_.days_past_due;
    for (std::uint32_t c = 0; c < l.client_count() && late > 0; ++c)
      for (std::uint32_t s = l.state(c).open_head; s != kNone; s = l.invoice(s).next) mark(c, l.invoice(s).due + late, never);
    for (const Event& e : events) {
      const bool bad = (rule_.write_off && e.kind == EventKind::write_off) ||
                       (rule_.lawsuit && e.kind == EventKind::legal_notice && e.detail == "lawsuit") ||
                       (rule_.litigation && e.kind == EventKind::dispute_resolved && e.detail == "litigation");
      if (bad) mark(l.client_index(e.client), e.date.days(), e.date.days() + 1);
    }
    return std::move(spells_);
  }

 private:
  void mark(std::uint32_t client, std::int32_t first, std::int32_t end) {
    if (spells_.size() <= client) spells_.resize(client + 1);
    spells_[client].push_back({first, end});
  }

  OutcomeRule rule_;
  std::vector<std::vector<BadSpell>> spells_;
};

}  // namespace detail

// Builds the backtest data set. Throws InvalidInput for a bad event (naming it, as Engine::post
// does), no dates, a horizon below one day, or a date whose window ends after the latest event
// (its outcomes are not known yet).
inline BacktestData backtest_data(std::span<const Event> events, std::span<const Date> dates, const Model& m,
                                  const BacktestOptions& o = {}) {
  if (dates.empty()) throw InvalidInput("backtest: no as-of dates");
  if (o.horizon_days < 1) throw InvalidInput("backtest: horizon must be at least one day, got " + std::to_string(o.horizon_days));
  if (o.outcome.days_past_due < 0) throw InvalidInput("backtest: days_past_due must be >= 0");
  detail::SpellLog log(o.outcome);
  Engine engine(m);
  log.watch(engine.ledger());
  engine.post(events);
  const std::optional<Date> latest = engine.ledger().latest_event_date();
  if (!latest) throw InvalidInput("backtest: no events");
  std::vector<Date> when(dates.begin(), dates.end());
  std::sort(when.begin(), when.end());
  when.erase(std::unique(when.begin(), when.end()), when.end());
  for (Date d : when)
    if (d + o.horizon_days > *latest)
      throw InvalidInput("backtest: as of " + d.to_string() + " the " + std::to_string(o.horizon_days) +
                         "-day window ends " + (d + o.horizon_days).to_string() + ", after the latest event (" +
                         latest->to_string() + "); its outcomes are not known yet");
  BacktestData out;
  std::vector<double> features, sub, score;
  std::vector<std::uint32_t> index;  // each row's client
  for (Date d : when) {
    const ScoreTable t = engine.score_all(d);
    for (std::size_t r = 0; r < t.size(); ++r) {
      const std::uint32_t c = t.client[r];
      const Score s = engine.explain(t, r);  // the row's features, with the bits of the table
      out.client.emplace_back(engine.client_id(c));
      out.as_of.push_back(d);
      features.insert(features.end(), s.features.begin(), s.features.end());
      sub.insert(sub.end(), s.sub.begin(), s.sub.end());
      score.push_back(t.score(static_cast<Eigen::Index>(r)));
      out.band.push_back(t.band[r]);
      index.push_back(c);
    }
  }
  const auto bad = log.finish(engine.ledger(), events, *latest);
  for (std::size_t i = 0; i < index.size(); ++i) {
    const std::int32_t from = out.as_of[i].days(), to = from + o.horizon_days;
    // Bad on some day of from + 1 .. to.
    const auto& spells = bad[index[i]];
    const bool went_bad = std::any_of(spells.begin(), spells.end(),
                                      [&](const detail::BadSpell& b) { return b.first <= to && b.end > from + 1; });
    out.outcome.push_back(went_bad ? 1.0 : 0.0);
  }
  const auto n = static_cast<Eigen::Index>(out.client.size());
  out.features = Eigen::Map<const decltype(out.features)>(features.data(), n, feature_count);
  out.sub = Eigen::Map<const SubScoreMatrix>(sub.data(), n, factor_count);
  out.score = Eigen::Map<const Eigen::VectorXd>(score.data(), n);
  out.probability = out.score.unaryExpr([&](double v) { return probability_of(v, engine.model()); });
  return out;
}

// How well the scores of a backtest rank and predict its outcomes.
struct BacktestReport {
  std::size_t rows = 0, bad = 0;
  double auc = 0, gini = 0, ks = 0;
  double brier = 0, log_loss = 0;  // of the probabilities the scores stand for (probability_of)
  std::vector<CalibrationGroup> calibration;  // deciles of those probabilities
  std::array<std::size_t, 4> band_rows{}, band_bad{};
  double psi = 0;  // of the last date's scores against the first date's (0 with one date)
};

inline BacktestReport evaluate(const BacktestData& d) {
  BacktestReport r;
  r.rows = d.size();
  for (double o : d.outcome) r.bad += o == 1;
  const std::span<const double> score(d.score.data(), d.size());
  r.auc = auc(score, d.outcome);
  r.gini = 2 * r.auc - 1;
  r.ks = ks(score, d.outcome);
  const std::span<const double> p(d.probability.data(), d.size());
  r.brier = brier(p, d.outcome);
  r.log_loss = log_loss(p, d.outcome);
  r.calibration = calibration_table(p, d.outcome, std::min<std::size_t>(10, p.size()));
  for (std::size_t i = 0; i < d.size(); ++i) {
    const auto b = static_cast<std::size_t>(d.band[i]);
    ++r.band_rows[b];
    r.band_bad[b] += d.outcome[i] == 1;
  }
  if (d.as_of.front() != d.as_of.back()) {
    const auto first_end = std::find_if(d.as_of.begin(), d.as_of.end(), [&](Date x) { return x != d.as_of.front(); });
    const auto last_begin = std::find(d.as_of.begin(), d.as_of.end(), d.as_of.back());
    const auto n0 = static_cast<std::size_t>(first_end - d.as_of.begin());
    const auto n1 = static_cast<std::size_t>(last_begin - d.as_of.begin());
    r.psi = psi(score.subspan(0, n0), score.subspan(n1));
  }
  return r;
}

// A calibrated model learnt from a backtest: base's parameters, with weights the non-negative
// coefficients of a logistic regression of the outcomes on the sub-scores and the fitted
// intercept, so that its score is the probability of going bad within the horizon, in percent.
// fit, when given, receives the regression (standard errors, iterations). Throws InvalidInput
// as fit_logistic does (one class only, separation without l2, ...).
inline Model calibrated_model(const BacktestData& d, const Model& base, double l2 = 0, LogisticFit* fit = nullptr) {
  LogisticOptions o;
  o.l2 = l2;
  o.non_negative = true;
  const LogisticFit f = fit_logistic(d.sub, d.outcome, o);
  Model m = base;
  for (int k = 0; k < factor_count; ++k) m.weights[static_cast<std::size_t>(k)] = f.coef(k);
  m.calibrated = 1;
  m.calibration_intercept = f.intercept;
  validate(m);
  if (fit) *fit = f;
  return m;
}

// Scorecard points for a calibrated model: the same regression, with scores in points that grow
// with the risk, base at odds of going bad of odds (p / (1 - p)) and pdo more each time those
// odds double. The band limits, read as probabilities in percent in a probability model, become
// the points of the same probabilities. Throws InvalidInput for an uncalibrated model or
// parameters out of range.
inline Model scorecard_model(const Model& calibrated, double base, double odds, double pdo) {
  if (calibrated.calibrated == 0)
    throw InvalidInput("scorecard: the model is not calibrated; calibrate it first (calibrated_model)");
  Model m = calibrated;
  m.calibrated = 2;
  m.points_base = base;
  m.points_odds = odds;
  m.points_pdo = pdo;
  for (const ModelParameter& p : calibration_parameters)
    if (!(m.*p.field >= p.min && m.*p.field <= p.max))
      throw InvalidInput("scorecard: " + std::string(p.name) + " must be in [" + detail::number(p.min) + ", " +
                         detail::number(p.max) + "], got " + detail::number(m.*p.field));
  for (double Model::*band : {&Model::band_moderate, &Model::band_high, &Model::band_critical})
    m.*band = score_of_probability(probability_of(calibrated.*band, calibrated), m);
  validate(m);
  return m;
}

}  // namespace v1
}  // namespace clientrisk
