#include "clientrisk/calibrate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "clientrisk/metrics.hpp"

using namespace clientrisk;

namespace {

// n rows of p standard normal columns and outcomes drawn from a logistic model.
struct Data {
  Eigen::MatrixXd X;
  std::vector<double> y;
};

Data simulate(Eigen::Index n, const std::vector<double>& coef, double intercept, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z;
  std::uniform_real_distribution<double> u(0, 1);
  const auto p = static_cast<Eigen::Index>(coef.size());
  Data d{Eigen::MatrixXd(n, p), std::vector<double>(static_cast<std::size_t>(n))};
  for (Eigen::Index i = 0; i < n; ++i) {
    double eta = intercept;
    for (Eigen::Index j = 0; j < p; ++j) {
      d.X(i, j) = z(rng);
      eta += coef[static_cast<std::size_t>(j)] * d.X(i, j);
    }
    d.y[static_cast<std::size_t>(i)] = u(rng) < 1 / (1 + std::exp(-eta)) ? 1 : 0;
  }
  return d;
}

// The gradient of the penalised log-likelihood at a fit.
Eigen::VectorXd gradient(const Data& d, const LogisticFit& f, double l2) {
  Eigen::VectorXd r(d.X.rows());
  for (Eigen::Index i = 0; i < d.X.rows(); ++i) {
    const double eta = f.intercept + d.X.row(i).dot(f.coef);
    r(i) = d.y[static_cast<std::size_t>(i)] - 1 / (1 + std::exp(-eta));
  }
  Eigen::VectorXd g(d.X.cols() + 1);
  g.head(d.X.cols()) = d.X.transpose() * r - l2 * f.coef;
  g(d.X.cols()) = r.sum();
  return g;
}

TEST(Logistic, RecoversTheCoefficientsAndZeroesTheGradient) {
  const Data d = simulate(200000, {1.0, -0.5, 0.25, 0.0}, -1.0, 1);
  const LogisticFit f = fit_logistic(d.X, d.y);
  EXPECT_TRUE(f.converged);
  EXPECT_LT(f.iterations, 15);
  EXPECT_NEAR(f.coef(0), 1.0, 0.03);
  EXPECT_NEAR(f.coef(1), -0.5, 0.03);
  EXPECT_NEAR(f.coef(2), 0.25, 0.03);
  EXPECT_NEAR(f.coef(3), 0.0, 0.03);
  EXPECT_NEAR(f.intercept, -1.0, 0.03);
  EXPECT_LT(gradient(d, f, 0).cwiseAbs().maxCoeff(), 1e-6);
  // Standard errors of about 1 / sqrt(n p (1 - p)) for standard normal columns.
  for (Eigen::Index j = 0; j < 4; ++j) {
    EXPECT_GT(f.std_error(j), 0.004);
    EXPECT_LT(f.std_error(j), 0.01);
  }
  EXPECT_LT(f.log_likelihood, 0);
}

// A column in cents beside one in units (or in millions): the fit is the same model, each
// coefficient divided by its column's factor. Before the Newton system was scaled to a unit
// diagonal, a factor of 10^6 stopped the fit with a false "no convergence".
TEST(Logistic, ColumnsOfVeryDifferentMagnitudesFitAsOnTheirOwnScale) {
  const Data d = simulate(50000, {1.0, -0.5, 0.8}, -0.5, 11);
  const LogisticFit base = fit_logistic(d.X, d.y);
  for (const double factor : {1e6, 1e9, 1e-6}) {
    SCOPED_TRACE(factor);
    Eigen::MatrixXd X = d.X;
    X.col(1) *= factor;
    X.col(2) *= 1 / factor;
    for (const bool non_negative : {false, true}) {
      LogisticOptions o;
      o.non_negative = non_negative;
      const LogisticFit ref = non_negative ? fit_logistic(d.X, d.y, o) : base;
      const LogisticFit f = fit_logistic(X, d.y, o);
      EXPECT_TRUE(f.converged);
      EXPECT_LT(f.iterations, 15);
      EXPECT_NEAR(f.coef(0), ref.coef(0), 1e-8);
      EXPECT_NEAR(f.coef(1) * factor, ref.coef(1), 1e-8);
      EXPECT_NEAR(f.coef(2) / factor, ref.coef(2), 1e-8);
      EXPECT_NEAR(f.intercept, ref.intercept, 1e-8);
      EXPECT_NEAR(f.std_error(1) * factor, ref.std_error(1), 1e-8);
      EXPECT_NEAR(f.std_error(2) / factor, ref.std_error(2), 1e-8);
      EXPECT_NEAR(f.log_likelihood, ref.log_likelihood, 1e-6);
    }
  }
}

TEST(Logistic, TheFitIsTheSameBitsWhateverTheThreads) {
  // Rows over several chunks, the last one partial, and a row-major layout as from numpy.
  const Data d = simulate(70001, {0.5, -0.25, 0.75}, -0.5, 7);
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows = d.X;
  LogisticOptions o;
  o.l2 = 0.5;
  const LogisticFit one = fit_logistic(d.X, d.y, o);
  for (unsigned threads : {2u, 3u, 0u}) {
    o.threads = threads;
    for (const LogisticFit& f : {fit_logistic(d.X, d.y, o), fit_logistic(rows, d.y, o)}) {
      EXPECT_EQ(f.iterations, one.iterations);
      EXPECT_EQ(f.intercept, one.intercept);
      EXPECT_EQ(f.log_likelihood, one.log_likelihood);
      for (Eigen::Index j = 0; j < 3; ++j) {
        EXPECT_EQ(f.coef(j), one.coef(j)) << "threads " << threads;
        EXPECT_EQ(f.std_error(j), one.std_error(j));
      }
    }
  }
  o.threads = max_threads + 1;
  EXPECT_THROW(fit_logistic(d.X, d.y, o), InvalidInput);
}

// The distance in units in the last place between two positive doubles.
std::int64_t ulps(double a, double b) {
  std::int64_t ia, ib;
  std::memcpy(&ia, &a, sizeof a);
  std::memcpy(&ib, &b, sizeof b);
  return ia > ib ? ia - ib : ib - ia;
}

TEST(Logistic, TheVectorExponentialIsWithinTwoUlp) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> wide(-708, 0), narrow(-1, 0);
  std::vector<double> xs = {0.0, -0.0, -1e-300, -1e-17, -0.34657359027997264, -0.34657359027997270, -1, -700, -708};
  for (int i = 0; i < 200000; ++i) xs.push_back(i % 2 ? wide(rng) : narrow(rng));
  for (std::size_t i = 0; i < xs.size(); ++i) {
    detail::Lanes v = detail::Lanes{} + xs[i];
    detail::exp_nonpositive(v);
    for (std::size_t l = 0; l < detail::lane_count; ++l) ASSERT_EQ(v[l], v[0]);
    ASSERT_LE(ulps(v[0], std::exp(xs[i])), 2) << "exp(" << xs[i] << ")";
  }
  // Below -708 the value stays at exp(-708), so the weights of such rows are tiny but not 0.
  detail::Lanes floor = detail::Lanes{} - 708.0;
  detail::exp_nonpositive(floor);
  for (double x : {-708.5, -745.0, -1e300, -std::numeric_limits<double>::infinity()}) {
    detail::Lanes v = detail::Lanes{} + x;
    detail::exp_nonpositive(v);
    EXPECT_EQ(v[0], floor[0]) << x;
  }
}

