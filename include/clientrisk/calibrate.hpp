// Logistic regression of 0/1 outcomes on a numeric matrix by Newton's method (iteratively
// reweighted least squares) on Eigen: LDLT of the Hessian, step-halving on the penalised
// log-likelihood, a growing ridge when the Hessian is not safely positive definite, optional
// L2 penalty and optional non-negative coefficients (projected Newton on the free set).
// docs/calibration.md gives the method and its limits.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "clientrisk/detail/logistic.hpp"
#include "clientrisk/detail/parallel.hpp"
#include "clientrisk/error.hpp"

namespace clientrisk {
inline namespace v1 {
namespace detail {
// Whether an Eigen expression is row-major with its rows stored contiguously (numpy's layout).
template <typename D, typename = void>
struct row_major_dense : std::false_type {};
template <typename D>
struct row_major_dense<D, std::enable_if_t<bool(D::IsRowMajor) && (int(D::Flags) & Eigen::DirectAccessBit) != 0>>
    : std::bool_constant<D::InnerStrideAtCompileTime == 1> {};
// Whether it is column-major with its columns stored contiguously (Eigen's default layout).
template <typename D, typename = void>
struct column_major_dense : std::false_type {};
template <typename D>
struct column_major_dense<D, std::enable_if_t<!bool(D::IsRowMajor) && (int(D::Flags) & Eigen::DirectAccessBit) != 0>>
    : std::bool_constant<D::InnerStrideAtCompileTime == 1> {};
}  // namespace detail

struct LogisticOptions {
  double l2 = 0;              // penalty l2/2 * |coef|^2 (never on the intercept)
  bool intercept = true;      // fit an intercept
  bool non_negative = false;  // keep every coefficient >= 0 (the intercept is free)
  int max_iterations = 100;
  double tolerance = 1e-10;  // on the largest Newton step, relative to the coefficients, each in its column's units
  // Threads sharing the rows (0: one per hardware thread). The fit is the same bits whatever
  // the number: the rows are summed in chunks of fixed size, in chunk order.
  unsigned threads = 1;
};

struct LogisticFit {
  Eigen::VectorXd coef;       // one per column
  double intercept = 0;       // 0 without one
  Eigen::VectorXd std_error;  // of coef, from the inverse Hessian (penalised when l2 > 0); 0 for a coefficient held at its bound
  double intercept_std_error = 0;
  double log_likelihood = 0;  // unpenalised, at the solution
  int iterations = 0;
  bool converged = false;

  // P(bad) for one row of the fitted columns.
  double probability(std::span<const double> row) const {
    double eta = intercept;
    for (std::size_t j = 0; j < row.size(); ++j) eta += coef(static_cast<Eigen::Index>(j)) * row[j];
    return 1 / (1 + std::exp(-eta));
  }
};

// Fits P(y = 1 | x) = 1 / (1 + exp(-(b + x . coef))) by maximum (penalised) likelihood.
// X: rows x columns (any Eigen layout); y: 0/1 per row. Throws InvalidInput for bad input, with
// the row and column: non-finite values, outcomes other than 0 and 1, a single class, fewer
// rows than coefficients, a constant column beside the intercept without l2, perfectly
// separated classes without l2 (their maximum-likelihood coefficients are infinite).
template <typename Derived>
LogisticFit fit_logistic(const Eigen::MatrixBase<Derived>& X, std::span<const double> y, const LogisticOptions& o = {}) {
  const Eigen::Index n = X.rows(), p = X.cols();
  const Eigen::Index k = p + (o.intercept ? 1 : 0);  // coefficients, intercept last
  if (static_cast<std::size_t>(n) != y.size())
    throw InvalidInput("calibrate: " + std::to_string(n) + " rows but " + std::to_string(y.size()) + " outcomes");
  if (p == 0) throw InvalidInput("calibrate: no columns");
  if (!(o.l2 >= 0) || !std::isfinite(o.l2)) throw InvalidInput("calibrate: l2 must be a finite number >= 0");
  if (o.max_iterations < 1) throw InvalidInput("calibrate: max_iterations must be at least 1");
  if (!(o.tolerance > 0)) throw InvalidInput("calibrate: tolerance must be > 0");
  if (o.threads > max_threads)
    throw InvalidInput("calibrate: threads " + std::to_string(o.threads) + " is more than " + std::to_string(max_threads));
  if (n < k + 1)
    throw InvalidInput("calibrate: " + std::to_string(n) + " rows are too few for " + std::to_string(k) +
                       " coefficients (at least " + std::to_string(k + 1) + ")");
  Eigen::Index bads = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double v = y[static_cast<std::size_t>(i)];
    if (v != 0 && v != 1) throw InvalidInput("calibrate: outcome of row " + std::to_string(i) + " is not 0 or 1");
    bads += v == 1;
    for (Eigen::Index j = 0; j < p; ++j)
      if (!std::isfinite(X(i, j)))
        throw InvalidInput("calibrate: row " + std::to_string(i) + ", column " + std::to_string(j) + " is not a finite number");
  }
  if (bads == 0 || bads == n)
    throw InvalidInput(std::string("calibrate: every outcome is ") + (bads == 0 ? "0" : "1") + "; it needs both classes");
  if (o.l2 == 0)
    for (Eigen::Index j = 0; j < p; ++j)
      if ((X.col(j).array() == X(0, j)).all())
        throw InvalidInput("calibrate: column " + std::to_string(j) + " is constant (" + std::to_string(X(0, j)) + ")" +
                           (o.intercept ? ", the same as the intercept" : "") + "; drop it or set l2 > 0");

  Eigen::VectorXd beta = Eigen::VectorXd::Zero(k);
  if (o.intercept) beta(p) = std::log(static_cast<double>(bads) / static_cast<double>(n - bads));
  Eigen::VectorXd g(k);
  Eigen::MatrixXd H(k, k);
  // One pass over the rows at b: the log-likelihood, the gradient into gn and the Hessian into
  // Hn; largest gets the largest |y - mu|. The rows go in chunks of fixed size, summed in chunk
  // order whatever the threads, so the bits do not depend on their number. Within a chunk a
  // block of rows at a time is copied into a column-major buffer that stays in the cache, with
  // a column of ones for the intercept, and detail::logistic_block sums it four rows at a time.
  constexpr Eigen::Index block = detail::logistic_block_rows, chunk = 64 * block;
  const Eigen::Index chunks = (n + chunk - 1) / chunk;
  const unsigned threads = detail::thread_count(o.threads, static_cast<std::size_t>(chunks), 1);
  const auto width = static_cast<std::size_t>((k + 3) / 4 * 4);
  struct Partial {
    double ll = 0, largest = 0;
    Eigen::VectorXd g;
    Eigen::MatrixXd H;
  };
  std::vector<Partial> parts(static_cast<std::size_t>(chunks));
  auto evaluate_chunks = [&](const Eigen::VectorXd& b, std::size_t first, std::size_t last) {
    std::vector<double> xb(width * block), yb(block), wx(static_cast<std::size_t>(k) * block), res(block);
    if (o.intercept) std::fill_n(xb.data() + static_cast<std::size_t>(p) * block, block, 1.0);
    Eigen::Map<Eigen::MatrixXd, 0, Eigen::OuterStride<>> xm(xb.data(), block, p, Eigen::OuterStride<>(block));
    std::vector<double> lanes_g(width * detail::lane_count), lanes_h(static_cast<std::size_t>(k) * width * detail::lane_count);
    for (std::size_t c = first; c < last; ++c) {
      detail::LogisticLanes sums{{}, {}, lanes_g.data(), lanes_h.data()};
      std::fill(lanes_g.begin(), lanes_g.end(), 0.0);
      std::fill(lanes_h.begin(), lanes_h.end(), 0.0);
      const Eigen::Index end = std::min(n, static_cast<Eigen::Index>(c + 1) * chunk);
      for (Eigen::Index r0 = static_cast<Eigen::Index>(c) * chunk; r0 < end; r0 += block) {
        const Eigen::Index rows = std::min(block, end - r0), next = std::min(block, n - r0 - rows);
        detail::LogisticBlock blk{xb.data(), yb.data(), static_cast<std::size_t>(rows), static_cast<std::size_t>(k), width,
                                  b.data(),  wx.data(), res.data()};
        if constexpr (detail::row_major_dense<Derived>::value) {
          blk.source = X.derived().data() + r0 * X.derived().outerStride();
          blk.stride = static_cast<std::size_t>(X.derived().outerStride());
          blk.columns = static_cast<std::size_t>(p);
          if (next > 0) {
            blk.ahead = blk.source + rows * X.derived().outerStride();
            blk.ahead_bytes = static_cast<std::size_t>((next - 1) * X.derived().outerStride() + p) * sizeof(double);
          }
        } else {
          xm.topRows(rows) = X.middleRows(r0, rows);
          if constexpr (detail::column_major_dense<Derived>::value) {
            if (next > 0) {
              blk.ahead = X.derived().data() + r0 + rows;
              blk.ahead_bytes = static_cast<std::size_t>(next) * sizeof(double);
              blk.ahead_segments = static_cast<std::size_t>(p);
              blk.ahead_gap = static_cast<std::size_t>(X.derived().outerStride()) * sizeof(double);
            }
          }
        }
        // The last quad of y is read whole: a partial one is read from a padded copy.
        if (rows % 4 == 0)
          blk.y = y.data() + r0;
        else
          std::copy_n(y.data() + r0, rows, yb.data());
        detail::logistic_block(blk, sums);
      }
      Partial& part = parts[c];
      part.ll = detail::lanes_sum(sums.ll);
      part.largest = std::max(std::max(sums.largest[0], sums.largest[1]), std::max(sums.largest[2], sums.largest[3]));
      part.g.resize(k);
      part.H.setZero(k, k);
      for (Eigen::Index j = 0; j < k; ++j) {
        part.g(j) = detail::lanes_sum(lanes_g.data() + static_cast<std::size_t>(j) * detail::lane_count);
        for (Eigen::Index i = 0; i <= j; ++i)
          part.H(j, i) = detail::lanes_sum(lanes_h.data() + (static_cast<std::size_t>(j) * width + static_cast<std::size_t>(i)) * detail::lane_count);
      }
    }
  };
  auto evaluate = [&](const Eigen::VectorXd& b, Eigen::VectorXd& gn, Eigen::MatrixXd& Hn, double& largest) {
    detail::parallel_rows(static_cast<std::size_t>(chunks), threads, 1,
                          [&](unsigned, std::size_t first, std::size_t last) { evaluate_chunks(b, first, last); });
    gn.setZero();
    Hn.setZero();
    largest = 0;
    double ll = 0;
    for (const Partial& part : parts) {
      ll += part.ll;
      largest = std::max(largest, part.largest);
      gn += part.g;
      Hn += part.H;
    }
    for (Eigen::Index j = 0; j < k; ++j)
      for (Eigen::Index i = 0; i < j; ++i) Hn(i, j) = Hn(j, i);
    gn.head(p) -= o.l2 * b.head(p);
    Hn.topLeftCorner(p, p).diagonal().array() += o.l2;
    return ll - 0.5 * o.l2 * b.head(p).squaredNorm();
  };
  // A coefficient at its bound of 0 that the gradient pushes below stays fixed.
  auto fixed = [&](const Eigen::VectorXd& b, Eigen::Index j) { return o.non_negative && j < p && b(j) <= 0 && g(j) <= 0; };

  LogisticFit fit;
  double largest = 0;
  double current = evaluate(beta, g, H, largest);
  // The typical size of each column (its root mean square, from the Hessian at the start, where
  // every row has the same weight; 1 for the intercept), so that the stopping rule reads each
  // coefficient in the units of its column: a column in cents and one in units converge alike.
  Eigen::VectorXd unit(k);
  {
    const double p0 = o.intercept ? static_cast<double>(bads) / static_cast<double>(n) : 0.5;
    const double weight = static_cast<double>(n) * p0 * (1 - p0);
    for (Eigen::Index j = 0; j < k; ++j) {
      const double u = std::sqrt(H(j, j) / weight);
      unit(j) = std::isfinite(u) && u > 0 ? u : 1;
    }
  }
  // Solves Hf x = rhs with Hf scaled to a unit diagonal first (the same x in exact arithmetic):
  // columns of very different magnitudes then neither trip the ridge nor lose digits.
  auto jacobi = [](const Eigen::MatrixXd& Hf) {
    Eigen::VectorXd d(Hf.rows());
    for (Eigen::Index a = 0; a < Hf.rows(); ++a) d(a) = Hf(a, a) > 0 && std::isfinite(Hf(a, a)) ? 1 / std::sqrt(Hf(a, a)) : 1;
    return d;
  };
  Eigen::VectorXd next_g(k);
  Eigen::MatrixXd next_H(k, k);
  for (int it = 1; it <= o.max_iterations; ++it) {
    fit.iterations = it;
    // Values so large that X'WX overflows leave no Newton step to take (and an infinite ridge).
    for (Eigen::Index j = 0; j < k; ++j)
      if (!std::isfinite(g(j)) || !H.row(j).allFinite())
        throw InvalidInput("calibrate: " + (j < p ? "column " + std::to_string(j) : std::string("the intercept")) +
                           ": its values are too large for the fit (X'WX overflows); scale the column down");
    std::vector<Eigen::Index> free;
    for (Eigen::Index j = 0; j < k; ++j)
      if (!fixed(beta, j)) free.push_back(j);
    const auto f = static_cast<Eigen::Index>(free.size());
    Eigen::MatrixXd Hf(f, f);
    Eigen::VectorXd gf(f);
    for (Eigen::Index a = 0; a < f; ++a) {
      gf(a) = g(free[static_cast<std::size_t>(a)]);
      for (Eigen::Index b = 0; b < f; ++b) Hf(a, b) = H(free[static_cast<std::size_t>(a)], free[static_cast<std::size_t>(b)]);
    }
    // Newton direction; a ridge grows from 1e-10 of the diagonal until the factorisation is
    // safely positive definite (nearly collinear columns).
    Eigen::VectorXd step;
    const Eigen::VectorXd d = jacobi(Hf);
    const Eigen::MatrixXd Hs = d.asDiagonal() * Hf * d.asDiagonal();
    const double scale = std::max(1e-300, Hs.diagonal().cwiseAbs().maxCoeff());
    for (double ridge = 0;; ridge = ridge == 0 ? 1e-10 * scale : ridge * 10) {
      Eigen::LDLT<Eigen::MatrixXd> ldlt(Hs + ridge * Eigen::MatrixXd::Identity(f, f));
      if (ldlt.info() == Eigen::Success && ldlt.isPositive() &&
          ldlt.vectorD().minCoeff() > 1e-13 * ldlt.vectorD().maxCoeff()) {
        step = d.asDiagonal() * ldlt.solve(d.asDiagonal() * gf);
        if (step.allFinite()) break;
      }
      if (ridge > scale * 1e6 || std::isinf(ridge)) throw InvalidInput("calibrate: the columns are too collinear to fit; drop some or set l2 > 0");
    }
    Eigen::VectorXd full = Eigen::VectorXd::Zero(k);
    for (Eigen::Index a = 0; a < f; ++a) full(free[static_cast<std::size_t>(a)]) = step(a);
    // A full step within the tolerance ends the fit without another pass over the rows: the
    // log-likelihood, gradient and Hessian kept are those where it starts, which differ from
    // those where it ends at the order of the step.
    const double size = 1 + beta.cwiseProduct(unit).cwiseAbs().maxCoeff();
    if (full.cwiseProduct(unit).cwiseAbs().maxCoeff() <= o.tolerance * size) {
      beta += full;
      if (o.non_negative) beta.head(p) = beta.head(p).cwiseMax(0.0);
      fit.converged = true;
      break;
    }
    // Step-halving until the penalised log-likelihood does not fall, projecting onto >= 0.
    Eigen::VectorXd next(k);
    double t = 1, value = -std::numeric_limits<double>::infinity(), next_largest = 0;
    for (int halving = 0; halving < 60; ++halving, t /= 2) {
      next = beta + t * full;
      if (o.non_negative) next.head(p) = next.head(p).cwiseMax(0.0);
      value = evaluate(next, next_g, next_H, next_largest);
      if (value >= current - 1e-12 * std::abs(current)) break;
    }
    const double moved = (next - beta).cwiseProduct(unit).cwiseAbs().maxCoeff();
    beta = next;
    g.swap(next_g);
    H.swap(next_H);
    largest = next_largest;
    const double gained = value - current;
    current = value;
    if (moved <= o.tolerance * size || (gained >= 0 && gained <= 1e-15 * std::abs(current) && moved <= 1e-6 * size)) {
      fit.converged = true;
      break;
    }
  }
  // Separation: the fitted probabilities reach 0 and 1 as the coefficients grow without bound.
  if (o.l2 == 0 && largest < 1e-6)
    throw InvalidInput("calibrate: the columns separate the outcomes perfectly, so the coefficients grow without "
                       "bound; set l2 > 0 for a regularised fit");
  if (!fit.converged)
    throw InvalidInput("calibrate: no convergence in " + std::to_string(o.max_iterations) + " iterations" +
                       (o.l2 == 0 ? " (the columns may nearly separate the outcomes; set l2 > 0)" : ""));
  fit.coef = beta.head(p);
  fit.intercept = o.intercept ? beta(p) : 0;
  fit.log_likelihood = current + 0.5 * o.l2 * beta.head(p).squaredNorm();
  // Standard errors from the inverse Hessian of the free coefficients.
  std::vector<Eigen::Index> free;
  for (Eigen::Index j = 0; j < k; ++j)
    if (!(o.non_negative && j < p && beta(j) <= 0)) free.push_back(j);
  const auto f = static_cast<Eigen::Index>(free.size());
  Eigen::MatrixXd Hf(f, f);
  for (Eigen::Index a = 0; a < f; ++a)
    for (Eigen::Index b = 0; b < f; ++b) Hf(a, b) = H(free[static_cast<std::size_t>(a)], free[static_cast<std::size_t>(b)]);
  const Eigen::VectorXd d = jacobi(Hf);
  const Eigen::MatrixXd inverse =
      d.asDiagonal() * (d.asDiagonal() * Hf * d.asDiagonal()).ldlt().solve(Eigen::MatrixXd::Identity(f, f)) * d.asDiagonal();
  Eigen::VectorXd se = Eigen::VectorXd::Zero(k);
  for (Eigen::Index a = 0; a < f; ++a) se(free[static_cast<std::size_t>(a)]) = std::sqrt(std::max(0.0, inverse(a, a)));
  fit.std_error = se.head(p);
  fit.intercept_std_error = o.intercept ? se(p) : 0;
  return fit;
}

}  // namespace v1
}  // namespace clientrisk
