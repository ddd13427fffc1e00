// The seven factors: each maps features to a sub-score in [0, 1] (0 for a clean history,
// monotone in its drivers, saturating). Only +, -, *, / and min/max are used, so a row gives
// the same bits whether it is scored alone or in a batch. docs/factors.md gives every formula.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
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

// The factors in SIMD lanes (factor_lanes.inc), for AVX2 (four rows at a time) and AVX-512
// (eight), each over the operations its instructions give.
namespace avx2 {
inline constexpr std::size_t lanes = 4;
inline constexpr bool check_by_clamping = false;
using V = __m256d;
using M = __m256d;  // all ones in the lanes that hold
using B = __m256i;
#define CLIENTRISK_LANE [[gnu::target("avx2"), gnu::always_inline]] inline
#define CLIENTRISK_LANE_ENTRY [[gnu::target("avx2")]] inline
CLIENTRISK_LANE V c(double v) { return _mm256_set1_pd(v); }
CLIENTRISK_LANE V add(V a, V b) { return _mm256_add_pd(a, b); }
CLIENTRISK_LANE V sub(V a, V b) { return _mm256_sub_pd(a, b); }
CLIENTRISK_LANE V mul(V a, V b) { return _mm256_mul_pd(a, b); }
CLIENTRISK_LANE V div(V a, V b) { return _mm256_div_pd(a, b); }
CLIENTRISK_LANE V min(V a, V b) { return _mm256_min_pd(a, b); }
CLIENTRISK_LANE V max(V a, V b) { return _mm256_max_pd(a, b); }
CLIENTRISK_LANE M gt(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_GT_OQ); }
CLIENTRISK_LANE M ge(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
CLIENTRISK_LANE M also_ge(M m, V a, V b) { return _mm256_and_pd(m, _mm256_cmp_pd(a, b, _CMP_GE_OQ)); }
CLIENTRISK_LANE M also_le(M m, V a, V b) { return _mm256_and_pd(m, _mm256_cmp_pd(a, b, _CMP_LE_OQ)); }
CLIENTRISK_LANE M also_eq(M m, V a, V b) { return _mm256_and_pd(m, _mm256_cmp_pd(a, b, _CMP_EQ_OQ)); }
CLIENTRISK_LANE M all_of() { return _mm256_castsi256_pd(_mm256_set1_epi64x(-1)); }
CLIENTRISK_LANE V keep(M m, V v) { return _mm256_and_pd(m, v); }
CLIENTRISK_LANE unsigned bits(M m) { return static_cast<unsigned>(_mm256_movemask_pd(m)); }
CLIENTRISK_LANE B differ(V a, V b) { return _mm256_xor_si256(_mm256_castpd_si256(a), _mm256_castpd_si256(b)); }
CLIENTRISK_LANE B either(B a, B b) { return _mm256_or_si256(a, b); }
CLIENTRISK_LANE unsigned zero_but_sign(B x) {
  const B low = _mm256_and_si256(x, _mm256_set1_epi64x(0x7FFFFFFFFFFFFFFF));
  return static_cast<unsigned>(_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(low, _mm256_setzero_si256()))));
}
CLIENTRISK_LANE void store(double* p, V v) { _mm256_storeu_pd(p, v); }
CLIENTRISK_LANE V legal(double severity, V count) {
  __m128i left = _mm256_cvttpd_epi32(count);
  V base = c(1 - severity), out = c(1.0);
  const __m128i bit = _mm_set1_epi32(1);
  while (!_mm_testz_si128(left, left)) {
    const __m128i odd = _mm_cmpeq_epi32(_mm_and_si128(left, bit), bit);
    out = _mm256_blendv_pd(out, mul(out, base), _mm256_castsi256_pd(_mm256_cvtepi32_epi64(odd)));
    base = mul(base, base);
    left = _mm_srli_epi32(left, 1);
  }
  return out;
}
// Rows x, x + stride, ... into one vector per feature: a 4 x 4 transposition per four columns.
CLIENTRISK_LANE void load_rows(const double* x, std::size_t stride, V* f) {
  const double* row[4] = {x, x + stride, x + 2 * stride, x + 3 * stride};
  for (std::size_t col = 0; col < feature_count; col += 4) {
    const V a = _mm256_loadu_pd(row[0] + col), b = _mm256_loadu_pd(row[1] + col);
    const V cc = _mm256_loadu_pd(row[2] + col), d = _mm256_loadu_pd(row[3] + col);
    const V ab0 = _mm256_unpacklo_pd(a, b), ab1 = _mm256_unpackhi_pd(a, b);
    const V cd0 = _mm256_unpacklo_pd(cc, d), cd1 = _mm256_unpackhi_pd(cc, d);
    f[col] = _mm256_permute2f128_pd(ab0, cd0, 0x20);
    f[col + 1] = _mm256_permute2f128_pd(ab1, cd1, 0x20);
    f[col + 2] = _mm256_permute2f128_pd(ab0, cd0, 0x31);
    f[col + 3] = _mm256_permute2f128_pd(ab1, cd1, 0x31);
  }
}
#include "clientrisk/detail/factor_lanes.inc"
#undef CLIENTRISK_LANE
#undef CLIENTRISK_LANE_ENTRY
}  // namespace avx2

