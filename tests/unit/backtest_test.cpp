#include "clientrisk/backtest.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <numbers>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "clientrisk/calibrate.hpp"
#include "clientrisk/generate.hpp"
#include "clientrisk/persist.hpp"
#include "test_events.hpp"

using namespace clientrisk;
using namespace clientrisk::test;

namespace {

std::map<std::string, double> outcomes_at(const BacktestData& d, Date as_of) {
  std::map<std::string, double> out;
  for (std::size_t i = 0; i < d.size(); ++i)
    if (d.as_of[i] == as_of) out[d.client[i]] = d.outcome[i];
  return out;
}

// a pays 91 days late, b 15 days late, c never, d has a write-off in June, e a lawsuit in
// September; z carries the ledger to the end of the year.
std::vector<Event> history() {
  return {invoice(day("2024-01-01"), "a", "A1", 100000, day("2024-01-31")),
          payment(day("2024-05-01"), "a", "A1", 100000),
          invoice(day("2024-01-01"), "b", "B1", 100000, day("2024-01-31")),
          payment(day("2024-02-15"), "b", "B1", 100000),
          invoice(day("2024-01-01"), "c", "C1", 100000, day("2024-01-31")),
          invoice(day("2024-01-05"), "d", "D1", 50000, day("2024-02-04")),
          payment(day("2024-02-01"), "d", "D1", 50000),
          invoice(day("2024-05-01"), "d", "D2", 30000, day("2024-05-31")),
          write_off(day("2024-06-10"), "d", "D2", 30000),
          invoice(day("2024-01-10"), "e", "E1", 20000, day("2024-02-09")),
          payment(day("2024-02-09"), "e", "E1", 20000),
          notice(day("2024-09-01"), "e", "lawsuit"),
          invoice(day("2024-12-31"), "z", "Z1", 10000, day("2025-01-30"))};
}

TEST(Backtest, OutcomesFollowTheRuleWithoutLookAhead) {
  const std::vector<Date> dates = {day("2024-04-15"), day("2024-02-01")};
  BacktestOptions o;
  o.horizon_days = 180;
  const BacktestData d = backtest_data(history(), dates, Model{}, o);
  // Dates come out ascending; z has no events before either date.
  ASSERT_EQ(d.as_of.front(), day("2024-02-01"));
  const auto feb = outcomes_at(d, day("2024-02-01")), apr = outcomes_at(d, day("2024-04-15"));
  EXPECT_EQ(feb, (std::map<std::string, double>{{"a", 1}, {"b", 0}, {"c", 1}, {"d", 1}, {"e", 0}}));
  // In April a is still 60 days late until May 1 and c for good; e's lawsuit falls in the window.
  EXPECT_EQ(apr, (std::map<std::string, double>{{"a", 1}, {"b", 0}, {"c", 1}, {"d", 1}, {"e", 1}}));
  // The features are those of the engine as of each date: b's invoice is open in February.
  Engine e;
  e.post(history());
  const Score b = e.score("b", day("2024-02-01"));
  for (std::size_t i = 0; i < d.size(); ++i)
    if (d.client[i] == "b" && d.as_of[i] == day("2024-02-01")) {
      for (int k = 0; k < feature_count; ++k) EXPECT_EQ(d.features(static_cast<Eigen::Index>(i), k), b.features[static_cast<std::size_t>(k)]);
      EXPECT_EQ(d.score(static_cast<Eigen::Index>(i)), b.score);
    }
  // A shorter horizon or a rule without write-offs changes the outcomes as it should.
  o.horizon_days = 30;
  EXPECT_EQ(outcomes_at(backtest_data(history(), dates, Model{}, o), day("2024-02-01"))["a"], 0);
  o.horizon_days = 180;
  o.outcome.write_off = false;
  EXPECT_EQ(outcomes_at(backtest_data(history(), dates, Model{}, o), day("2024-02-01"))["d"], 0);
}

TEST(Backtest, RefusesWindowsPastTheDataAndBadOptions) {
  const std::vector<Date> late = {day("2024-10-01")};
  try {
    (void)backtest_data(history(), late, Model{});
    ADD_FAILURE() << "no error";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("after the latest event (2024-12-31)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(backtest_data(history(), std::vector<Date>{}, Model{}), InvalidInput);
  BacktestOptions o;
  o.horizon_days = 0;
  EXPECT_THROW(backtest_data(history(), std::vector<Date>{day("2024-02-01")}, Model{}, o), InvalidInput);
  std::vector<Event> bad = history();
  bad[3].amount = Money::from_cents(-5);
  EXPECT_THROW(backtest_data(bad, std::vector<Date>{day("2024-02-01")}, Model{}), InvalidInput);
}

TEST(Backtest, TheDefaultModelRanksAGeneratedLedger) {
  GenerateOptions g;
  g.clients = 2000;
  g.months = 24;
  const std::vector<Event> events = generate_events(g);
  Engine probe;
  probe.post(events);
  const Date end = *probe.ledger().latest_event_date();
  const std::vector<Date> dates = {end - 540, end - 360, end - 180};
  const BacktestData d = backtest_data(events, dates, Model{}, {});
  const BacktestReport r = evaluate(d);
  EXPECT_GT(r.bad, 20u);
  EXPECT_LT(r.bad, r.rows);
  EXPECT_GT(r.auc, 0.7) << "the default model should rank the generator's risky clients high";
  std::size_t rows = 0;
  for (std::size_t b : r.band_rows) rows += b;
  EXPECT_EQ(rows, r.rows);
  EXPECT_GE(r.psi, 0.0);
  // Calibrating on the sub-scores gives a probability at least as discriminating.
  const LogisticFit fit = fit_logistic(d.sub, d.outcome, LogisticOptions{.l2 = 1e-3, .non_negative = true});
  std::vector<double> p(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) p[i] = fit.probability(std::span<const double>(&d.sub(static_cast<Eigen::Index>(i), 0), factor_count));
  EXPECT_GT(auc(p, d.outcome), r.auc - 0.02);
}

}  // namespace

namespace {

TEST(Calibration, ACalibratedModelScoresTheFittedProbability) {
  GenerateOptions g;
  g.clients = 1500;
  g.months = 24;
  const std::vector<Event> events = generate_events(g);
  Engine probe;
  probe.post(events);
  const Date end = *probe.ledger().latest_event_date();
  const std::vector<Date> dates = {end - 540, end - 360};
  const BacktestData d = backtest_data(events, dates, Model{}, {});
  LogisticFit fit;
  const Model m = calibrated_model(d, Model{}, 1e-3, &fit);
  EXPECT_EQ(m.calibrated, 1);
  EXPECT_NE(model_fingerprint(m), model_fingerprint(Model{}));
  // Scoring with it as of the first date gives 100 x the fitted probability of each client.
  Engine e(m);
  e.post(events);
  const ScoreTable t = e.score_all(dates[0]);
  double worst = 0;
  for (std::size_t r = 0; r < t.size(); ++r) {
    const auto row = static_cast<Eigen::Index>(r);
    const double p = fit.probability(std::span<const double>(&t.sub(row, 0), factor_count));
    worst = std::max(worst, std::abs(t.score(row) - 100 * p));
    // Contributions share what the score has above the base rate; the one-client path agrees.
    double sum = 0;
    for (int k = 0; k < factor_count; ++k) sum += t.contribution(row, k);
    EXPECT_NEAR(sum, t.score(row) - 100 / (1 + std::exp(-m.calibration_intercept)), 1e-9);
  }
  EXPECT_LT(worst, 1e-9);
  const Score one = e.explain(t, 0);
  EXPECT_EQ(one.score, t.score(0));
  // Feature scoring gives the same bits.
  std::vector<double> x(t.size() * feature_count), s(t.size());
  for (std::size_t r = 0; r < t.size(); ++r) {
    const Score sc = e.explain(t, r);
    std::copy(sc.features.begin(), sc.features.end(), x.begin() + static_cast<std::ptrdiff_t>(r * feature_count));
  }
  score_features(x.data(), t.size(), feature_count, m, s.data(), nullptr);
  for (std::size_t r = 0; r < t.size(); ++r) ASSERT_EQ(s[r], t.score(static_cast<Eigen::Index>(r))) << r;
  // It ranks the outcomes of the development dates at least as well as the default weights.
  const BacktestData again = backtest_data(events, dates, m, {});
  EXPECT_GE(evaluate(again).auc, evaluate(d).auc - 1e-9);
}

TEST(Calibration, AScorecardModelScoresPointsOfTheFittedOdds) {
  GenerateOptions g;
  g.clients = 800;
  g.months = 24;
  const std::vector<Event> events = generate_events(g);
  Engine probe;
  probe.post(events);
  const Date end = *probe.ledger().latest_event_date();
  const std::vector<Date> dates = {end - 400, end - 200};
  const BacktestData d = backtest_data(events, dates, Model{}, {});
  LogisticFit fit;
  const Model probability = calibrated_model(d, Model{}, 1e-3, &fit);
  // 600 points at odds of 1 to 50, 20 more points each time the odds of going bad double.
  const Model points = scorecard_model(probability, 600, 1.0 / 50, 20);
  EXPECT_EQ(points.calibrated, 2);
  EXPECT_EQ(points.weights, probability.weights);
  EXPECT_NE(model_fingerprint(points), model_fingerprint(probability));
  // The bands stand for the same probabilities: 25 % is odds 1/3, 50/3 doublings above 1/50.
  EXPECT_NEAR(points.band_moderate, 600 + 20 * std::log2((1.0 / 3) * 50), 1e-9);
  EXPECT_NEAR(probability_of(points.band_high, points), 0.5, 1e-12);
  Engine ep(probability), es(points);
  ep.post(events);
  es.post(events);
  const ScoreTable tp = ep.score_all(dates[1]), ts = es.score_all(dates[1]);
  ASSERT_EQ(tp.size(), ts.size());
  const double base = 600 + 20 * (points.calibration_intercept - std::log(1.0 / 50)) / std::numbers::ln2;
  for (std::size_t r = 0; r < ts.size(); ++r) {
    const auto row = static_cast<Eigen::Index>(r);
    const double p = fit.probability(std::span<const double>(&ts.sub(row, 0), factor_count));
    EXPECT_NEAR(ts.score(row), 600 + 20 * std::log2(p / (1 - p) * 50), 1e-7);
    EXPECT_NEAR(probability_of(ts.score(row), points), tp.score(row) / 100, 1e-12);
    // Each factor's points are its log-odds times pdo / ln 2; they add up to the score above the base.
    double sum = 0;
    for (int k = 0; k < factor_count; ++k) {
      EXPECT_NEAR(ts.contribution(row, k), 20 / std::numbers::ln2 * points.weights[k] * ts.sub(row, k), 1e-9);
      sum += ts.contribution(row, k);
    }
    EXPECT_NEAR(sum, ts.score(row) - base, 1e-9);
    const bool on_a_limit = std::abs(tp.score(row) - 25) < 1e-6 || std::abs(tp.score(row) - 50) < 1e-6 ||
                            std::abs(tp.score(row) - 75) < 1e-6;
    if (!on_a_limit) {
      EXPECT_EQ(ts.band[r], tp.band[r]) << r;
    }
  }
  EXPECT_EQ(es.explain(ts, 3).score, ts.score(3));
  // The backtest of a points model reads its scores as the probabilities they stand for.
  const BacktestReport rp = evaluate(backtest_data(events, dates, probability, {}));
  const BacktestReport rs = evaluate(backtest_data(events, dates, points, {}));
  EXPECT_NEAR(rs.brier, rp.brier, 1e-12);
  EXPECT_NEAR(rs.auc, rp.auc, 1e-12);
  // Points to points keeps the probabilities of the bands.
  const Model other = scorecard_model(points, 50, 1.0 / 9, 10);
  EXPECT_NEAR(probability_of(other.band_critical, other), 0.75, 1e-12);
  EXPECT_THROW(scorecard_model(Model{}, 600, 0.02, 20), InvalidInput);
  EXPECT_THROW(scorecard_model(probability, 600, 0, 20), InvalidInput);
  EXPECT_THROW(scorecard_model(probability, 600, 0.02, 0), InvalidInput);
  for (ArchiveFormat f : {ArchiveFormat::xml, ArchiveFormat::binary}) {
    const std::string path = testing::TempDir() + "points_" + std::to_string(getpid()) + ".crm";
    save_model(points, path, f);
    EXPECT_EQ(load_model(path), points);
    std::remove(path.c_str());
  }
  // A probability model's fingerprint does not depend on the scorecard fields it does not use.
  Model moved = probability;
  moved.points_base = 1;
  EXPECT_EQ(model_fingerprint(moved), model_fingerprint(probability));
}

TEST(Calibration, CalibrationFieldsAreCheckedAndPersisted) {
  Model m;
  m.calibrated = 1;
  m.calibration_intercept = -3;
  m.weights = {2, 0, 0, 0, 0, 0, 1};
  EXPECT_NO_THROW(validate(m));
  Model none = m;
  none.weights.fill(0);
  EXPECT_NO_THROW(validate(none));  // a calibrated model may score the base rate only
  none.calibrated = 0;
  EXPECT_THROW(validate(none), InvalidInput);
  Model half = m;
  half.calibrated = 0.5;
  EXPECT_THROW(validate(half), InvalidInput);
  half.calibrated = 3;
  EXPECT_THROW(validate(half), InvalidInput);
  // The bands of a points model are points, anywhere finite; of other models, in [0, 100].
  Model points = m;
  points.calibrated = 2;
  points.band_moderate = -40;
  points.band_high = 200;
  points.band_critical = 700;
  EXPECT_NO_THROW(validate(points));
  points.calibrated = 1;
  EXPECT_THROW(validate(points), InvalidInput);
  Model far = m;
  far.calibration_intercept = 5000;
  EXPECT_THROW(validate(far), InvalidInput);
  EXPECT_EQ(*model_field(m, "calibration_intercept"), -3);
  for (ArchiveFormat f : {ArchiveFormat::xml, ArchiveFormat::binary}) {
    const std::string path = testing::TempDir() + "calibrated_" + std::to_string(getpid()) + ".crm";
    save_model(m, path, f);
    EXPECT_EQ(load_model(path), m);
    std::remove(path.c_str());
  }
}

}  // namespace
