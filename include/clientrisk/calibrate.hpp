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
#include <vector>

#include "clientrisk/error.hpp"

namespace clientrisk {
inline namespace v1 {

struct LogisticOptions {
  double l2 = 0;              // penalty l2/2 * |coef|^2 (never on the intercept)
  bool intercept = true;      // fit an intercept
  bool non_negative = false;  // keep every coefficient >= 0 (the intercept is free)
  int max_iterations = 100;
  double tolerance = 1e-10;  // on the largest Newton step, relative to the coefficients
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

namespace detail {

inline double log_sigmoid(double eta) { return eta >= 0 ? -std::log1p(std::exp(-eta)) : eta - std::log1p(std::exp(eta)); }

}  // namespace detail

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

  const Eigen::Map<const Eigen::VectorXd> yv(y.data(), n);
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(k);
  if (o.intercept) beta(p) = std::log(static_cast<double>(bads) / static_cast<double>(n - bads));
  Eigen::VectorXd eta(n), mu(n), w(n), g(k);
  Eigen::MatrixXd H(k, k);
  auto linear = [&](const Eigen::VectorXd& b, Eigen::VectorXd& out) {
    out.noalias() = X * b.head(p);
    if (o.intercept) out.array() += b(p);
  };
  // Penalised log-likelihood at b, with e = X b; fills m with the fitted probabilities. One
  // exponential and one log1p a row, through Eigen's vectorised forms.
  Eigen::ArrayXd et(n), l(n);
  const Eigen::Array<bool, Eigen::Dynamic, 1> bad = yv.array() == 1;
  auto objective = [&](const Eigen::VectorXd& b, const Eigen::VectorXd& e, Eigen::VectorXd& m) {
    const auto z = e.array();
    et = (-z.abs()).exp();
    l = (1 + et).log();  // log1p would be exact for tiny et, but has no vectorised form
    // log(mu) and log(1 - mu) from the one exponential, whatever the sign of z.
    m.array() = (z >= 0).select((1 + et).inverse(), et / (1 + et));
    const double ll = bad.select((z >= 0).select(-l, z - l), (z >= 0).select(-z - l, -l)).sum();
    return ll - 0.5 * o.l2 * b.head(p).squaredNorm();
  };
  // g and H at b from mu, a block of rows at a time: H += (sqrt(w) X_block)' (sqrt(w) X_block),
  // which stays in the cache.
  constexpr Eigen::Index block = 512;
  Eigen::MatrixXd scaled(std::min(n, block), p);
  Eigen::VectorXd r(n);
  auto derivatives = [&](const Eigen::VectorXd& b) {
    H.setZero();
    g.setZero();
    for (Eigen::Index r0 = 0; r0 < n; r0 += block) {
      const Eigen::Index rows = std::min(block, n - r0);
      const auto x = X.middleRows(r0, rows);
      w.segment(r0, rows).array() = mu.segment(r0, rows).array() * (1 - mu.segment(r0, rows).array());
      r.segment(r0, rows) = yv.segment(r0, rows) - mu.segment(r0, rows);
      scaled.topRows(rows) = w.segment(r0, rows).cwiseSqrt().asDiagonal() * x;
      H.topLeftCorner(p, p).template selfadjointView<Eigen::Lower>().rankUpdate(scaled.topRows(rows).transpose());
      g.head(p).noalias() += x.transpose() * r.segment(r0, rows);
      if (o.intercept) H.block(0, p, p, 1).noalias() += x.transpose() * w.segment(r0, rows);
    }
    H.topLeftCorner(p, p) = H.topLeftCorner(p, p).template selfadjointView<Eigen::Lower>();
    g.head(p) -= o.l2 * b.head(p);
    H.topLeftCorner(p, p).diagonal().array() += o.l2;
    if (o.intercept) {
      g(p) = r.sum();
      H.block(p, 0, 1, p) = H.block(0, p, p, 1).transpose();
      H(p, p) = w.sum();
    }
  };
  // A coefficient at its bound of 0 that the gradient pushes below stays fixed.
  auto fixed = [&](const Eigen::VectorXd& b, Eigen::Index j) { return o.non_negative && j < p && b(j) <= 0 && g(j) <= 0; };

  LogisticFit fit;
  linear(beta, eta);
  double current = objective(beta, eta, mu);
  Eigen::VectorXd next_mu(n);
  for (int it = 1; it <= o.max_iterations; ++it) {
    fit.iterations = it;
    derivatives(beta);
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
    const double scale = std::max(1e-300, Hf.diagonal().cwiseAbs().maxCoeff());
    for (double ridge = 0;; ridge = ridge == 0 ? 1e-10 * scale : ridge * 10) {
      Eigen::LDLT<Eigen::MatrixXd> ldlt(Hf + ridge * Eigen::MatrixXd::Identity(f, f));
      if (ldlt.info() == Eigen::Success && ldlt.isPositive() &&
          ldlt.vectorD().minCoeff() > 1e-13 * ldlt.vectorD().maxCoeff()) {
        step = ldlt.solve(gf);
        if (step.allFinite()) break;
      }
      if (ridge > scale * 1e6) throw InvalidInput("calibrate: the columns are too collinear to fit; drop some or set l2 > 0");
    }
    Eigen::VectorXd full = Eigen::VectorXd::Zero(k);
    for (Eigen::Index a = 0; a < f; ++a) full(free[static_cast<std::size_t>(a)]) = step(a);
    // Step-halving until the penalised log-likelihood does not fall, projecting onto >= 0.
    Eigen::VectorXd next(k), next_eta(n);
    double t = 1, value = -std::numeric_limits<double>::infinity();
    for (int halving = 0; halving < 60; ++halving, t /= 2) {
      next = beta + t * full;
      if (o.non_negative) next.head(p) = next.head(p).cwiseMax(0.0);
      linear(next, next_eta);
      value = objective(next, next_eta, next_mu);
      if (value >= current - 1e-12 * std::abs(current)) break;
    }
    const double moved = (next - beta).cwiseAbs().maxCoeff();
    const double size = 1 + beta.cwiseAbs().maxCoeff();
    beta = next;
    eta.swap(next_eta);
    mu.swap(next_mu);
    const double gained = value - current;
    current = value;
    if (moved <= o.tolerance * size || (gained >= 0 && gained <= 1e-15 * std::abs(current) && moved <= 1e-6 * size)) {
      fit.converged = true;
      break;
    }
  }
  derivatives(beta);
  // Separation: the fitted probabilities reach 0 and 1 as the coefficients grow without bound.
  if (o.l2 == 0 && (yv - mu).cwiseAbs().maxCoeff() < 1e-6)
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
  const Eigen::MatrixXd inverse = Hf.ldlt().solve(Eigen::MatrixXd::Identity(f, f));
  Eigen::VectorXd se = Eigen::VectorXd::Zero(k);
  for (Eigen::Index a = 0; a < f; ++a) se(free[static_cast<std::size_t>(a)]) = std::sqrt(std::max(0.0, inverse(a, a)));
  fit.std_error = se.head(p);
  fit.intercept_std_error = o.intercept ? se(p) : 0;
  return fit;
}

}  // namespace v1
}  // namespace clientrisk