#if CLIENTRISK_X86_DISPATCH
// The AVX2 build of the pass over the rows against the baseline one, where the CPU has AVX2:
// the same bits for a block with a partial last quad, including rows whose |z| is huge.
TEST(Logistic, TheAvx2PassGivesTheBaselineBits) {
  if (!detail::has_avx2()) GTEST_SKIP() << "this CPU has no AVX2";
  constexpr std::size_t ld = detail::logistic_block_rows, rows = 253, k = 6, width = 8;
  std::mt19937_64 rng(11);
  std::normal_distribution<double> z;
  std::vector<double> x(width * ld), y(ld);
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t r = 0; r < ld; ++r) x[j * ld + r] = j + 1 == k ? 1.0 : z(rng) * (r % 50 == 0 ? 400.0 : 1.0);
  for (std::size_t r = 0; r < ld; ++r) y[r] = rng() % 3 == 0 ? 1 : 0;
  const std::vector<double> b = {0.7, -1.3, 0.2, 2.5, -0.4, -0.9};
  struct Out {
    std::vector<double> wx = std::vector<double>(k * ld), res = std::vector<double>(ld);
    std::vector<double> g = std::vector<double>(width * 4), h = std::vector<double>(k * width * 4);
    detail::LogisticLanes s{{}, {}, g.data(), h.data()};
  } base, avx;
  for (int pass = 0; pass < 2; ++pass) {  // the second adds onto the first's sums
    detail::logistic_block_baseline({x.data(), y.data(), rows, k, width, b.data(), base.wx.data(), base.res.data()}, base.s);
    detail::logistic_block_avx2({x.data(), y.data(), rows, k, width, b.data(), avx.wx.data(), avx.res.data()}, avx.s);
  }
  for (std::size_t l = 0; l < 4; ++l) {
    EXPECT_EQ(ulps(-avx.s.ll[l], -base.s.ll[l]), 0);
    EXPECT_EQ(avx.s.largest[l], base.s.largest[l]);
  }
  EXPECT_LT(base.s.ll[0], 0);
  EXPECT_EQ(avx.g, base.g);
  EXPECT_EQ(avx.h, base.h);
  EXPECT_EQ(avx.res, base.res);
  EXPECT_NE(base.h[0], 0);
}
#endif