namespace avx512 {
inline constexpr std::size_t lanes = 8;
inline constexpr bool check_by_clamping = true;
using V = __m512d;
using M = __mmask8;
using B = __m512i;
// Every lane. The intrinsics below that take it, with a source for the lanes it would leave out,
// are the plain instructions, in the forms GCC neither warns about (GCC 12 takes the undefined
// source of some plain intrinsics for uninitialised) nor fuses into multiply-adds whatever
// -ffp-contract says (it does fuse the plain add and mul, AVX-512 having FMA).
inline constexpr M all = 0xFF;
#define CLIENTRISK_LANE [[gnu::target("avx512f"), gnu::always_inline]] inline
#define CLIENTRISK_LANE_ENTRY [[gnu::target("avx512f")]] inline
CLIENTRISK_LANE V c(double v) { return _mm512_set1_pd(v); }
CLIENTRISK_LANE V add(V a, V b) { return _mm512_mask_add_pd(a, all, a, b); }
CLIENTRISK_LANE V sub(V a, V b) { return _mm512_mask_sub_pd(a, all, a, b); }
CLIENTRISK_LANE V mul(V a, V b) { return _mm512_mask_mul_pd(a, all, a, b); }
CLIENTRISK_LANE V div(V a, V b) { return _mm512_mask_div_pd(a, all, a, b); }
CLIENTRISK_LANE V min(V a, V b) { return _mm512_mask_min_pd(a, all, a, b); }
CLIENTRISK_LANE V max(V a, V b) { return _mm512_mask_max_pd(a, all, a, b); }
CLIENTRISK_LANE M gt(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
CLIENTRISK_LANE M ge(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_GE_OQ); }
CLIENTRISK_LANE M also_ge(M m, V a, V b) { return _mm512_mask_cmp_pd_mask(m, a, b, _CMP_GE_OQ); }
CLIENTRISK_LANE M also_le(M m, V a, V b) { return _mm512_mask_cmp_pd_mask(m, a, b, _CMP_LE_OQ); }
CLIENTRISK_LANE M also_eq(M m, V a, V b) { return _mm512_mask_cmp_pd_mask(m, a, b, _CMP_EQ_OQ); }
CLIENTRISK_LANE M all_of() { return all; }
CLIENTRISK_LANE V keep(M m, V v) { return _mm512_maskz_mov_pd(m, v); }
CLIENTRISK_LANE unsigned bits(M m) { return m; }
CLIENTRISK_LANE B differ(V a, V b) { return _mm512_xor_si512(_mm512_castpd_si512(a), _mm512_castpd_si512(b)); }
CLIENTRISK_LANE B either(B a, B b) { return _mm512_or_si512(a, b); }
CLIENTRISK_LANE unsigned zero_but_sign(B x) { return _mm512_testn_epi64_mask(x, _mm512_set1_epi64(0x7FFFFFFFFFFFFFFF)); }
CLIENTRISK_LANE void store(double* p, V v) { _mm512_storeu_pd(p, v); }
CLIENTRISK_LANE V legal(double severity, V count) {
  __m256i left = _mm512_mask_cvttpd_epi32(_mm256_setzero_si256(), all, count);
  V base = c(1 - severity), out = c(1.0);
  const __m512i bit = _mm512_set1_epi64(1);
  while (!_mm256_testz_si256(left, left)) {
    const M odd = _mm512_test_epi64_mask(_mm512_mask_cvtepu32_epi64(_mm512_setzero_si512(), all, left), bit);
    out = _mm512_mask_mul_pd(out, odd, out, base);
    base = mul(base, base);
    left = _mm256_srli_epi32(left, 1);
  }
  return out;
}
// Pairs of lanes (128 bits) of a and b: with `which` 0x88 the even pairs of a, then of b; with
// 0xDD the odd ones.
template <int which>
CLIENTRISK_LANE V pairs(V a, V b) { return _mm512_mask_shuffle_f64x2(a, all, a, b, which); }
// Rows x, x + stride, ... into one vector per feature: an 8 x 8 transposition per eight
// columns (pairs of rows interleaved, then pairs of lanes, then halves).
CLIENTRISK_LANE void load_rows(const double* x, std::size_t stride, V* f) {
  for (std::size_t col = 0; col < feature_count; col += 8) {
    V t[8];
    for (std::size_t i = 0; i < 8; i += 2) {
      const V a = _mm512_loadu_pd(x + i * stride + col), b = _mm512_loadu_pd(x + (i + 1) * stride + col);
      t[i] = _mm512_mask_unpacklo_pd(a, all, a, b);      // columns 0, 2, 4, 6 of rows i and i + 1
      t[i + 1] = _mm512_mask_unpackhi_pd(a, all, a, b);  // columns 1, 3, 5, 7
    }
    for (std::size_t odd = 0; odd < 2; ++odd) {
      const V u0 = pairs<0x88>(t[odd], t[2 + odd]), u1 = pairs<0xDD>(t[odd], t[2 + odd]);
      const V u2 = pairs<0x88>(t[4 + odd], t[6 + odd]), u3 = pairs<0xDD>(t[4 + odd], t[6 + odd]);
      f[col + odd] = pairs<0x88>(u0, u2);
      f[col + odd + 2] = pairs<0x88>(u1, u3);
      f[col + odd + 4] = pairs<0xDD>(u0, u2);
      f[col + odd + 6] = pairs<0xDD>(u1, u3);
    }
  }
}
#include "clientrisk/detail/factor_lanes.inc"
#undef CLIENTRISK_LANE
#undef CLIENTRISK_LANE_ENTRY
}  // namespace avx512

