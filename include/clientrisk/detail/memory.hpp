// An allocator for the engine's large arrays: blocks of 2 MiB and more are aligned to 2 MiB
// and marked for transparent huge pages, which cuts the cost of random access to them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace clientrisk {
inline namespace v1 {
namespace detail {

inline constexpr std::size_t kHugePage = std::size_t{2} << 20;

// While one lives in a thread, the large blocks the thread allocates get no huge-page advice at
// once. A writer that fills a block once, in order (a snapshot's load), then pays a quarter of
// the first touch on kernels that compact memory to fault huge pages in; advise_huge_pages()
// gives the advice afterwards, and the kernel collapses the pages in the background.
class DeferHugePages {
 public:
  DeferHugePages() { ++depth(); }
  ~DeferHugePages() { --depth(); }
  DeferHugePages(const DeferHugePages&) = delete;
  DeferHugePages& operator=(const DeferHugePages&) = delete;
  static bool active() { return depth() > 0; }

 private:
  static int& depth() {
    thread_local int d = 0;
    return d;
  }
};

// Marks the huge-page-aligned large block at p for transparent huge pages (advice only).
inline void advise_huge_pages([[maybe_unused]] const void* p, [[maybe_unused]] std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes < kHugePage) return;
  madvise(const_cast<void*>(p), (bytes + kHugePage - 1) / kHugePage * kHugePage, MADV_HUGEPAGE);
#endif
}

// Marks the whole 2 MiB pages inside a large block that another allocator gave (Eigen's, say)
// and that is not yet written: their first touch then faults a huge page, not 512 small ones,
// which on virtual machines costs several milliseconds per hundred megabytes.
inline void advise_huge_pages_within(const void* p, std::size_t bytes) {
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t first = (begin + kHugePage - 1) / kHugePage * kHugePage;
  const std::uintptr_t last = (begin + bytes) / kHugePage * kHugePage;
  if (last > first) advise_huge_pages(reinterpret_cast<const void*>(first), last - first);
}

template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return static_cast<T*>(::operator new(bytes));
    const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, rounded);
    if (!p) throw std::bad_alloc();
    if (!DeferHugePages::active()) advise_huge_pages(p, rounded);  // without huge pages it still works
    return static_cast<T*>(p);
  }

  void deallocate(T* p, std::size_t n) {
    if (n * sizeof(T) < kHugePage)
      ::operator delete(p);
    else
      std::free(p);
  }

  template <class U>
  bool operator==(const HugePageAllocator<U>&) const { return true; }
};

template <class T>
using BigVector = std::vector<T, HugePageAllocator<T>>;

template <class T>
void advise_huge_pages(const BigVector<T>& v) {
  if (v.capacity() * sizeof(T) >= kHugePage) advise_huge_pages(v.data(), v.capacity() * sizeof(T));
}

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
