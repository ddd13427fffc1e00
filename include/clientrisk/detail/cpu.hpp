// Run-time choice between a baseline build of a hot loop and AVX2 or AVX-512 ones. On x86-64 with
// GCC or Clang the widest build the CPU has runs; define CLIENTRISK_NO_DISPATCH to keep only the
// baseline one. Every build of a loop gives the same results (docs/factors.md, "AVX2 and AVX-512").
#pragma once

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && !defined(CLIENTRISK_NO_DISPATCH)
#define CLIENTRISK_X86_DISPATCH 1
#include <immintrin.h>
#else
#define CLIENTRISK_X86_DISPATCH 0
#endif

namespace clientrisk {
inline namespace v1 {
namespace detail {

#if CLIENTRISK_X86_DISPATCH
inline bool has_avx2() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return yes;
}

// AVX-512 Foundation, with the operating system saving its registers.
inline bool has_avx512f() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return yes;
}
#endif

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
