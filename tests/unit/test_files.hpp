// Helpers of the file tests: reading bytes back, and re-wrapping a payload in an envelope whose
// length and checksum fit it (to reach the archive readers past the integrity checks).
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace clientrisk::test {

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// CRC-32C (Castagnoli, reflected), bit by bit: an implementation independent of the library's.
inline std::uint32_t crc32c(const std::string& bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// The envelope of file around another payload, with a length and checksum that fit it; kind
// replaces the payload kind when given.
inline std::string reenveloped(const std::string& file, const std::string& payload, std::string kind = {}) {
  std::istringstream line(file.substr(0, file.find('\n')));
  std::string magic, version, old_kind, archive;
  line >> magic >> version >> old_kind >> archive;
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08x", static_cast<unsigned>(crc32c(payload)));
  return magic + " " + version + " " + (kind.empty() ? old_kind : kind) + " " + archive + " " +
         std::to_string(payload.size()) + " " + crc + "\n" + payload;
}

// Calls f(changed, where) for every byte of bytes changed three ways (^ 0x01, ^ 0x80, ^ 0xff);
// where says which ("byte 12 ^ 128"). Returns the number of changes.
template <class F>
std::size_t for_each_byte_change(const std::string& bytes, F f) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int delta : {0x01, 0x80, 0xff}) {
      std::string changed = bytes;
      changed[i] = static_cast<char>(static_cast<unsigned char>(changed[i]) ^ delta);
      f(changed, "byte " + std::to_string(i) + " ^ " + std::to_string(delta));
      ++n;
    }
  }
  return n;
}

// The payload of a file's bytes: what follows the envelope line.
inline std::string payload_of(const std::string& file) { return file.substr(file.find('\n') + 1); }

}  // namespace clientrisk::test
