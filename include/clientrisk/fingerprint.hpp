// The model fingerprint: the SHA-256 (OpenSSL's libcrypto) of a model's canonical bytes. Every
// score carries the fingerprint of the model that produced it.
#pragma once

#include <openssl/evp.h>

#include <bit>
#include <cstdint>
#include <string>

#include "clientrisk/error.hpp"
#include "clientrisk/model.hpp"

namespace clientrisk {
inline namespace v1 {

// 64 lowercase hex digits, equal for equal models wherever they are loaded. The canonical bytes
// are "clientrisk-model-1" followed by every weight and parameter, in the order of factor_names
// and model_parameters (then the calibration_parameters the model uses: calibration_fields_used), as IEEE 754 doubles
// in little-endian order (-0 written as +0).
inline std::string model_fingerprint(const Model& m) {
  std::string bytes = "clientrisk-model-1";
  auto put = [&](double v) {
    const std::uint64_t u = std::bit_cast<std::uint64_t>(v == 0 ? 0.0 : v);
    for (int k = 0; k < 8; ++k) bytes += static_cast<char>((u >> (8 * k)) & 0xff);
  };
  for (double w : m.weights) put(w);
  for (const ModelParameter& p : model_parameters) put(m.*p.field);
  // An uncalibrated model keeps the fingerprint it had before calibration existed, and a
  // probability model the one it had before scorecard points.
  for (std::size_t i = 0; i < calibration_fields_used(m); ++i) put(m.*calibration_parameters[i].field);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr) != 1 || n != 32)
    throw Error("model_fingerprint: OpenSSL's SHA-256 failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) out += {hex[md[i] >> 4], hex[md[i] & 15]};
  return out;
}

}  // namespace v1
}  // namespace clientrisk
