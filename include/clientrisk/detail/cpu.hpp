// Run-time choice between a baseline build of a hot loop and an AVX2 one. On x86-64 with GCC or
// Clang the AVX2 build runs when the CPU has it; define CLIENTRISK_NO_DISPATCH to keep only the
// baseline one. Both builds of a loop give the same results (docs/factors.md, "AVX2").
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
#endif

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
