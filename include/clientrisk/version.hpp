// The library's single version number, read by CMake and exposed at run time.
// Bump CLIENTRISK_VERSION here only; everything else derives from it.
#pragma once

#include <string>

// major * 10000 + minor * 100 + patch, as {fmt} does.
#define CLIENTRISK_VERSION 100

namespace clientrisk {
inline namespace v1 {

inline constexpr int version_major = CLIENTRISK_VERSION / 10000;
inline constexpr int version_minor = CLIENTRISK_VERSION / 100 % 100;
inline constexpr int version_patch = CLIENTRISK_VERSION % 100;

// "MAJOR.MINOR.PATCH"
inline std::string version_string() {
  return std::to_string(version_major) + "." + std::to_string(version_minor) + "." + std::to_string(version_patch);
}

}  // namespace v1
}  // namespace clientrisk
