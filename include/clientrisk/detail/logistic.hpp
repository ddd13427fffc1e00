// The pass over the rows behind fit_logistic: for a block of rows, the log-likelihood, the
// gradient and the lower half of the Hessian of the logistic regression, four rows at a time in
// the lanes of a GCC/Clang vector. One body is built twice, for the baseline target and for AVX2
// (detail/cpu.hpp), with the same operations in the same order and no fused multiply-add, so
// both builds give the same bits.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "clientrisk/detail/cpu.hpp"

#if !defined(__GNUC__) && !defined(__clang__)
#error "clientrisk's calibration needs GCC or Clang (vector extensions)"
#endif

namespace clientrisk {
inline namespace v1 {
namespace detail {

using Lanes = double __attribute__((vector_size(32)));
using LaneBits = std::uint64_t __attribute__((vector_size(32)));
inline constexpr std::size_t lane_count = 4;

// Rows per block; a block's columns are stored one after another, logistic_block_rows apart.
inline constexpr std::size_t logistic_block_rows = 256;

// No function here takes or returns a vector by value: without AVX that would change the ABI
// (GCC's -Wpsabi).
typedef double UnalignedLanes __attribute__((vector_size(32), aligned(8), may_alias));
#define CLIENTRISK_LANES [[gnu::always_inline]] inline
CLIENTRISK_LANES const UnalignedLanes& lanes_at(const double* p) { return *reinterpret_cast<const UnalignedLanes*>(p); }
CLIENTRISK_LANES UnalignedLanes& lanes_at(double* p) { return *reinterpret_cast<UnalignedLanes*>(p); }
CLIENTRISK_LANES double lanes_sum(const Lanes& v) { return (v[0] + v[1]) + (v[2] + v[3]); }
CLIENTRISK_LANES double lanes_sum(const double* v) { return (v[0] + v[1]) + (v[2] + v[3]); }

// x = exp(x) for x <= 0, within 2 ulp; below -708 it gives exp(-708) (about 3e-308). Cody and
// Waite's reduction x = n ln 2 + r with |r| <= ln 2 / 2, the Taylor polynomial of degree 13 of
// exp(r) (its remainder is below 1e-17 of the result) by Estrin's scheme, whose chain of
// dependent operations is a third as long as Horner's, and 2^n from the exponent bits.
CLIENTRISK_LANES void exp_nonpositive(Lanes& x) {
  const Lanes low = Lanes{} - 708.0;
  x = x < low ? low : x;
  const double shifter = 0x1.8p52;  // adding it rounds to a whole number, kept in the low bits
  const Lanes kn = x * 0x1.71547652b82fep0 + shifter;
  const Lanes n = kn - shifter;
  // ln 2 in two parts; the first has 21 trailing zero bits and |n| < 2^11, so n times it is exact.
  const Lanes r = (x - n * 0x1.62e42feep-1) - n * 0x1.a39ef35793c76p-33;
  const Lanes r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  constexpr double c[14] = {1.0,
                            1.0,
                            0.5,
                            1.0 / 6.0,
                            1.0 / 24.0,
                            1.0 / 120.0,
                            1.0 / 720.0,
                            1.0 / 5040.0,
                            1.0 / 40320.0,
                            1.0 / 362880.0,
                            1.0 / 3628800.0,
                            1.0 / 39916800.0,
                            1.0 / 479001600.0,
                            1.0 / 6227020800.0};
  const Lanes q0 = r * c[1] + c[0], q1 = r * c[3] + c[2], q2 = r * c[5] + c[4], q3 = r * c[7] + c[6];
  const Lanes q4 = r * c[9] + c[8], q5 = r * c[11] + c[10], q6 = r * c[13] + c[12];
  const Lanes s0 = q1 * r2 + q0, s1 = q3 * r2 + q2, s2 = q5 * r2 + q4;
  const Lanes p = ((q6 * r4 + s2) * r8 + (s1 * r4 + s0));
  LaneBits bits;
  std::memcpy(&bits, &kn, sizeof bits);
  bits = (bits + 1023) << 52;  // n >= -1021: a normal power of two
  Lanes scale;
  std::memcpy(&scale, &bits, sizeof scale);
  x = p * scale;
}

// What one thread sums over its rows, lane by lane: the log-likelihood, the largest |y - mu|,
// the gradient (width entries) and the Hessian (k rows of width entries, entry (j, i) for
// i < j rounded up to a multiple of 4 filled). The caller adds the lanes up.
struct LogisticLanes {
  Lanes ll{}, largest{};
  double* g = nullptr;  // lanes of entry i at g + 4 i
  double* h = nullptr;  // lanes of entry (j, i) at h + 4 (j width + i)
};

// One block of rows. x: the k columns of the design (an intercept is a column of ones) and zero
// columns up to width, a multiple of 4, each logistic_block_rows long; the rows past `rows` up to
// a multiple of 4 hold any finite values, and so do those of y. With a source, the block first
// copies its first `columns` columns from there, row-major (row r at source + r stride). b: the
// k coefficients; wx and res: scratch of k columns and one.
struct LogisticBlock {
  double* x = nullptr;
  const double* y = nullptr;
  std::size_t rows = 0, k = 0, width = 0;
  const double* b = nullptr;
  double* wx = nullptr;
  double* res = nullptr;
  const double* source = nullptr;
  std::size_t stride = 0, columns = 0;
  // What the next block will read, fetched into the cache while this one is summed: segments
  // of ahead_bytes, the first at ahead, the others ahead_gap bytes apart (the columns of a
  // column-major design).
  const double* ahead = nullptr;
  std::size_t ahead_bytes = 0, ahead_segments = 1, ahead_gap = 0;
};

// Lanes c of out += a . column c, for the four columns from `columns`, over quads * 4 rows.
CLIENTRISK_LANES void add_dots(const double* a, const double* columns, std::size_t quads, double* out) {
  constexpr std::size_t ld = logistic_block_rows;
  Lanes d0{}, d1{}, d2{}, d3{};
  for (std::size_t at = 0; at < quads * lane_count; at += lane_count) {
    const Lanes v = lanes_at(a + at);
    d0 += v * lanes_at(columns + at);
    d1 += v * lanes_at(columns + ld + at);
    d2 += v * lanes_at(columns + 2 * ld + at);
    d3 += v * lanes_at(columns + 3 * ld + at);
  }
  lanes_at(out) += d0;
  lanes_at(out + 4) += d1;
  lanes_at(out + 8) += d2;
  lanes_at(out + 12) += d3;
}

// Copies the block's rows from its row-major source into its columns, four rows by four columns
// at a time through a transposition in registers.
CLIENTRISK_LANES void transpose_block(const LogisticBlock& blk) {
  constexpr std::size_t ld = logistic_block_rows;
  const std::size_t p = blk.columns, stride = blk.stride;
  std::size_t r = 0;
  for (; r + lane_count <= blk.rows; r += lane_count) {
    const double* row = blk.source + r * stride;
    std::size_t j = 0;
    for (; j + lane_count <= p; j += lane_count) {
      const Lanes a = lanes_at(row + j), b = lanes_at(row + stride + j);
      const Lanes c = lanes_at(row + 2 * stride + j), d = lanes_at(row + 3 * stride + j);
      const Lanes ab0 = __builtin_shufflevector(a, b, 0, 4, 2, 6), ab1 = __builtin_shufflevector(a, b, 1, 5, 3, 7);
      const Lanes cd0 = __builtin_shufflevector(c, d, 0, 4, 2, 6), cd1 = __builtin_shufflevector(c, d, 1, 5, 3, 7);
      double* out = blk.x + j * ld + r;
      lanes_at(out) = __builtin_shufflevector(ab0, cd0, 0, 1, 4, 5);
      lanes_at(out + ld) = __builtin_shufflevector(ab1, cd1, 0, 1, 4, 5);
      lanes_at(out + 2 * ld) = __builtin_shufflevector(ab0, cd0, 2, 3, 6, 7);
      lanes_at(out + 3 * ld) = __builtin_shufflevector(ab1, cd1, 2, 3, 6, 7);
    }
    for (; j < p; ++j)
      for (std::size_t i = 0; i < lane_count; ++i) blk.x[j * ld + r + i] = row[i * stride + j];
  }
  for (; r < blk.rows; ++r)
    for (std::size_t j = 0; j < p; ++j) blk.x[j * ld + r] = blk.source[r * stride + j];
}

// Adds the block's rows to s.
CLIENTRISK_LANES void logistic_block_body(const LogisticBlock& blk, LogisticLanes& s) {
  constexpr std::size_t ld = logistic_block_rows;
  if (blk.source) transpose_block(blk);
  const double *x = blk.x, *y = blk.y, *b = blk.b;
  double *wx = blk.wx, *res = blk.res;
  const std::size_t k = blk.k, width = blk.width;
  const std::size_t quads = (blk.rows + lane_count - 1) / lane_count;
  const Lanes zero{}, one = zero + 1.0, count = zero + static_cast<double>(blk.rows);
  const auto* ahead = reinterpret_cast<const char*>(blk.ahead);
  const std::size_t line = 64, ahead_step = (blk.ahead_bytes / quads + line) / line * line;
  Lanes product = one, index = {0, 1, 2, 3};
  for (std::size_t q = 0; q < quads; ++q, index += 4) {
    const std::size_t at = q * lane_count;
    const std::size_t from = q * ahead_step, to = std::min(from + ahead_step, blk.ahead_bytes);
    for (std::size_t segment = 0; segment < blk.ahead_segments; ++segment)
      for (std::size_t off = from; off < to; off += line) __builtin_prefetch(ahead + segment * blk.ahead_gap + off);
    Lanes z = lanes_at(x + at) * b[0];
    for (std::size_t j = 1; j < k; ++j) z = z + lanes_at(x + j * ld + at) * b[j];
    const auto valid = index < count;
    // With t = exp(-|z|): log(mu) = min(z, 0) - log(1 + t), log(1 - mu) = -max(z, 0) - log(1 + t).
    Lanes t = z < -z ? z : -z;
    exp_nonpositive(t);
    const Lanes yq = lanes_at(y + at), one_t = one + t;
    const Lanes ll = yq * (z < zero ? z : zero) - (one - yq) * (z > zero ? z : zero);
    s.ll += valid ? ll : zero;
    product = product * (valid ? one_t : one);
    const Lanes mu = (z >= zero ? one : t) / one_t;
    const Lanes r = valid ? yq - mu : zero;
    const Lanes w = valid ? mu * (one - mu) : zero;
    const Lanes size = r < zero ? -r : r;
    s.largest = s.largest < size ? size : s.largest;
    lanes_at(res + at) = r;
    for (std::size_t j = 0; j < k; ++j) lanes_at(wx + j * ld + at) = w * lanes_at(x + j * ld + at);
  }
  // Each lane multiplies at most 64 factors within [1, 2]: one logarithm per lane and block.
  for (std::size_t l = 0; l < lane_count; ++l) s.ll[l] -= std::log(product[l]);
  // The Hessian's row j against four columns at a time, then the gradient likewise.
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t i = 0; i <= j; i += lane_count) add_dots(wx + j * ld, x + i * ld, quads, s.h + (j * width + i) * lane_count);
  for (std::size_t i = 0; i < k; i += lane_count) add_dots(res, x + i * ld, quads, s.g + i * lane_count);
}
#undef CLIENTRISK_LANES

inline void logistic_block_baseline(const LogisticBlock& blk, LogisticLanes& s) { logistic_block_body(blk, s); }

#if CLIENTRISK_X86_DISPATCH
[[gnu::target("avx2")]] inline void logistic_block_avx2(const LogisticBlock& blk, LogisticLanes& s) {
  logistic_block_body(blk, s);
}
#endif

inline void logistic_block(const LogisticBlock& blk, LogisticLanes& s) {
#if CLIENTRISK_X86_DISPATCH
  if (has_avx2()) return logistic_block_avx2(blk, s);
#endif
  logistic_block_baseline(blk, s);
}

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