TEST(Logistic, L2ShrinksAndZeroesThePenalisedGradient) {
  const Data d = simulate(2000, {2.0, -1.0}, 0.5, 2);
  const LogisticFit plain = fit_logistic(d.X, d.y);
  LogisticOptions o;
  o.l2 = 100;
  const LogisticFit shrunk = fit_logistic(d.X, d.y, o);
  EXPECT_LT(shrunk.coef.norm(), plain.coef.norm());
  EXPECT_LT(gradient(d, shrunk, o.l2).cwiseAbs().maxCoeff(), 1e-7);
}

TEST(Logistic, NonNegativeHoldsAtZeroWhereTheDataWantsNegative) {
  const Data d = simulate(20000, {1.0, -0.8, 0.5}, 0.0, 3);
  LogisticOptions o;
  o.non_negative = true;
  const LogisticFit f = fit_logistic(d.X, d.y, o);
  EXPECT_TRUE(f.converged);
  EXPECT_EQ(f.coef(1), 0.0);
  EXPECT_EQ(f.std_error(1), 0.0);
  EXPECT_GT(f.coef(0), 0.5);
  EXPECT_GT(f.coef(2), 0.2);
  // KKT: zero gradient on the free coefficients, pushing below zero on the held one.
  const Eigen::VectorXd g = gradient(d, f, 0);
  EXPECT_LT(std::abs(g(0)), 1e-6);
  EXPECT_LT(std::abs(g(2)), 1e-6);
  EXPECT_LT(std::abs(g(3)), 1e-6);
  EXPECT_LT(g(1), 0);
}

TEST(Logistic, SeparatedClassesNeedL2) {
  Eigen::MatrixXd X(6, 1);
  X << -3, -2, -1, 1, 2, 3;
  const std::vector<double> y = {0, 0, 0, 1, 1, 1};
  try {
    (void)fit_logistic(X, y);
    ADD_FAILURE() << "no error";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("separate"), std::string::npos) << e.what();
  }
  LogisticOptions o;
  o.l2 = 1;
  const LogisticFit f = fit_logistic(X, y, o);
  EXPECT_TRUE(f.converged);
  EXPECT_TRUE(std::isfinite(f.coef(0)) && f.coef(0) > 0);
}