#endif

// The index of the first invalid row of a feature matrix, or rows.
inline std::size_t first_bad_row(const double* x, std::size_t rows, std::size_t stride) {
#if CLIENTRISK_X86_DISPATCH
  if (has_avx2()) return first_bad_row_avx2(x, rows, stride);
#endif
  return first_bad_row_portable(x, rows, stride);
}

}  // namespace detail

// Evaluates the factors of n feature rows, row r starting at x + r * stride, into sub (n rows
// of factor_count, row-major); the same bits as evaluate_row() on each row.
inline void evaluate_factor_rows(const double* x, std::size_t n, std::size_t stride, const Model& m, double* sub) {
  const FactorConstants k(m);
#if CLIENTRISK_X86_DISPATCH
  if (detail::has_avx512f() && detail::has_avx2()) return detail::avx512::evaluate_rows(x, n, stride, k, sub);
  if (detail::has_avx2()) return detail::avx2::evaluate_rows(x, n, stride, k, sub);
#endif
  for (std::size_t r = 0; r < n; ++r) evaluate_row(x + r * stride, k, sub + r * factor_count);
}

// Evaluates the factors of one feature row. parts, when given, receives every part.
inline void evaluate_factors(const double* f, const Model& m, SubScores& sub, FactorParts* parts = nullptr) {
  evaluate_row(f, FactorConstants(m), sub.data(), parts);
}

}  // namespace v1
}  // namespace clientrisk
