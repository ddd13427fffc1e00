#include "clientrisk/factors.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "clientrisk/engine.hpp"
#include "test_events.hpp"

using namespace clientrisk;
using namespace clientrisk::test;

namespace {

// --- events -------------------------------------------------------------------------------

double sub_of(const std::vector<Event>& events, const std::string& client, Date as_of, Factor f) {
  Engine engine;
  engine.post(events);
  return engine.score(client, as_of).sub[at(f)];
}

// Every value in [0, 1], none below the one before; the sweep must move (else it tests nothing).
void expect_monotone_sweep(const std::vector<double>& v, const std::string& what) {
  ASSERT_GE(v.size(), 2u);
  for (std::size_t i = 0; i < v.size(); ++i) {
    EXPECT_GE(v[i], 0.0) << what << " at step " << i;
    EXPECT_LE(v[i], 1.0) << what << " at step " << i;
    if (i > 0) {
      EXPECT_GE(v[i], v[i - 1]) << what << ": step " << i << " lowered the sub-score";
    }
  }
  EXPECT_LT(v.front(), v.back()) << what << ": the sweep did not move the sub-score";
}

// Scores as of d an engine given history and later events (all dated after d) and one given
// only history: every client, every bit, the same clients listed.
void expect_later_events_ignored(const std::vector<Event>& history, const std::vector<Event>& later, Date d) {
  for (const Event& e : later) ASSERT_GT(e.date, d) << "test setup: a later event is not after the as-of date";
  std::vector<Event> everything = later;  // later first: the posting order must not matter either
  everything.insert(everything.end(), history.begin(), history.end());
  Engine all, cut;
  all.post(everything);
  cut.post(history);
  const ScoreTable a = all.score_all(d), b = cut.score_all(d);
  ASSERT_EQ(a.size(), b.size());
  std::map<std::string, std::size_t> row_of;
  for (std::size_t r = 0; r < a.size(); ++r) row_of[std::string(all.client_id(a.client[r]))] = r;
  for (std::size_t rb = 0; rb < b.size(); ++rb) {
    const std::string id(cut.client_id(b.client[rb]));
    ASSERT_TRUE(row_of.count(id)) << id << " is not listed by the engine holding later events";
    const auto ra = static_cast<Eigen::Index>(row_of[id]);
    const auto rbi = static_cast<Eigen::Index>(rb);
    EXPECT_EQ(bits(a.score(ra)), bits(b.score(rbi))) << id;
    for (int k = 0; k < factor_count; ++k) {
      EXPECT_EQ(bits(a.sub(ra, k)), bits(b.sub(rbi, k))) << id << " " << factor_names[static_cast<std::size_t>(k)];
      EXPECT_EQ(bits(a.contribution(ra, k)), bits(b.contribution(rbi, k))) << id;
    }
    const Score sa = all.score(id, d), sb = cut.score(id, d);
    for (int k = 0; k < feature_count; ++k)
      EXPECT_EQ(bits(sa.features[static_cast<std::size_t>(k)]), bits(sb.features[static_cast<std::size_t>(k)]))
          << id << " " << feature_names[static_cast<std::size_t>(k)];
    EXPECT_EQ(sa.key, sb.key) << id;
    EXPECT_EQ(sa.reasons, sb.reasons) << id;
  }
}

// --- feature rows -------------------------------------------------------------------------

FeatureRow clean_row() {
  FeatureRow f{};
  f[at(Feature::paydex)] = 80;  // a prompt payer; 0 would mean the worst payer
  return f;
}

SubScores subs_of(const FeatureRow& f) {
  SubScores s;
  evaluate_factors(f.data(), Model{}, s);
  return s;
}

// Valid, arbitrary rows from a fixed seed (own uniform mapping: the same on every platform).
std::vector<FeatureRow> random_rows(std::size_t n) {
  std::mt19937_64 rng(20240601);
  auto u = [&](double lo, double hi) { return lo + (hi - lo) * static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  auto whole = [&](int hi) { return static_cast<double>(rng() % static_cast<std::uint64_t>(hi + 1)); };
  std::vector<FeatureRow> rows;
  for (std::size_t i = 0; i < n; ++i) {
    FeatureRow f{};
    f[at(Feature::paydex)] = u(0, 100);
    f[at(Feature::days_past_due_max)] = whole(400);
    f[at(Feature::open_amount)] = u(0, 2e6);
    f[at(Feature::overdue_amount)] = u(0, f[at(Feature::open_amount)]);
    f[at(Feature::amount_over_90)] = u(0, f[at(Feature::overdue_amount)]);
    f[at(Feature::write_off_amount)] = u(0, 1e5);
    f[at(Feature::complaint_severity)] = u(0, 20);
    f[at(Feature::return_share)] = u(0, 0.3);
    f[at(Feature::dispute_count)] = u(0, 4);
    f[at(Feature::disputed_share)] = u(0, 0.5);
    f[at(Feature::cancellations_early)] = whole(4);
    f[at(Feature::cancellations_at_term)] = whole(4);
    f[at(Feature::contracts_held)] = whole(12);
    f[at(Feature::revenue_share)] = u(0, 0.5);
    f[at(Feature::seasonality_cv)] = u(0, 2);
    f[at(Feature::seasonality_swing)] = u(0, 1);
    f[at(Feature::seasonality_months)] = whole(24);
    f[at(Feature::review_weight)] = u(0, 8);
    f[at(Feature::rating_mean)] = f[at(Feature::review_weight)] > 0 ? u(1, 5) : 0;
    f[at(Feature::negative_review_share)] = u(0, 1);
    f[at(Feature::lawyer_letters)] = whole(2);
    f[at(Feature::formal_notices)] = whole(2);
    f[at(Feature::lawsuits)] = whole(1);
    f[at(Feature::litigations)] = whole(1);
    rows.push_back(f);
  }
  return rows;
}

// A driver of a factor and the direction of "more risk": from `from` to `to`.
struct Driver {
  Factor factor;
  Feature feature;
  double from, to;
  bool whole;  // a count: sweep whole numbers only
};

const std::vector<Driver>& drivers() {
  static const std::vector<Driver> all = {
      {Factor::non_payment, Feature::amount_over_90, 0, 2e6, false},
      {Factor::non_payment, Feature::days_past_due_max, 0, 400, true},
      {Factor::non_payment, Feature::overdue_amount, 0, 2e6, false},
      {Factor::non_payment, Feature::write_off_amount, 0, 1e7, false},
      {Factor::non_payment, Feature::paydex, 100, 0, false},
      {Factor::dissatisfaction, Feature::complaint_severity, 0, 500, false},
      {Factor::dissatisfaction, Feature::return_share, 0, 1, false},
      {Factor::dissatisfaction, Feature::dispute_count, 0, 100, false},
      {Factor::dissatisfaction, Feature::disputed_share, 0, 1, false},
      {Factor::cancellation, Feature::cancellations_early, 0, 50, true},
      {Factor::cancellation, Feature::cancellations_at_term, 0, 50, true},
      {Factor::cancellation, Feature::contracts_held, 60, 0, true},
      {Factor::concentration, Feature::revenue_share, 0, 1, false},
      {Factor::seasonality, Feature::seasonality_cv, 0, 5, false},
      {Factor::seasonality, Feature::seasonality_swing, 0, 1, false},
      {Factor::seasonality, Feature::seasonality_months, 0, 24, true},
      {Factor::reputation, Feature::rating_mean, 5, 1, false},
      {Factor::reputation, Feature::negative_review_share, 0, 1, false},
      {Factor::reputation, Feature::review_weight, 0, 200, false},
      {Factor::legal, Feature::lawsuits, 0, 20, true},
      {Factor::legal, Feature::litigations, 0, 20, true},
      {Factor::legal, Feature::formal_notices, 0, 20, true},
      {Factor::legal, Feature::lawyer_letters, 0, 20, true},
  };
  return all;
}

// Sweeps every driver of `factor` on the clean row and on random rows; the factor's sub-score
// never decreases along a sweep, and stays in [0, 1].
void expect_monotone_in_drivers(Factor factor) {
  std::vector<FeatureRow> bases = random_rows(150);
  bases.insert(bases.begin(), clean_row());
  int moved = 0;
  for (const Driver& drv : drivers()) {
    if (drv.factor != factor) continue;
    const int steps = drv.whole ? static_cast<int>(std::abs(drv.to - drv.from)) : 400;
    for (std::size_t b = 0; b < bases.size(); ++b) {
      FeatureRow f = bases[b];
      if (drv.feature == Feature::rating_mean && f[at(Feature::review_weight)] == 0) f[at(Feature::review_weight)] = 1;
      double previous = -1;
      for (int i = 0; i <= steps; ++i) {
        f[at(drv.feature)] = drv.from + (drv.to - drv.from) * i / steps;
        ASSERT_EQ(feature_problem(f.data()), "") << "test setup";
        const double s = subs_of(f)[at(factor)];
        ASSERT_GE(s, 0.0) << to_string(drv.feature);
        ASSERT_LE(s, 1.0) << to_string(drv.feature);
        ASSERT_GE(s, previous) << to_string(factor) << " fell as " << to_string(drv.feature) << " rose to "
                               << f[at(drv.feature)] << " (base row " << b << ")";
        if (i > 0 && s > previous) ++moved;
        previous = s;
      }
    }
  }
  EXPECT_GT(moved, 0) << "no sweep moved " << to_string(factor);
}

// The sub-score as one driver grows by decades from `half`: 1 - s shrinks and ends below tol.
void expect_tends_to_one(Factor factor, FeatureRow f, Feature driver, double start, double tol) {
  double gap = 2;
  for (double v = start; v <= start * 1e12; v *= 10) {
    f[at(driver)] = v;
    const double s = subs_of(f)[at(factor)];
    EXPECT_LE(s, 1.0);
    EXPECT_LE(1 - s, gap) << to_string(driver) << " = " << v;
    gap = 1 - s;
  }
  EXPECT_LT(gap, tol) << to_string(factor) << " does not tend to 1 with " << to_string(driver);
}

// The clean portfolio: 40 prompt payers of equal size over 24 months, scored mid-December 2024.
const ScoreTable& clean_portfolio(Engine*& engine_out) {
  static Engine engine;
  static const ScoreTable table = [] {
    const Date until = day("2024-12-15");
    std::vector<Event> events;
    for (int c = 0; c < 40; ++c) {
      auto one = prompt_payer("client-" + std::to_string(c), 24, 123456, until);
      events.insert(events.end(), one.begin(), one.end());
    }
    engine.post(events);
    return engine.score_all(until);
  }();
  engine_out = &engine;
  return table;
}

void expect_zero_for_clean_history(Factor f) {
  Engine* engine = nullptr;
  const ScoreTable& t = clean_portfolio(engine);
  ASSERT_EQ(t.size(), 40u);
  for (Eigen::Index r = 0; r < static_cast<Eigen::Index>(t.size()); ++r)
    EXPECT_EQ(t.sub(r, static_cast<Eigen::Index>(at(f))), 0.0) << engine->client_id(t.client[static_cast<std::size_t>(r)]);
  EXPECT_EQ(subs_of(clean_row())[at(f)], 0.0);
}

}  // namespace

// --- every factor: zero for a clean history --------------------------------------------------

TEST(NonPaymentFactor, IsZeroForACleanHistory) { expect_zero_for_clean_history(Factor::non_payment); }
TEST(DissatisfactionFactor, IsZeroForACleanHistory) { expect_zero_for_clean_history(Factor::dissatisfaction); }
TEST(CancellationFactor, IsZeroForACleanHistory) { expect_zero_for_clean_history(Factor::cancellation); }
TEST(ConcentrationFactor, IsZeroForACleanHistory) { expect_zero_for_clean_history(Factor::concentration); }
TEST(SeasonalityFactor, IsZeroForACleanHistory) { expect_zero_for_clean_history(Factor::seasonality); }
TEST(ReputationFactor, IsZeroForACleanHistory) { expect_zero_for_clean_history(Factor::reputation); }
TEST(LegalFactor, IsZeroForACleanHistory) { expect_zero_for_clean_history(Factor::legal); }

// --- every factor: monotone in its drivers, on feature rows ----------------------------------

TEST(NonPaymentFactor, IsMonotoneInItsDriversOnFeatureRows) { expect_monotone_in_drivers(Factor::non_payment); }
TEST(DissatisfactionFactor, IsMonotoneInItsDriversOnFeatureRows) { expect_monotone_in_drivers(Factor::dissatisfaction); }
TEST(CancellationFactor, IsMonotoneInItsDriversOnFeatureRows) { expect_monotone_in_drivers(Factor::cancellation); }
TEST(ConcentrationFactor, IsMonotoneInItsDriversOnFeatureRows) { expect_monotone_in_drivers(Factor::concentration); }
TEST(SeasonalityFactor, IsMonotoneInItsDriversOnFeatureRows) { expect_monotone_in_drivers(Factor::seasonality); }
TEST(ReputationFactor, IsMonotoneInItsDriversOnFeatureRows) { expect_monotone_in_drivers(Factor::reputation); }
TEST(LegalFactor, IsMonotoneInItsDriversOnFeatureRows) { expect_monotone_in_drivers(Factor::legal); }

// --- every factor: saturates, on feature rows --------------------------------------------------

TEST(NonPaymentFactor, ReachesOneOnFeatureRows) {
  FeatureRow f = clean_row();
  f[at(Feature::amount_over_90)] = Model{}.material_amount_cents;
  EXPECT_EQ(subs_of(f)[at(Factor::non_payment)], 1.0);
  f = clean_row();
  f[at(Feature::paydex)] = Model{}.paydex_severe;
  EXPECT_EQ(subs_of(f)[at(Factor::non_payment)], 1.0);
  f[at(Feature::paydex)] = 0;
  EXPECT_EQ(subs_of(f)[at(Factor::non_payment)], 1.0);
  expect_tends_to_one(Factor::non_payment, clean_row(), Feature::write_off_amount, 25000, 1e-9);
}

TEST(DissatisfactionFactor, TendsToOneOnFeatureRows) {
  expect_tends_to_one(Factor::dissatisfaction, clean_row(), Feature::complaint_severity, 5, 1e-9);
  expect_tends_to_one(Factor::dissatisfaction, clean_row(), Feature::dispute_count, 1.5, 1e-9);
  FeatureRow f = clean_row();
  f[at(Feature::return_share)] = 1;
  f[at(Feature::disputed_share)] = 1;
  f[at(Feature::complaint_severity)] = 1e300;
  f[at(Feature::dispute_count)] = 1e300;
  EXPECT_EQ(subs_of(f)[at(Factor::dissatisfaction)], 1.0);
}

TEST(CancellationFactor, TendsToOneOnFeatureRows) {
  FeatureRow f = clean_row();
  f[at(Feature::contracts_held)] = 1;
  expect_tends_to_one(Factor::cancellation, f, Feature::cancellations_at_term, 1, 1e-9);
}

TEST(ConcentrationFactor, ReachesOneOnFeatureRows) {
  FeatureRow f = clean_row();
  f[at(Feature::revenue_share)] = Model{}.concentration_share_high;
  EXPECT_EQ(subs_of(f)[at(Factor::concentration)], 1.0);
  f[at(Feature::revenue_share)] = 1;
  EXPECT_EQ(subs_of(f)[at(Factor::concentration)], 1.0);
}

TEST(SeasonalityFactor, ReachesOneOnFeatureRows) {
  FeatureRow f = clean_row();
  f[at(Feature::seasonality_months)] = 24;
  f[at(Feature::seasonality_swing)] = 1;
  EXPECT_EQ(subs_of(f)[at(Factor::seasonality)], 1.0);
  f[at(Feature::seasonality_swing)] = 0;
  f[at(Feature::seasonality_cv)] = 1e300;
  EXPECT_EQ(subs_of(f)[at(Factor::seasonality)], 1.0);
}

TEST(SeasonalityFactor, NeedsTheMinimumHistoryOnFeatureRows) {
  FeatureRow f = clean_row();
  f[at(Feature::seasonality_swing)] = 1;
  f[at(Feature::seasonality_cv)] = 3;
  f[at(Feature::seasonality_months)] = Model{}.seasonality_min_months - 1;
  EXPECT_EQ(subs_of(f)[at(Factor::seasonality)], 0.0);
  f[at(Feature::seasonality_months)] = Model{}.seasonality_min_months;
  EXPECT_EQ(subs_of(f)[at(Factor::seasonality)], 1.0);
}

TEST(ReputationFactor, TendsToOneOnFeatureRows) {
  FeatureRow f = clean_row();
  f[at(Feature::rating_mean)] = 1;
  f[at(Feature::negative_review_share)] = 1;
  expect_tends_to_one(Factor::reputation, f, Feature::review_weight, 1, 1e-9);
}

TEST(LegalFactor, ReachesOneOnFeatureRows) {
  FeatureRow f = clean_row();
  f[at(Feature::lawsuits)] = 1;
  EXPECT_EQ(subs_of(f)[at(Factor::legal)], 1.0);
  f = clean_row();
  f[at(Feature::litigations)] = 1;
  EXPECT_EQ(subs_of(f)[at(Factor::legal)], 1.0);
  double previous = 0;
  f = clean_row();
  for (int n = 1; n <= 60; ++n) {
    f[at(Feature::lawyer_letters)] = n;
    const double s = subs_of(f)[at(Factor::legal)];
    if (n <= 40) {
      EXPECT_GT(s, previous) << n << " lawyer letters";
    }
    EXPECT_GE(s, previous) << n << " lawyer letters";
    EXPECT_LE(s, 1.0);
    previous = s;
  }
  EXPECT_GT(previous, 1 - 1e-12);
}

// The legal factor's chance that no notice turns costly, for any count: by squaring where counts
// live, std::pow past them (a snapshot's state may hold counts no ledger reaches).
TEST(LegalFactor, SurvivalIsDefinedForEveryCount) {
  for (double s : {0.0, 1e-9, 0.25, 1.0}) {
    EXPECT_EQ(detail::survive(s, 0), 1.0);
    EXPECT_DOUBLE_EQ(detail::survive(s, 3), (1 - s) * (1 - s) * (1 - s));
    EXPECT_NEAR(detail::survive(s, 1048575), std::pow(1 - s, 1048575.0), 1e-9);  // the rounding of 40 products
    for (double n : {1048576.0, 4294967296.0, 9.85e15, 1e300})
      EXPECT_EQ(detail::survive(s, n), std::pow(1 - s, n)) << s << " " << n;
  }
}

TEST(Factors, StayInZeroOneAtTheLimitsOfEveryFeature) {
  // The largest and smallest values feature_problem() accepts.
  FeatureRow hi{}, lo{};
  for (int k = 0; k < feature_count; ++k) hi[static_cast<std::size_t>(k)] = 1e300;
  for (Feature share : {Feature::return_share, Feature::disputed_share, Feature::revenue_share,
                        Feature::seasonality_swing, Feature::negative_review_share})
    hi[at(share)] = 1;
  hi[at(Feature::paydex)] = 100;
  hi[at(Feature::rating_mean)] = 5;
  for (Feature count : {Feature::cancellations_early, Feature::cancellations_at_term, Feature::contracts_held,
                        Feature::seasonality_months, Feature::lawyer_letters, Feature::formal_notices,
                        Feature::lawsuits, Feature::litigations})
    hi[at(count)] = 999999;
  for (const FeatureRow& f : {hi, lo, clean_row()}) {
    ASSERT_EQ(feature_problem(f.data()), "");
    const SubScores s = subs_of(f);
    for (int k = 0; k < factor_count; ++k) {
      EXPECT_GE(s[static_cast<std::size_t>(k)], 0.0) << factor_names[static_cast<std::size_t>(k)];
      EXPECT_LE(s[static_cast<std::size_t>(k)], 1.0) << factor_names[static_cast<std::size_t>(k)];
    }
    double score = 0;
    score_features(f.data(), 1, feature_count, Model{}, &score, nullptr);
    EXPECT_GE(score, 0.0);
    EXPECT_LE(score, 100.0);
  }
}

// score_features (four rows at a time in AVX2 lanes where the CPU has it) against each row
// scored alone: its sub-scores times the points, summed left to right and clamped.
TEST(Factors, ScoreFeaturesGivesEachRowTheBitsOfTheRowAlone) {
  std::vector<FeatureRow> rows = random_rows(4001);
  rows[5] = clean_row();
  rows[6][at(Feature::paydex)] = 0;
  rows[6][at(Feature::lawsuits)] = 999999;
  rows[6][at(Feature::amount_over_90)] = 1e300;
  std::vector<double> got(rows.size());
  std::vector<Band> bands(rows.size());
  score_features(rows.front().data(), rows.size(), feature_count, Model{}, got.data(), bands.data());
  const auto points = factor_points(Model{});
  for (std::size_t r = 0; r < rows.size(); ++r) {
    SubScores sub = subs_of(rows[r]);
    for (int k = 0; k < factor_count; ++k) sub[static_cast<std::size_t>(k)] *= points(k);
    const double want = sum_contributions(sub.data());
    ASSERT_EQ(std::memcmp(&got[r], &want, sizeof want), 0) << "row " << r << ": " << got[r] << " vs " << want;
    ASSERT_EQ(bands[r], band_of(want, Model{})) << "row " << r;
  }
  EXPECT_EQ(got[5], 0.0);
  EXPECT_EQ(bands[6], Band::critical);
}

#if CLIENTRISK_X86_DISPATCH
// The AVX2 build of the feature-matrix validation against the baseline one, where the CPU has
// AVX2: the same first bad row for every kind of bad value in every column; and score_features
// in the widest build the CPU has.
TEST(Factors, Avx2ValidationMatchesTheBaselineOne) {
  if (!detail::has_avx2()) GTEST_SKIP() << "this CPU has no AVX2";
  std::vector<FeatureRow> rows = random_rows(2000);
  rows.push_back(clean_row());
  const std::size_t n = rows.size();
  ASSERT_EQ(detail::first_bad_row_portable(rows.front().data(), n, feature_count), n);
  ASSERT_EQ(detail::first_bad_row_avx2(rows.front().data(), n, feature_count), n);
  const double bad[] = {-1.0, -0.0, 0.5, 1.5, 6.0, 101.0, 1e6, 1e301, std::nan(""), INFINITY, -INFINITY};
  for (std::size_t k = 0; k < feature_count; ++k) {
    for (double v : bad) {
      std::vector<FeatureRow> m(rows.begin(), rows.begin() + 40);
      m[17][k] = v;
      const std::size_t want = detail::first_bad_row_portable(m.front().data(), m.size(), feature_count);
      EXPECT_EQ(detail::first_bad_row_avx2(m.front().data(), m.size(), feature_count), want)
          << to_string(static_cast<Feature>(k)) << " = " << v;
      EXPECT_EQ(want == 17, feature_problem(m[17].data()) != "") << to_string(static_cast<Feature>(k)) << " = " << v;
      // score_features reads and checks the rows four at a time: the error names the same row.
      for (std::size_t bad_row : {std::size_t{16}, std::size_t{17}, std::size_t{18}, std::size_t{19}, std::size_t{38}}) {
        std::vector<FeatureRow> q(rows.begin(), rows.begin() + 39);
        q[bad_row][k] = v;
        const bool refused = feature_problem(q[bad_row].data()) != "";
        std::vector<double> got(q.size(), -1.0);
        try {
          score_features(q.front().data(), q.size(), feature_count, Model{}, got.data(), nullptr);
          EXPECT_FALSE(refused) << to_string(static_cast<Feature>(k)) << " = " << v << " in row " << bad_row;
        } catch (const InvalidInput& e) {
          EXPECT_TRUE(refused) << e.what();
          EXPECT_NE(std::string(e.what()).find("row " + std::to_string(bad_row) + ":"), std::string::npos) << e.what();
          EXPECT_EQ(std::count(got.begin(), got.end(), -1.0), static_cast<std::ptrdiff_t>(q.size()));
        }
      }
      if (v < 0 || !(v <= 1e300)) {
        EXPECT_EQ(want, 17u) << to_string(static_cast<Feature>(k)) << " = " << v;
      }
    }
  }
}

// Each instruction set's build of the lanes (AVX2, AVX-512), called directly whatever the CPU
// would pick, against each row alone: every row count up to a few vectors and a tail, the
// sub-scores and scores bit for bit, and the first bad row found in every lane.
template <class ScoreRows, class EvaluateRows>
void expect_lanes_match_rows_alone(ScoreRows score_rows, EvaluateRows evaluate_rows, const char* isa) {
  std::vector<FeatureRow> rows = random_rows(41);
  rows[3] = clean_row();
  rows[9] = FeatureRow{};  // zeros: no open amount, no reviews
  rows[12].fill(-0.0);
  rows[20][at(Feature::open_amount)] = 0;
  rows[20][at(Feature::review_weight)] = 0;
  rows[20][at(Feature::rating_mean)] = 0;
  const Model model;
  const FactorConstants k(model);
  const auto points = factor_points(model);
  // Each count of rows, row-major (stride 24) and 27 doubles apart with NaN between the rows,
  // each in a buffer of its own size, so that AddressSanitizer sees a read past the last row.
  for (std::size_t stride : {std::size_t{feature_count}, std::size_t{27}}) {
    for (std::size_t n = 0; n <= rows.size(); ++n) {
      std::vector<double> x(n * stride, std::nan(""));
      for (std::size_t r = 0; r < n; ++r) std::copy(rows[r].begin(), rows[r].end(), x.begin() + static_cast<std::ptrdiff_t>(r * stride));
      std::vector<double> got(n + 1, -1.0), sub(n * factor_count + 1, -1.0);
      ASSERT_EQ(score_rows(x.data(), n, stride, k, points.data(), got.data()), n) << isa << " " << n << " rows, stride " << stride;
      evaluate_rows(x.data(), n, stride, k, sub.data());
      for (std::size_t r = 0; r < n; ++r) {
        SubScores want = subs_of(rows[r]);
        ASSERT_EQ(std::memcmp(&sub[r * factor_count], want.data(), sizeof want), 0) << isa << " row " << r << " of " << n;
        for (int q = 0; q < factor_count; ++q) want[static_cast<std::size_t>(q)] *= points(q);
        const double score = sum_contributions(want.data());
        ASSERT_EQ(std::memcmp(&got[r], &score, sizeof score), 0) << isa << " row " << r << " of " << n;
      }
      EXPECT_EQ(got[n], -1.0) << isa << ": wrote past " << n << " scores";
      EXPECT_EQ(sub[n * factor_count], -1.0) << isa << ": wrote past " << n << " rows of sub-scores";
    }
  }
  // Every kind of value in every column of each row of 19 (two vectors of eight and a tail, or
  // four of four and a tail), with a bad one further on: the first row the baseline check
  // refuses is the one named. The kinds: each column's largest value and the next double up,
  // denormals of both signs, -0, halves, NaN of both signs and infinities.
  const double denormal = std::numeric_limits<double>::denorm_min();
  for (std::size_t col = 0; col < feature_count; ++col) {
    const double top = detail::feature_max[col];
    for (double v : {top, std::nextafter(top, INFINITY), top - 0.5, denormal, -denormal, -1.0, -0.0, 0.5, 1.5, 6.0,
                     101.0, 1e6, 1e301, std::nan(""), -std::nan(""), double{INFINITY}, double{-INFINITY}}) {
      for (std::size_t at_row = 0; at_row < 19; ++at_row) {
        std::vector<FeatureRow> m(rows.begin(), rows.begin() + 19);
        m[at_row][col] = v;
        if (at_row + 3 < m.size()) m[at_row + 3][at(Feature::paydex)] = -1;
        const std::size_t want = detail::first_bad_row_portable(m.front().data(), m.size(), feature_count);
        std::vector<double> got(m.size());
        ASSERT_EQ(score_rows(m.front().data(), m.size(), feature_count, k, points.data(), got.data()), want)
            << isa << " " << to_string(static_cast<Feature>(col)) << " = " << v << " in row " << at_row;
      }
    }
  }
  // With denormals taken for zeros (the CPU mode -ffast-math sets), the one-row check accepts
  // a denormal anywhere, a negative one too, and so must the lanes.
  const unsigned mxcsr = _mm_getcsr();
  _mm_setcsr(mxcsr | 0x40);  // DAZ
  for (double v : {denormal, -denormal}) {
    for (std::size_t col : {std::size_t{0}, std::size_t{5}, at(Feature::lawsuits)}) {
      std::vector<FeatureRow> m(rows.begin(), rows.begin() + 19);
      m[10][col] = v;
      std::vector<double> got(m.size());
      const std::size_t want = detail::first_bad_row_portable(m.front().data(), m.size(), feature_count);
      const std::size_t found = score_rows(m.front().data(), m.size(), feature_count, k, points.data(), got.data());
      _mm_setcsr(mxcsr);
      ASSERT_EQ(want, m.size());
      ASSERT_EQ(found, want) << isa << " " << to_string(static_cast<Feature>(col)) << " = " << v << " with DAZ";
      _mm_setcsr(mxcsr | 0x40);
    }
  }
  _mm_setcsr(mxcsr);
}

TEST(Factors, Avx2LanesGiveEachRowTheBitsOfTheRowAlone) {
  if (!detail::has_avx2()) GTEST_SKIP() << "this CPU has no AVX2";
  expect_lanes_match_rows_alone(detail::avx2::score_rows, detail::avx2::evaluate_rows, "AVX2");
}

TEST(Factors, Avx512LanesGiveEachRowTheBitsOfTheRowAlone) {
  if (!detail::has_avx512f()) GTEST_SKIP() << "this CPU has no AVX-512";
  expect_lanes_match_rows_alone(detail::avx512::score_rows, detail::avx512::evaluate_rows, "AVX-512");
}
#endif

// --- non_payment through the engine ----------------------------------------------------------

TEST(NonPaymentFactor, GrowsAsAnOverdueInvoiceAgesAndReachesOne) {
  Engine engine;
  engine.post(invoice(day("2024-01-01"), "late", "F1", 500000, day("2024-01-31")));
  std::vector<double> v;
  for (Date d = day("2024-01-01"); d <= day("2024-12-31"); d = d + 1)
    v.push_back(engine.score("late", d).sub[at(Factor::non_payment)]);
  expect_monotone_sweep(v, "non_payment by days past due");
  EXPECT_EQ(v[static_cast<std::size_t>(day("2024-01-31") - day("2024-01-01"))], 0.0) << "on the due date";
  EXPECT_EQ(v[static_cast<std::size_t>(day("2024-05-01") - day("2024-01-01"))], 1.0) << "91 days past due";
  EXPECT_EQ(v.back(), 1.0);
}

TEST(NonPaymentFactor, GrowsWithTheOverdueAmount) {
  std::vector<double> v;
  for (std::int64_t cents : {1, 10, 100, 1000, 10000, 25000, 50000, 100000, 500000, 5000000}) {
    v.push_back(sub_of({invoice(day("2024-01-01"), "c", "F1", cents, day("2024-01-31"))}, "c", day("2024-03-16"),
                       Factor::non_payment));
  }
  expect_monotone_sweep(v, "non_payment by overdue amount");
}

TEST(NonPaymentFactor, GrowsWithLatenessOfPaymentAndReachesOne) {
  std::vector<double> v;
  for (int late = -30; late <= 150; late += 5) {
    const Date due = day("2024-01-31");
    v.push_back(sub_of({invoice(day("2024-01-01"), "c", "F1", 100000, due), payment(due + late, "c", "F1", 100000)},
                       "c", day("2024-07-01"), Factor::non_payment));
  }
  expect_monotone_sweep(v, "non_payment by days beyond terms");
  EXPECT_EQ(v.front(), 0.0) << "paid 30 days early";
  EXPECT_EQ(v.back(), 1.0) << "paid 150 days late";
}

TEST(NonPaymentFactor, MoreWriteOffsNeverLowerIt) {
  // A large write-off, then small invoices (not yet due) written off one after another.
  std::vector<Event> events = {invoice(day("2024-01-05"), "c", "BIG", 1000000, day("2024-02-04")),
                               write_off(day("2024-03-01"), "c", "BIG", 1000000)};
  for (int k = 1; k <= 4; ++k)
    events.push_back(invoice(day("2024-06-01"), "c", "S" + std::to_string(k), 100, day("2024-07-01")));
  std::vector<double> v;
  for (int k = 0; k <= 4; ++k) {
    if (k > 0) events.push_back(write_off(day("2024-06-01") + k, "c", "S" + std::to_string(k), 100));
    Engine engine;
    engine.post(events);
    const Score s = engine.score("c", day("2024-06-10"));
    v.push_back(s.sub[at(Factor::non_payment)]);
    EXPECT_EQ(s.features[at(Feature::write_off_amount)], 1000000.0 + 100.0 * k)
        << k << " small write-offs after the large one";
  }
  for (std::size_t i = 1; i < v.size(); ++i)
    EXPECT_GE(v[i], v[i - 1]) << "writing off " << i << " more small invoice(s) lowered non_payment";
}

TEST(NonPaymentFactor, IgnoresLaterEvents) {
  const Date d = day("2024-06-15");
  const std::vector<Event> history = {
      invoice(day("2024-01-01"), "a", "F1", 200000, day("2024-01-31")),
      invoice(day("2024-03-01"), "a", "F2", 100000, day("2024-03-31")),
      payment(day("2024-03-25"), "a", "F2", 100000),
      invoice(day("2024-05-01"), "a", "F3", 300000, day("2024-05-31")),
      write_off(day("2024-06-15"), "a", "F3", 1000),
      invoice(day("2024-02-01"), "b", "F1", 50000, day("2024-03-01")),
  };
  const std::vector<Event> later = {
      payment(day("2024-06-16"), "a", "F1", 200000),
      write_off(day("2024-06-20"), "a", "F3", 299000),
      invoice(day("2024-06-16"), "a", "F4", 50000, day("2024-06-17")),
      payment(day("2024-07-01"), "a", "", 5000),
      payment(day("2024-09-01"), "a", "F4", 50000),
      payment(day("2024-06-16"), "b", "", 50000),
      invoice(day("2024-06-20"), "new", "F1", 900000, day("2024-06-21")),
  };
  expect_later_events_ignored(history, later, d);
}

// --- dissatisfaction through the engine -------------------------------------------------------

TEST(DissatisfactionFactor, GrowsWithComplaintsAndTendsToOne) {
  std::vector<double> v;
  for (int n : {0, 1, 2, 5, 10, 20, 50, 100, 300}) {
    std::vector<Event> events = {invoice(day("2024-01-10"), "c", "F1", 100000, day("2024-02-09"))};
    for (int k = 0; k < n; ++k) events.push_back(complaint(day("2024-03-01"), "c", 5));
    v.push_back(sub_of(events, "c", day("2024-03-01"), Factor::dissatisfaction));
  }
  expect_monotone_sweep(v, "dissatisfaction by complaints");
  EXPECT_EQ(v.front(), 0.0);
  EXPECT_GT(v.back(), 0.99);
}

TEST(DissatisfactionFactor, GrowsWithReturnsAndDisputes) {
  std::vector<double> returns, disputes;
  for (std::int64_t cents : {0, 100, 1000, 5000, 20000, 50000, 100000}) {
    std::vector<Event> events = {invoice(day("2024-01-10"), "c", "F1", 100000, day("2024-02-09"))};
    if (cents > 0) events.push_back(returned(day("2024-01-20"), "c", "F1", cents));
    returns.push_back(sub_of(events, "c", day("2024-01-20"), Factor::dissatisfaction));
  }
  for (int n = 0; n <= 12; ++n) {
    std::vector<Event> events;
    for (int k = 0; k < 12; ++k)
      events.push_back(invoice(day("2024-01-10"), "c", "F" + std::to_string(k), 100000, day("2024-02-09")));
    for (int k = 0; k < n; ++k) events.push_back(dispute(day("2024-01-20"), "c", "F" + std::to_string(k), 30000));
    disputes.push_back(sub_of(events, "c", day("2024-01-20"), Factor::dissatisfaction));
  }
  expect_monotone_sweep(returns, "dissatisfaction by returned amount");
  expect_monotone_sweep(disputes, "dissatisfaction by disputes");
}

TEST(DissatisfactionFactor, IgnoresLaterEvents) {
  const Date d = day("2024-04-30");
  const std::vector<Event> history = {
      invoice(day("2024-01-10"), "a", "F1", 100000, day("2024-02-09")),
      invoice(day("2024-02-10"), "a", "F2", 100000, day("2024-03-11")),
      complaint(day("2024-02-01"), "a", 2),
      dispute(day("2024-02-20"), "a", "F2", 20000),
      returned(day("2024-03-01"), "a", "F1", 5000),
  };
  const std::vector<Event> later = {
      complaint(day("2024-05-01"), "a", 5),       dispute(day("2024-05-02"), "a", "F1", 90000),
      resolve(day("2024-05-03"), "a", "F2", "settled"), returned(day("2024-05-04"), "a", "", 40000),
      invoice(day("2024-05-05"), "a", "F3", 700000, day("2024-06-04")), complaint(day("2024-12-01"), "z", 5),
  };
  expect_later_events_ignored(history, later, d);
}

// --- cancellation through the engine ----------------------------------------------------------

TEST(CancellationFactor, GrowsWithCancellations) {
  std::vector<double> v;
  for (int n = 0; n <= 10; ++n) {
    std::vector<Event> events;
    for (int k = 0; k < 10; ++k) events.push_back(contract(day("2024-01-01"), "c", "K" + std::to_string(k)));
    for (int k = 0; k < n; ++k) events.push_back(cancel(day("2024-03-01"), "c", "K" + std::to_string(k), "early"));
    v.push_back(sub_of(events, "c", day("2024-03-01"), Factor::cancellation));
  }
  expect_monotone_sweep(v, "cancellation by early cancellations");
  EXPECT_EQ(v.front(), 0.0);
}

TEST(CancellationFactor, MoreCancellationsNeverLowerIt) {
  // A large customer with 100 contracts cancels six early, then more at term.
  std::vector<Event> events;
  for (int k = 0; k < 100; ++k) events.push_back(contract(day("2023-06-01"), "c", "K" + std::to_string(k)));
  std::vector<double> v;
  for (int n = 0; n <= 10; ++n) {
    if (n > 0)
      events.push_back(cancel(day("2024-02-01") + n, "c", "K" + std::to_string(n), n <= 6 ? "early" : "at_term"));
    v.push_back(sub_of(events, "c", day("2024-03-01"), Factor::cancellation));
  }
  for (std::size_t i = 1; i < v.size(); ++i)
    EXPECT_GE(v[i], v[i - 1]) << "cancellation number " << i << " lowered the cancellation sub-score";
}

TEST(CancellationFactor, IgnoresLaterEvents) {
  const Date d = day("2024-06-30");
  std::vector<Event> history;
  for (int k = 0; k < 5; ++k) history.push_back(contract(day("2024-01-01"), "a", "K" + std::to_string(k)));
  history.push_back(cancel(day("2024-03-01"), "a", "K0", "at_term"));
  const std::vector<Event> later = {
      cancel(day("2024-07-01"), "a", "K1", "early"),
      cancel(day("2024-07-01"), "a", "K2", "early"),
      contract(day("2024-07-02"), "a", "K9"),
      cancel(day("2024-08-01"), "a", "K9", "early"),
  };
  expect_later_events_ignored(history, later, d);
}

// --- concentration through the engine ----------------------------------------------------------

TEST(ConcentrationFactor, GrowsWithRevenueShareAndReachesOne) {
  std::vector<double> v;
  for (std::int64_t monthly : {1000, 10000, 50000, 100000, 300000, 600000, 1000000, 5000000}) {
    std::vector<Event> events;
    for (int c = 0; c < 20; ++c) {
      for (int m = 1; m <= 12; ++m)
        events.push_back(invoice(month_start(2024, m), "peer" + std::to_string(c), "F" + std::to_string(m), 100000,
                                 month_start(2024, m) + 30));
    }
    for (int m = 1; m <= 12; ++m)
      events.push_back(
          invoice(month_start(2024, m), "big", "F" + std::to_string(m), monthly, month_start(2024, m) + 30));
    v.push_back(sub_of(events, "big", day("2024-12-15"), Factor::concentration));
  }
  expect_monotone_sweep(v, "concentration by revenue share");
  EXPECT_EQ(v.front(), 0.0);
  EXPECT_EQ(v.back(), 1.0);
}

TEST(ConcentrationFactor, IgnoresLaterEvents) {
  const Date d = day("2024-06-15");
  std::vector<Event> history;
  for (int m = 1; m <= 6; ++m) {
    history.push_back(invoice(month_start(2024, m), "a", "F" + std::to_string(m), 100000, month_start(2024, m) + 30));
    history.push_back(invoice(month_start(2024, m), "b", "F" + std::to_string(m), 300000, month_start(2024, m) + 30));
  }
  const std::vector<Event> later = {
      invoice(day("2024-06-16"), "a", "G1", 5000000, day("2024-07-16")),  // same month as the as-of date
      invoice(day("2024-06-30"), "b", "G1", 10, day("2024-07-16")),
      invoice(day("2024-06-20"), "newcomer", "G1", 90000000, day("2024-07-20")),
      invoice(day("2024-09-01"), "a", "G2", 5000000, day("2024-10-01")),
  };
  expect_later_events_ignored(history, later, d);
}

// --- seasonality through the engine -----------------------------------------------------------

namespace {
// 24 months from January 2023: high in January to March, low the rest of the year, the gap
// growing with `tenths` (0: flat; 10: nothing outside the season).
std::vector<Event> seasonal(const std::string& client, int tenths) {
  std::vector<Event> out;
  for (int k = 0; k < 24; ++k) {
    const int month = k % 12 + 1;
    const std::int64_t cents = month <= 3 ? 120000 + 36000 * tenths : 120000 - 12000 * tenths;
    if (cents == 0) continue;
    const Date issued = month_start(2023 + k / 12, month);
    out.push_back(invoice(issued, client, "F" + std::to_string(k), cents, issued + 30));
  }
  return out;
}
}  // namespace

TEST(SeasonalityFactor, GrowsWithTheSeasonalSwingAndReachesOne) {
  std::vector<double> v;
  for (int tenths = 0; tenths <= 10; ++tenths)
    v.push_back(sub_of(seasonal("c", tenths), "c", day("2024-12-15"), Factor::seasonality));
  expect_monotone_sweep(v, "seasonality by swing");
  EXPECT_EQ(v.front(), 0.0);
  EXPECT_EQ(v.back(), 1.0);
}

TEST(SeasonalityFactor, NeedsSixCompletedMonths) {
  Engine engine;
  engine.post(seasonal("c", 10));
  // First invoice January 2023: five completed months by mid-June, six by mid-July.
  EXPECT_EQ(engine.score("c", day("2023-06-15")).sub[at(Factor::seasonality)], 0.0);
  EXPECT_GT(engine.score("c", day("2023-07-15")).sub[at(Factor::seasonality)], 0.0);
}

TEST(SeasonalityFactor, IgnoresLaterEvents) {
  const Date d = day("2024-06-15");
  const std::vector<Event> history = seasonal("a", 3);
  std::vector<Event> cut, later;
  for (const Event& e : history) (e.date <= d ? cut : later).push_back(e);
  later.push_back(invoice(day("2024-06-20"), "a", "X1", 9000000, day("2024-07-20")));
  later.push_back(invoice(day("2024-06-16"), "b", "X1", 100, day("2024-07-20")));
  ASSERT_FALSE(later.empty());
  expect_later_events_ignored(cut, later, d);
}

// --- reputation through the engine ------------------------------------------------------------

TEST(ReputationFactor, GrowsWithBadReviewsAndTendsToOne) {
  std::vector<double> v;
  for (int n : {0, 1, 2, 5, 10, 20, 50, 100, 300}) {
    std::vector<Event> events;
    for (int k = 0; k < 10; ++k) events.push_back(review(day("2024-03-01"), "c", 5));
    for (int k = 0; k < n; ++k) events.push_back(review(day("2024-03-01"), "c", 1));
    v.push_back(sub_of(events, "c", day("2024-03-01"), Factor::reputation));
  }
  expect_monotone_sweep(v, "reputation by one-star reviews");
  EXPECT_EQ(v.front(), 0.0);
  EXPECT_GT(v.back(), 0.99);
}

TEST(ReputationFactor, IsZeroWithoutReviews) {
  EXPECT_EQ(sub_of({complaint(day("2024-03-01"), "c", 1)}, "c", day("2024-03-01"), Factor::reputation), 0.0);
}

TEST(ReputationFactor, IgnoresLaterEvents) {
  const Date d = day("2024-03-31");
  const std::vector<Event> history = {review(day("2024-01-05"), "a", 4), review(day("2024-02-05"), "a", 2),
                                      review(day("2024-03-31"), "a", 5)};
  const std::vector<Event> later = {review(day("2024-04-01"), "a", 1), review(day("2024-04-01"), "a", 1),
                                    review(day("2025-04-01"), "a", 5), review(day("2024-04-02"), "b", 1)};
  expect_later_events_ignored(history, later, d);
}

// --- legal through the engine -----------------------------------------------------------------

TEST(LegalFactor, GrowsWithLawyerLetters) {
  std::vector<double> v;
  for (int n = 0; n <= 5; ++n) {
    std::vector<Event> events = {complaint(day("2024-01-01"), "c", 1)};
    for (int k = 0; k < n; ++k) events.push_back(notice(day("2024-01-02") + 7 * k, "c", "lawyer_letter"));
    v.push_back(sub_of(events, "c", day("2024-03-31"), Factor::legal));
  }
  expect_monotone_sweep(v, "legal by lawyer letters");
  EXPECT_EQ(v.front(), 0.0);
}

TEST(LegalFactor, OneLawsuitOrLitigationSaturatesIt) {
  EXPECT_EQ(sub_of({notice(day("2024-01-02"), "c", "lawsuit")}, "c", day("2024-03-31"), Factor::legal), 1.0);
  const std::vector<Event> litigated = {invoice(day("2024-01-02"), "c", "F1", 100000, day("2024-02-01")),
                                        dispute(day("2024-01-10"), "c", "F1", 100000),
                                        resolve(day("2024-02-10"), "c", "F1", "litigation")};
  EXPECT_EQ(sub_of(litigated, "c", day("2024-03-31"), Factor::legal), 1.0);
}

TEST(LegalFactor, MoreNoticesNeverLowerIt) {
  // A lawsuit, then the lawyer letters and formal notices that usually come with it.
  std::vector<Event> events = {notice(day("2024-01-02"), "c", "lawsuit")};
  std::vector<double> v = {sub_of(events, "c", day("2024-06-30"), Factor::legal)};
  for (int k = 1; k <= 8; ++k) {
    events.push_back(notice(day("2024-02-01") + 7 * k, "c", k % 2 ? "lawyer_letter" : "formal_notice"));
    v.push_back(sub_of(events, "c", day("2024-06-30"), Factor::legal));
  }
  EXPECT_EQ(v.front(), 1.0);
  for (std::size_t i = 1; i < v.size(); ++i)
    EXPECT_GE(v[i], v[i - 1]) << "notice number " << i << " after the lawsuit lowered the legal sub-score";
}

TEST(LegalFactor, IgnoresLaterEvents) {
  const Date d = day("2024-06-30");
  const std::vector<Event> history = {notice(day("2024-02-01"), "a", "lawyer_letter"),
                                      invoice(day("2024-01-02"), "a", "F1", 100000, day("2024-02-01")),
                                      dispute(day("2024-01-10"), "a", "F1", 100000)};
  const std::vector<Event> later = {notice(day("2024-07-01"), "a", "lawsuit"),
                                    resolve(day("2024-07-02"), "a", "F1", "litigation"),
                                    notice(day("2024-07-01"), "b", "formal_notice")};
  expect_later_events_ignored(history, later, d);
}

namespace {

// --- batch evaluation ------------------------------------------------------------------------

// Random valid rows, with the edge cases of every branch: nothing open, no reviews, too few
// months to judge seasonality, zero and large counts, shares at 0 and 1.
std::vector<double> random_feature_rows(std::size_t rows, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> x(rows * feature_count);
  for (std::size_t r = 0; r < rows; ++r) {
    double* f = x.data() + r * feature_count;
    for (int k = 0; k < feature_count; ++k) {
      const auto i = static_cast<std::size_t>(k);
      const double pick = u(rng);
      double v;
      if (detail::feature_whole[i])
        v = pick < 0.4 ? 0 : pick < 0.9 ? std::floor(u(rng) * 12) : std::floor(u(rng) * (detail::feature_max[i] + 1));
      else if (detail::feature_max[i] <= 100)
        v = pick < 0.2 ? 0 : pick < 0.3 ? detail::feature_max[i] : u(rng) * detail::feature_max[i];
      else
        v = pick < 0.3 ? 0 : std::exp(u(rng) * 30);  // up to about 1e13 cents
      f[k] = std::min(v, detail::feature_max[i]);
    }
    EXPECT_TRUE(feature_row_ok(f)) << "row " << r << ": " << feature_problem(f);
  }
  return x;
}

TEST(BatchEvaluation, GivesEachRowTheBitsOfTheOneRowForm) {
  constexpr std::size_t rows = 20003;  // not a multiple of four: the tail goes one row at a time
  const std::vector<double> x = random_feature_rows(rows, 11);
  Model m;
  m.seasonality_min_months = 6;
  for (const Model& model : {Model{}, m}) {
    std::vector<double> batch(rows * factor_count);
    evaluate_factor_rows(x.data(), rows, feature_count, model, batch.data());
    int differ = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      SubScores one;
      evaluate_factors(x.data() + r * feature_count, model, one);
      for (int k = 0; k < factor_count; ++k)
        differ += bits(one[static_cast<std::size_t>(k)]) != bits(batch[r * factor_count + static_cast<std::size_t>(k)]);
    }
    EXPECT_EQ(differ, 0);
  }
}

}  // namespace
