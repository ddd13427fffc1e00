// Splitting a batch of independent rows over threads. Each row's result depends on that row
// only, so the bits are the same whatever the thread count.
#pragma once

#include <algorithm>
#include <cstddef>
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

// Calls work(range, first, last) on `threads` contiguous ranges of [0, rows) (fewer when rows
// are few: thread_count), each a multiple of grain rows but the last, range 0 on the calling
// thread. Rethrows the exception of the
// lowest range that threw, once every range has finished.
template <typename Work>
void parallel_rows(std::size_t rows, unsigned threads, std::size_t grain, Work&& work) {
  const unsigned n = thread_count(threads, rows, grain);
  if (n == 1) {
    work(0u, std::size_t{0}, rows);
    return;
  }
  const std::size_t pieces = (rows + grain - 1) / grain;
  std::vector<std::size_t> bound(n + 1);
  for (unsigned i = 0; i <= n; ++i) bound[i] = std::min(rows, pieces * i / n * grain);
  std::vector<std::exception_ptr> failed(n);
  {
    std::vector<std::jthread> pool;
    pool.reserve(n - 1);
    for (unsigned i = 1; i < n; ++i)
      pool.emplace_back([&, i] {
        try {
          work(i, bound[i], bound[i + 1]);
        } catch (...) {
          failed[i] = std::current_exception();
        }
      });
    try {
      work(0u, bound[0], bound[1]);
    } catch (...) {
      failed[0] = std::current_exception();
    }
  }
  for (const auto& e : failed)
    if (e) std::rethrow_exception(e);
}

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