TEST(Logistic, BadInputsNameTheProblem) {
  const Data d = simulate(100, {1.0, 0.5}, 0.0, 4);
  auto message = [](auto&& call) {
    try {
      call();
    } catch (const InvalidInput& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  Eigen::MatrixXd constant = d.X;
  constant.col(1).setConstant(3);
  EXPECT_NE(message([&] { fit_logistic(constant, d.y); }).find("column 1 is constant"), std::string::npos);
  LogisticOptions ridge;
  ridge.l2 = 1;
  EXPECT_NO_THROW(fit_logistic(constant, d.y, ridge));
  Eigen::MatrixXd nan = d.X;
  nan(7, 0) = std::nan("");
  EXPECT_NE(message([&] { fit_logistic(nan, d.y); }).find("row 7, column 0"), std::string::npos);
  std::vector<double> ones(d.y.size(), 1.0);
  EXPECT_NE(message([&] { fit_logistic(d.X, ones); }).find("both classes"), std::string::npos);
  std::vector<double> two = d.y;
  two[3] = 2;
  EXPECT_NE(message([&] { fit_logistic(d.X, two); }).find("row 3 is not 0 or 1"), std::string::npos);
  EXPECT_NE(message([&] { fit_logistic(d.X.topRows(3), std::vector<double>{0, 1, 0}); }).find("too few"),
            std::string::npos);
  EXPECT_NE(message([&] { fit_logistic(d.X, std::vector<double>{0, 1}); }).find("100 rows but 2 outcomes"),
            std::string::npos);
  // Finite values whose squares overflow: an error naming the column, not an endless ridge.
  Eigen::MatrixXd huge = d.X;
  huge.col(1) *= 1e300;
  EXPECT_NE(message([&] { fit_logistic(huge, d.y); }).find("column 1: its values are too large"), std::string::npos);
}

TEST(Metrics, AucCountsTiesHalfAndKsIsTheLargestGap) {
  const std::vector<double> s = {0.1, 0.4, 0.35, 0.8}, y = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(auc(s, y), 0.75);
  EXPECT_DOUBLE_EQ(gini(s, y), 0.5);
  EXPECT_DOUBLE_EQ(ks(s, y), 0.5);
  const std::vector<double> tied = {1, 1, 2}, ty = {0, 1, 1};
  EXPECT_DOUBLE_EQ(auc(tied, ty), 0.75);
  const std::vector<double> all_tied = {5, 5, 5, 5};
  EXPECT_DOUBLE_EQ(auc(all_tied, y), 0.5);
  EXPECT_DOUBLE_EQ(ks(all_tied, y), 0.0);
  EXPECT_THROW(auc(s, std::vector<double>{1, 1, 1, 1}), InvalidInput);
  EXPECT_THROW(auc(s, std::vector<double>{0, 1}), InvalidInput);
  EXPECT_THROW(auc(std::vector<double>{0, std::nan("")}, std::vector<double>{0, 1}), InvalidInput);
}

TEST(Metrics, BrierLogLossCalibrationAndPsi) {
  const std::vector<double> p = {0.1, 0.9, 0.8, 0.3}, y = {0, 1, 0, 0};
  EXPECT_DOUBLE_EQ(brier(p, y), (0.01 + 0.01 + 0.64 + 0.09) / 4);
  EXPECT_NEAR(log_loss(p, y), -(std::log(0.9) + std::log(0.9) + std::log(0.2) + std::log(0.7)) / 4, 1e-15);
  EXPECT_NEAR(log_loss(std::vector<double>{0.0}, std::vector<double>{1}), -std::log(1e-15), 1e-9);
  const auto table = calibration_table(p, y, 2);
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table[0].rows, 2u);
  EXPECT_DOUBLE_EQ(table[0].mean_predicted, 0.2);
  EXPECT_DOUBLE_EQ(table[0].observed_rate, 0.0);
  EXPECT_DOUBLE_EQ(table[1].mean_predicted, 0.85);
  EXPECT_DOUBLE_EQ(table[1].observed_rate, 0.5);
  EXPECT_THROW(calibration_table(p, y, 5), InvalidInput);
  EXPECT_THROW(brier(std::vector<double>{1.5}, std::vector<double>{1}), InvalidInput);

  std::vector<double> a(1000), b(1000);
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<double>(i);
    b[i] = static_cast<double>(i) + 500;  // half the mass moved past the top edge
  }
  EXPECT_DOUBLE_EQ(psi(a, a), 0.0);
  EXPECT_GT(psi(a, b), 0.25);
  EXPECT_THROW(psi(a, std::vector<double>{}), InvalidInput);
}

}  // namespace
