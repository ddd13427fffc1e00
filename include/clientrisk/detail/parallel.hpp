// Sharing a batch of independent rows among threads. Each row's result depends on that row
// only, so the bits are the same whatever the thread count and whichever thread works a row.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "clientrisk/error.hpp"

namespace clientrisk {
inline namespace v1 {
// The most threads one call may be given.
inline constexpr unsigned max_threads = 1024;

namespace detail {

// The threads to use for `requested` (0: one per hardware thread), never more than there are
// `grain`-row pieces of work.
inline unsigned thread_count(unsigned requested, std::size_t rows, std::size_t grain) {
  unsigned n = requested != 0 ? requested : std::max(1u, std::thread::hardware_concurrency());
  if (n > max_threads)
    throw InvalidInput("threads: " + std::to_string(n) + " is more than " + std::to_string(max_threads));
  const std::size_t pieces = (rows + grain - 1) / grain;
  return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(n, pieces)));
}

// Calls work(thread, first, last) on pieces of [0, rows), each a multiple of grain rows but the
// last, 16 to 32 a thread when there are grains enough. Each thread works the pieces of its own
// share (contiguous rows, in increasing order), then takes the last pieces left in the others'
// shares, one at a time: a thread that runs slower (a virtual core other guests share, say)
// leaves its last pieces to the others instead of holding them up, and the threads keep to rows
// of their own (the pages each touches first) until then. thread 0 is the calling thread. Every
// piece is worked, even after one threw; rethrows the exception of the lowest piece that threw,
// once all have finished.
template <typename Work>
void parallel_rows(std::size_t rows, unsigned threads, std::size_t grain, Work&& work) {
  const unsigned n = thread_count(threads, rows, grain);
  if (n == 1) {
    work(0u, std::size_t{0}, rows);
    return;
  }
  const std::size_t grains = (rows + grain - 1) / grain;
  const std::size_t piece = std::max<std::size_t>(1, grains / (std::size_t{n} * 16)) * grain;
  const std::uint64_t pieces = (rows + piece - 1) / piece;  // fewer than 32 a thread: 32 bits hold it
  // The pieces of a share not taken yet, [front, back), as front << 32 | back: its thread takes
  // the front one, the others the back one.
  std::vector<std::atomic<std::uint64_t>> share(n);
  for (unsigned t = 0; t < n; ++t) share[t] = (pieces * t / n) << 32 | pieces * (t + 1) / n;
  auto take = [&](unsigned t, bool front) -> std::uint64_t {
    std::uint64_t w = share[t].load(std::memory_order_relaxed);
    for (;;) {
      const std::uint64_t f = w >> 32, b = w & 0xffffffffu;
      if (f >= b) return pieces;
      const std::uint64_t rest = front ? (f + 1) << 32 | b : f << 32 | (b - 1);
      if (share[t].compare_exchange_weak(w, rest, std::memory_order_relaxed)) return front ? f : b - 1;
    }
  };
  struct Failure {
    std::uint64_t piece;
    std::exception_ptr error;
  };
  std::vector<Failure> failed(n, Failure{pieces, nullptr});
  auto run = [&](unsigned t) {
    auto piece_of = [&](std::uint64_t i) {
      try {
        work(t, i * piece, std::min<std::size_t>(rows, (i + 1) * piece));
      } catch (...) {
        if (i < failed[t].piece) failed[t] = {i, std::current_exception()};
      }
    };
    for (std::uint64_t i; (i = take(t, true)) < pieces;) piece_of(i);
    for (unsigned k = 1; k < n; ++k)
      for (std::uint64_t i; (i = take((t + k) % n, false)) < pieces;) piece_of(i);
  };
  {
    std::vector<std::jthread> pool;
    pool.reserve(n - 1);
    for (unsigned t = 1; t < n; ++t) pool.emplace_back(run, t);
    run(0u);
  }
  const auto first = std::min_element(failed.begin(), failed.end(),
                                      [](const Failure& a, const Failure& b) { return a.piece < b.piece; });
  if (first->error) std::rethrow_exception(first->error);
}

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
