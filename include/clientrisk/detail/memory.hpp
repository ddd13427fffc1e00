// An allocator for the engine's large arrays: blocks of 2 MiB and more are aligned to 2 MiB
// and marked for transparent huge pages, which cuts the cost of random access to them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>
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

// n elements of a trivial T from HugePageAllocator, left uninitialised: a buffer that is
// written in full before it is read, which a BigVector would first fill with zeros.
template <class T>
class UninitialisedArray {
  static_assert(std::is_trivial_v<T>);

 public:
  explicit UninitialisedArray(std::size_t n) : data_(HugePageAllocator<T>().allocate(n)), size_(n) {}
  ~UninitialisedArray() { HugePageAllocator<T>().deallocate(data_, size_); }
  UninitialisedArray(const UninitialisedArray&) = delete;
  UninitialisedArray& operator=(const UninitialisedArray&) = delete;
  T* data() { return data_; }
  T& operator[](std::size_t i) { return data_[i]; }

 private:
  T* data_;
  std::size_t size_;
};

template <class T>
void advise_huge_pages(const BigVector<T>& v) {
  if (v.capacity() * sizeof(T) >= kHugePage) advise_huge_pages(v.data(), v.capacity() * sizeof(T));
}

// A contiguous array of trivially copyable T that grows without copying its contents once it is
// large. A block of 2 MiB and more is a memory mapping of its own (Linux), whole 2 MiB pages
// aligned to them and marked for huge pages; growing it extends the mapping in place when the
// addresses after it are free, or moves its pages where the kernel finds room (mremap), which
// copies no byte and needs no second block beside the first. Smaller blocks come from operator
// new (so that a program's own operator new sees them) and are copied on growth. Elsewhere than
// on Linux, large blocks are aligned allocations, copied on growth too. A copy holds its size,
// not its capacity, as a std::vector's does.
template <class T>
class GrowableArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);

 public:
  using value_type = T;

  GrowableArray() = default;
  GrowableArray(const GrowableArray& other) {
    reserve(other.size_);
    if (other.size_) std::memcpy(data_, other.data_, other.size_ * sizeof(T));
    size_ = high_ = other.size_;
  }
  GrowableArray(GrowableArray&& other) noexcept { swap(other); }
  GrowableArray& operator=(GrowableArray other) noexcept {
    swap(other);
    return *this;
  }
  ~GrowableArray() { release(data_, bytes_); }

  void swap(GrowableArray& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(bytes_, other.bytes_);
    std::swap(high_, other.high_);
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return bytes_ / sizeof(T); }
  std::size_t block_bytes() const { return bytes_; }
  // The memory the block holds: a large block's pages up to the highest size it has had (the
  // kernel backs a mapping's pages only once written, a huge page at a time), a small block whole.
  std::size_t resident_bytes() const {
    if (!large(bytes_)) return bytes_;
    return std::min(bytes_, (high_ * sizeof(T) + kHugePage - 1) / kHugePage * kHugePage);
  }

  // Marks a large block for huge pages, after a DeferHugePages (advice only).
  void advise_huge_pages() const {
    if (large(bytes_)) detail::advise_huge_pages(data_, bytes_);
  }
  bool empty() const { return size_ == 0; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& back() { return data_[size_ - 1]; }
  const T& back() const { return data_[size_ - 1]; }

  void push_back(const T& v) {
    if (size_ == capacity()) {
      const T copy = v;  // v may be an element, and growing may move them
      grow_for(size_ + 1);
      data_[size_++] = copy;
    } else {
      data_[size_++] = v;
    }
    high_ = std::max(high_, size_);
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }

  // Elements added are value-initialised; shrinking keeps the capacity.
  void resize(std::size_t n) {
    if (n > capacity()) grow_for(n);
    for (std::size_t i = size_; i < n; ++i) new (data_ + i) T{};
    size_ = n;
    high_ = std::max(high_, size_);
  }

  // Capacity for at least n elements; the contents stay. Throws std::bad_alloc and leaves the
  // array as it was when memory runs out.
  void reserve(std::size_t n) {
    if (n <= capacity()) return;
    if (n > static_cast<std::size_t>(-1) / sizeof(T) - kHugePage) throw std::bad_alloc();
    std::size_t bytes = n * sizeof(T);
    if (bytes >= kHugePage) bytes = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    data_ = static_cast<T*>(reallocate(data_, bytes_, size_ * sizeof(T), bytes));
    bytes_ = bytes;
  }

 private:
  void grow_for(std::size_t n) { reserve(std::max(n, capacity() + capacity() / 2 + 16)); }

  static bool large(std::size_t bytes) { return bytes >= kHugePage; }

  // A new block of bytes (a multiple of kHugePage), aligned to kHugePage and advised for huge pages.
  static void* allocate_large(std::size_t bytes) {
#if defined(__linux__)
    void* p = mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    const auto begin = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t aligned = (begin + kHugePage - 1) / kHugePage * kHugePage;
    if (aligned > begin) munmap(p, aligned - begin);
    if (const std::size_t after = begin + kHugePage - aligned) munmap(reinterpret_cast<void*>(aligned + bytes), after);
    void* q = reinterpret_cast<void*>(aligned);
#else
    void* q = std::aligned_alloc(kHugePage, bytes);
    if (!q) throw std::bad_alloc();
#endif
    if (!DeferHugePages::active()) detail::advise_huge_pages(q, bytes);
    return q;
  }

  // The block p of old_bytes, used up to used bytes, as a block of new_bytes (larger) holding
  // the same first used bytes; p is released unless it is the block returned.
  static void* reallocate(void* p, std::size_t old_bytes, std::size_t used, std::size_t new_bytes) {
#if defined(__linux__)
    if (large(old_bytes)) {
      // In place, or where the kernel finds room: Linux 6.7 and later align a move of whole 2 MiB
      // pages to them. (Not onto a block of our own with MREMAP_FIXED: a kernel that unmaps the
      // target before failing would leave us no safe way to release it.)
      void* q = mremap(p, old_bytes, new_bytes, MREMAP_MAYMOVE);
      if (q == MAP_FAILED) throw std::bad_alloc();
      if (!DeferHugePages::active()) detail::advise_huge_pages(q, new_bytes);
      return q;
    }
#endif
    void* q = large(new_bytes) ? allocate_large(new_bytes) : ::operator new(new_bytes);
    if (used) std::memcpy(q, p, used);
    release(p, old_bytes);
    return q;
  }

  static void release(void* p, std::size_t bytes) {
    if (!p) return;
    if (!large(bytes)) {
      ::operator delete(p);
      return;
    }
#if defined(__linux__)
    munmap(p, bytes);
#else
    std::free(p);
#endif
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
  // Of the block. Whole huge pages when large: applying a batch to an invoice pool whose mapping
  // ended inside a huge page (4 KiB pages) took 1.8 times as long.
  std::size_t bytes_ = 0;
  std::size_t high_ = 0;  // the highest size so far
};

template <class T>
void advise_huge_pages(const GrowableArray<T>& v) {
  v.advise_huge_pages();
}

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
