// The seven factors: each maps features to a sub-score in [0, 1] (0 for a clean history,
// monotone in its drivers, saturating). Only +, -, *, / and min/max are used, so a row gives
// the same bits whether it is scored alone or in a batch. docs/factors.md gives every formula.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "clientrisk/detail/cpu.hpp"
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

// (1 - s)^n for a whole n >= 0: by squaring (multiplications only) below 2^20, the counts a
// ledger or a feature row holds; by std::pow beyond, a count only a damaged snapshot could bring.
inline double survive(double s, double n) {
  if (!(n >= 0 && n < 1048576.0)) return std::pow(1 - s, n);
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

// Constants of the factor formulas derived from a model once per batch: reciprocals of the
// model's fixed divisors, so that a row costs multiplications where it can.
struct FactorConstants {
  explicit FactorConstants(const Model& m)
      : model(m),
        inv_material(1 / m.material_amount_cents),
        inv_full(1 / m.delinquency_full_days),
        inv_paydex(1 / (80 - m.paydex_severe)),
        inv_concentration(1 / (m.concentration_share_high - m.concentration_share_low)),
        inv_cv(1 / (m.seasonality_cv_high - m.seasonality_cv_low)),
        inv_swing(1 / (m.seasonality_swing_high - m.seasonality_swing_low)),
        inv_rating(1 / (m.rating_good - m.rating_bad)),
        inv_negative(1 / (m.negative_share_high - m.negative_share_low)) {}
  const Model& model;
  double inv_material, inv_full, inv_paydex, inv_concentration, inv_cv, inv_swing, inv_rating, inv_negative;
};

// Evaluates the factors of one feature row into sub. parts, when not null, receives every
// part. Only +, -, *, / and min/max: a row's bits do not depend on the batch it is in.
inline void evaluate_row(const double* f, const FactorConstants& k, double* sub, FactorParts* parts = nullptr) {
  const Model& m = k.model;
  auto F = [&](Feature x) { return f[static_cast<std::size_t>(x)]; };
  auto clamp01 = [](double x) { return std::min(1.0, std::max(0.0, x)); };
  auto saturate = [](double x, double half) { return x / (x + half); };

  // Parts in order of precedence: on a tie the first names the reason.
  const double np0 = std::min(1.0, F(Feature::amount_over_90) * k.inv_material);
  const double np1 = std::min(1.0, F(Feature::days_past_due_max) * k.inv_full) *
                     std::min(1.0, F(Feature::overdue_amount) * k.inv_material);
  const double np2 = saturate(F(Feature::write_off_amount), m.write_off_half_cents);
  const double np3 = clamp01((80 - F(Feature::paydex)) * k.inv_paydex);
  const double np4 = F(Feature::open_amount) > 0
                         ? m.overdue_share_weight * clamp01(F(Feature::overdue_amount) / F(Feature::open_amount))
                         : 0.0;

  const double ds0 = saturate(F(Feature::complaint_severity), m.complaint_half_severity);
  const double ds1 = saturate(F(Feature::return_share), m.return_share_half);
  const double ds2 = saturate(F(Feature::dispute_count), m.dispute_count_half);
  const double ds3 = saturate(F(Feature::disputed_share), m.disputed_share_half);

  const double ratio = (F(Feature::cancellations_early) * m.early_cancellation_weight + F(Feature::cancellations_at_term)) /
                       std::max(1.0, F(Feature::contracts_held));
  const double cn0 = saturate(ratio, m.cancellation_ratio_half);

  const double cc0 = clamp01((F(Feature::revenue_share) - m.concentration_share_low) * k.inv_concentration);

  const bool judged = F(Feature::seasonality_months) >= m.seasonality_min_months;
  const double se0 = judged ? clamp01((F(Feature::seasonality_cv) - m.seasonality_cv_low) * k.inv_cv) : 0.0;
  const double se1 = judged ? clamp01((F(Feature::seasonality_swing) - m.seasonality_swing_low) * k.inv_swing) : 0.0;

  // reputation: the rating and negative-share parts, scaled by the credibility of the reviews.
  const double rw = F(Feature::review_weight);
  double rp0 = 0, rp1 = 0;
  if (rw > 0) {
    const double credibility = rw / (rw + m.review_credibility);
    rp0 = credibility * clamp01((m.rating_good - F(Feature::rating_mean)) * k.inv_rating);
    rp1 = credibility * clamp01((F(Feature::negative_review_share) - m.negative_share_low) * k.inv_negative);
  }

  // legal: every notice in the window is an independent chance of a costly case.
  const double lg0 = 1 - detail::survive(m.lawsuit_severity, F(Feature::lawsuits));
  const double lg1 = 1 - detail::survive(m.litigation_severity, F(Feature::litigations));
  const double lg2 = 1 - detail::survive(m.formal_notice_severity, F(Feature::formal_notices));
  const double lg3 = 1 - detail::survive(m.lawyer_letter_severity, F(Feature::lawyer_letters));

  // Noisy or: 1 - prod(1 - part).
  sub[0] = 1 - (1 - np0) * (1 - np1) * (1 - np2) * (1 - np3) * (1 - np4);
  sub[1] = 1 - (1 - ds0) * (1 - ds1) * (1 - ds2) * (1 - ds3);
  sub[2] = cn0;
  sub[3] = cc0;
  sub[4] = 1 - (1 - se0) * (1 - se1);
  sub[5] = 1 - (1 - rp0) * (1 - rp1);
  sub[6] = 1 - (1 - lg0) * (1 - lg1) * (1 - lg2) * (1 - lg3);
  if (parts) {
    parts->part = {{{np0, np1, np2, np3, np4},
                    {ds0, ds1, ds2, ds3, 0},
                    {cn0, 0, 0, 0, 0},
                    {cc0, 0, 0, 0, 0},
                    {se0, se1, 0, 0, 0},
                    {rp0, rp1, 0, 0, 0},
                    {lg0, lg1, lg2, lg3, 0}}};
  }
}

#if CLIENTRISK_X86_DISPATCH
namespace detail {

// Lane-wise helpers of evaluate_rows_avx2 (lambdas would not take the AVX2 target).
#define CLIENTRISK_AVX2 [[gnu::target("avx2"), gnu::always_inline]] inline
CLIENTRISK_AVX2 __m256d avx_c(double v) { return _mm256_set1_pd(v); }
CLIENTRISK_AVX2 __m256d avx_min1(__m256d v) { return _mm256_min_pd(v, _mm256_set1_pd(1.0)); }  // std::min(1.0, v)
CLIENTRISK_AVX2 __m256d avx_clamp01(__m256d v) {
  return _mm256_min_pd(_mm256_max_pd(v, _mm256_setzero_pd()), _mm256_set1_pd(1.0));
}
CLIENTRISK_AVX2 __m256d avx_saturate(__m256d v, double half) { return _mm256_div_pd(v, _mm256_add_pd(v, _mm256_set1_pd(half))); }
CLIENTRISK_AVX2 __m256d avx_complement(__m256d v) { return _mm256_sub_pd(_mm256_set1_pd(1.0), v); }
// (v - low) * inv, clamped to [0, 1].
CLIENTRISK_AVX2 __m256d avx_ramp(__m256d v, double low, double inv) {
  return avx_clamp01(_mm256_mul_pd(_mm256_sub_pd(v, _mm256_set1_pd(low)), _mm256_set1_pd(inv)));
}
// 1 - (1 - s)^count by squaring, as detail::survive, lane by lane.
CLIENTRISK_AVX2 __m256d avx_legal(double severity, __m256d count) {
  __m128i left = _mm256_cvttpd_epi32(count);
  __m256d base = _mm256_set1_pd(1 - severity), out = _mm256_set1_pd(1.0);
  const __m128i bit = _mm_set1_epi32(1);
  while (!_mm_testz_si128(left, left)) {
    const __m128i odd = _mm_cmpeq_epi32(_mm_and_si128(left, bit), bit);
    out = _mm256_blendv_pd(out, _mm256_mul_pd(out, base), _mm256_castsi256_pd(_mm256_cvtepi32_epi64(odd)));
    base = _mm256_mul_pd(base, base);
    left = _mm_srli_epi32(left, 1);
  }
  return avx_complement(out);
}
// Noisy or of two parts, and of the product of complements p with one more part.
CLIENTRISK_AVX2 __m256d avx_times_complement(__m256d p, __m256d part) { return _mm256_mul_pd(p, avx_complement(part)); }
#undef CLIENTRISK_AVX2

// The features of four rows, row r at x + r stride, one vector per feature and one row per lane:
// a 4 x 4 transposition per four columns.
[[gnu::target("avx2"), gnu::always_inline]] inline void load_quad_avx2(const double* x, std::size_t stride,
                                                                      __m256d* f) {
  const double* row[4] = {x, x + stride, x + 2 * stride, x + 3 * stride};
  for (std::size_t col = 0; col < feature_count; col += 4) {
    const __m256d a = _mm256_loadu_pd(row[0] + col), b = _mm256_loadu_pd(row[1] + col);
    const __m256d cc = _mm256_loadu_pd(row[2] + col), d = _mm256_loadu_pd(row[3] + col);
    const __m256d ab0 = _mm256_unpacklo_pd(a, b), ab1 = _mm256_unpackhi_pd(a, b);
    const __m256d cd0 = _mm256_unpacklo_pd(cc, d), cd1 = _mm256_unpackhi_pd(cc, d);
    f[col] = _mm256_permute2f128_pd(ab0, cd0, 0x20);
    f[col + 1] = _mm256_permute2f128_pd(ab1, cd1, 0x20);
    f[col + 2] = _mm256_permute2f128_pd(ab0, cd0, 0x31);
    f[col + 3] = _mm256_permute2f128_pd(ab1, cd1, 0x31);
  }
}

// evaluate_row() on four rows at once, one row per lane of AVX2 vectors: the same operations
// in the same order on each lane (no fused multiply-add, min and max with the operand order of
// std::min and std::max), so each row gets the bits evaluate_row() gives it. The divisions,
// which bound the scalar form, then cost a quarter as much. f: as load_quad_avx2() gives it;
// out: the factor_count sub-scores.
[[gnu::target("avx2"), gnu::always_inline]] inline void evaluate_quad_avx2(const __m256d* f, const FactorConstants& k,
                                                                          __m256d* out) {
  const Model& m = k.model;
  const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
#define CLIENTRISK_F(name) f[static_cast<std::size_t>(Feature::name)]
  const __m256d np0 = avx_min1(_mm256_mul_pd(CLIENTRISK_F(amount_over_90), avx_c(k.inv_material)));
  const __m256d np1 = _mm256_mul_pd(avx_min1(_mm256_mul_pd(CLIENTRISK_F(days_past_due_max), avx_c(k.inv_full))),
                                    avx_min1(_mm256_mul_pd(CLIENTRISK_F(overdue_amount), avx_c(k.inv_material))));
  const __m256d np2 = avx_saturate(CLIENTRISK_F(write_off_amount), m.write_off_half_cents);
  const __m256d np3 = avx_clamp01(_mm256_mul_pd(_mm256_sub_pd(avx_c(80), CLIENTRISK_F(paydex)), avx_c(k.inv_paydex)));
  const __m256d open = CLIENTRISK_F(open_amount);
  const __m256d np4 = _mm256_and_pd(
      _mm256_cmp_pd(open, zero, _CMP_GT_OQ),
      _mm256_mul_pd(avx_c(m.overdue_share_weight), avx_clamp01(_mm256_div_pd(CLIENTRISK_F(overdue_amount), open))));

  const __m256d ds0 = avx_saturate(CLIENTRISK_F(complaint_severity), m.complaint_half_severity);
  const __m256d ds1 = avx_saturate(CLIENTRISK_F(return_share), m.return_share_half);
  const __m256d ds2 = avx_saturate(CLIENTRISK_F(dispute_count), m.dispute_count_half);
  const __m256d ds3 = avx_saturate(CLIENTRISK_F(disputed_share), m.disputed_share_half);

  const __m256d ratio = _mm256_div_pd(
      _mm256_add_pd(_mm256_mul_pd(CLIENTRISK_F(cancellations_early), avx_c(m.early_cancellation_weight)),
                    CLIENTRISK_F(cancellations_at_term)),
      _mm256_max_pd(CLIENTRISK_F(contracts_held), one));
  const __m256d cn0 = avx_saturate(ratio, m.cancellation_ratio_half);

  const __m256d cc0 = avx_ramp(CLIENTRISK_F(revenue_share), m.concentration_share_low, k.inv_concentration);

  const __m256d judged = _mm256_cmp_pd(CLIENTRISK_F(seasonality_months), avx_c(m.seasonality_min_months), _CMP_GE_OQ);
  const __m256d se0 = _mm256_and_pd(judged, avx_ramp(CLIENTRISK_F(seasonality_cv), m.seasonality_cv_low, k.inv_cv));
  const __m256d se1 =
      _mm256_and_pd(judged, avx_ramp(CLIENTRISK_F(seasonality_swing), m.seasonality_swing_low, k.inv_swing));

  const __m256d rw = CLIENTRISK_F(review_weight);
  const __m256d reviewed = _mm256_cmp_pd(rw, zero, _CMP_GT_OQ);
  const __m256d credibility = _mm256_div_pd(rw, _mm256_add_pd(rw, avx_c(m.review_credibility)));
  const __m256d rp0 = _mm256_and_pd(
      reviewed, _mm256_mul_pd(credibility, avx_clamp01(_mm256_mul_pd(
                                               _mm256_sub_pd(avx_c(m.rating_good), CLIENTRISK_F(rating_mean)), avx_c(k.inv_rating)))));
  const __m256d rp1 = _mm256_and_pd(
      reviewed, _mm256_mul_pd(credibility, avx_ramp(CLIENTRISK_F(negative_review_share), m.negative_share_low, k.inv_negative)));

  const __m256d lg0 = avx_legal(m.lawsuit_severity, CLIENTRISK_F(lawsuits));
  const __m256d lg1 = avx_legal(m.litigation_severity, CLIENTRISK_F(litigations));
  const __m256d lg2 = avx_legal(m.formal_notice_severity, CLIENTRISK_F(formal_notices));
  const __m256d lg3 = avx_legal(m.lawyer_letter_severity, CLIENTRISK_F(lawyer_letters));
#undef CLIENTRISK_F

  // Noisy or, the complements multiplied left to right as in evaluate_row().
  __m256d p = avx_complement(np0);
  for (__m256d part : {np1, np2, np3, np4}) p = avx_times_complement(p, part);
  out[0] = avx_complement(p);
  p = avx_complement(ds0);
  for (__m256d part : {ds1, ds2, ds3}) p = avx_times_complement(p, part);
  out[1] = avx_complement(p);
  out[2] = cn0;
  out[3] = cc0;
  out[4] = avx_complement(avx_times_complement(avx_complement(se0), se1));
  out[5] = avx_complement(avx_times_complement(avx_complement(rp0), rp1));
  p = avx_complement(lg0);
  for (__m256d part : {lg1, lg2, lg3}) p = avx_times_complement(p, part);
  out[6] = avx_complement(p);
}

[[gnu::target("avx2")]] inline void evaluate_rows_avx2(const double* x, std::size_t n, std::size_t stride,
                                                      const FactorConstants& k, double* sub) {
  std::size_t r = 0;
  for (; r + 4 <= n; r += 4) {
    __m256d f[feature_count], sub4[factor_count];
    load_quad_avx2(x + r * stride, stride, f);
    evaluate_quad_avx2(f, k, sub4);
    alignas(32) double out[factor_count][4];
    for (std::size_t q = 0; q < static_cast<std::size_t>(factor_count); ++q) _mm256_store_pd(out[q], sub4[q]);
    for (std::size_t lane = 0; lane < 4; ++lane)
      for (std::size_t q = 0; q < static_cast<std::size_t>(factor_count); ++q) sub[(r + lane) * factor_count + q] = out[q][lane];
  }
  for (; r < n; ++r) evaluate_row(x + r * stride, k, sub + r * factor_count);
}

}  // namespace detail
#endif

// Evaluates the factors of n feature rows, row r starting at x + r * stride, into sub (n rows
// of factor_count, row-major); the same bits as evaluate_row() on each row.
inline void evaluate_factor_rows(const double* x, std::size_t n, std::size_t stride, const Model& m, double* sub) {
  const FactorConstants k(m);
#if CLIENTRISK_X86_DISPATCH
  if (detail::has_avx2()) return detail::evaluate_rows_avx2(x, n, stride, k, sub);
#endif
  for (std::size_t r = 0; r < n; ++r) evaluate_row(x + r * stride, k, sub + r * factor_count);
}

// Evaluates the factors of one feature row. parts, when given, receives every part.
inline void evaluate_factors(const double* f, const Model& m, SubScores& sub, FactorParts* parts = nullptr) {
  evaluate_row(f, FactorConstants(m), sub.data(), parts);
}

namespace detail {
// Upper bound of each feature and whether it counts whole things, in column order.
inline constexpr std::array<double, feature_count> feature_max = {
    100,  1e300, 1e300, 1e300, 1e300, 1e300, 1e300, 1, 1e300, 1, 1e6 - 1, 1e6 - 1,
    1e6 - 1, 1, 1e300, 1, 1e6 - 1, 1e300, 5, 1, 1e6 - 1, 1e6 - 1, 1e6 - 1, 1e6 - 1};
inline constexpr std::array<bool, feature_count> feature_whole = {
    false, false, false, false, false, false, false, false, false, false, true, true,
    true,  false, false, false, true,  false, false, false, true, true, true, true};
}  // namespace detail

// Checks a caller's feature row: every value finite and non-negative, shares within [0, 1],
// paydex within [0, 100], rating_mean within [0, 5], counts whole and below 1e6. Returns the
// name of the first bad feature and why, or an empty string.
inline std::string feature_problem(const double* f) {
  for (int k = 0; k < feature_count; ++k) {
    const double v = f[k];
    const auto i = static_cast<std::size_t>(k);
    auto name = [&] { return std::string(to_string(static_cast<Feature>(k))); };
    if (!(v >= 0) || v > 1e300) return name() + " must be a finite number >= 0, got " + detail::number(v);
    if (v > detail::feature_max[i])
      return name() + " must be at most " + detail::number(detail::feature_max[i]) + ", got " + detail::number(v);
    if (detail::feature_whole[i] && v != std::floor(v))
      return name() + " must be a whole number, got " + detail::number(v);
  }
  return {};
}

// The fast check behind feature_problem: true when the row is valid. Branch-free, so that
// validating a matrix costs little beside scoring it.
inline bool feature_row_ok(const double* f) {
  bool ok = true;
  for (std::size_t k = 0; k < feature_count; ++k) ok &= (f[k] >= 0) & (f[k] <= detail::feature_max[k]);
  if (!ok) return false;
  // Whole counts are below 1e6 once in range, so the int64 round trip is exact (and, unlike
  // std::floor on baseline x86-64, needs no library call).
  for (Feature w : {Feature::cancellations_early, Feature::cancellations_at_term, Feature::contracts_held,
                    Feature::seasonality_months, Feature::lawyer_letters, Feature::formal_notices, Feature::lawsuits,
                    Feature::litigations}) {
    const double v = f[static_cast<std::size_t>(w)];
    ok &= v == static_cast<double>(static_cast<std::int32_t>(v));
  }
  return ok;
}

namespace detail {

// The index of the first row that feature_row_ok() refuses, or rows.
inline std::size_t first_bad_row_portable(const double* x, std::size_t rows, std::size_t stride) {
  for (std::size_t r = 0; r < rows; ++r)
    if (!feature_row_ok(x + r * stride)) return r;
  return rows;
}

#if CLIENTRISK_X86_DISPATCH
// 2^52 for whole counts, 0 elsewhere: for 0 <= v < 2^52, (v + 2^52) - 2^52 == v exactly when v
// is whole, which leaves every column the same straight-line test that vectorises.
inline constexpr std::array<double, feature_count> feature_round = [] {
  std::array<double, feature_count> r{};
  for (std::size_t k = 0; k < feature_count; ++k) r[k] = feature_whole[k] ? 4503599627370496.0 : 0.0;
  return r;
}();

// The lanes of a quad of rows (load_quad_avx2) that feature_row_ok() accepts, as a 4-bit mask:
// the test of first_bad_row_avx2() with one row per lane.
[[gnu::target("avx2"), gnu::always_inline]] inline int valid_quad_avx2(const __m256d* f) {
  const __m256d zero = _mm256_setzero_pd();
  __m256d ok = _mm256_cmp_pd(zero, zero, _CMP_EQ_OQ);
#pragma GCC unroll 24  // so that feature_whole[k] and feature_max[k] are constants
  for (std::size_t k = 0; k < feature_count; ++k) {
    const __m256d v = f[k];
    __m256d good = _mm256_and_pd(_mm256_cmp_pd(v, zero, _CMP_GE_OQ), _mm256_cmp_pd(v, _mm256_set1_pd(feature_max[k]), _CMP_LE_OQ));
    if (feature_whole[k]) {
      const __m256d round = _mm256_set1_pd(feature_round[k]);
      good = _mm256_and_pd(good, _mm256_cmp_pd(_mm256_sub_pd(_mm256_add_pd(v, round), round), v, _CMP_EQ_OQ));
    }
    ok = _mm256_and_pd(ok, good);
  }
  return _mm256_movemask_pd(ok);
}

// feature_row_ok() as one vector pass over the 24 columns, for AVX2.
[[gnu::target("avx2")]] inline std::size_t first_bad_row_avx2(const double* x, std::size_t rows, std::size_t stride) {
  for (std::size_t r = 0; r < rows; ++r) {
    const double* f = x + r * stride;
    long bad = 0;
    for (std::size_t k = 0; k < feature_count; ++k) {
      const double v = f[k];
      const double whole = (v + feature_round[k]) - feature_round[k];
      bad |= !((v >= 0) & (v <= feature_max[k]) & (whole == v));
    }
    if (bad) return r;
  }
  return rows;
}
#endif

// The index of the first invalid row of a feature matrix, or rows.
inline std::size_t first_bad_row(const double* x, std::size_t rows, std::size_t stride) {
#if CLIENTRISK_X86_DISPATCH
  if (has_avx2()) return first_bad_row_avx2(x, rows, stride);
#endif
  return first_bad_row_portable(x, rows, stride);
}

}  // namespace detail

}  // namespace v1
}  // namespace clientrisk
