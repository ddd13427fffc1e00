// The envelope of every clientrisk file, and the atomic save.
#include "envelope.hpp"

#include <boost/crc.hpp>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace clientrisk {
inline namespace v1 {
namespace detail {

namespace {

constexpr std::string_view kMagic = "clientrisk-file";
constexpr std::size_t kMaxEnvelopeLine = 128;

#if defined(__x86_64__)
// The CPU's CRC32 instruction (SSE 4.2) computes CRC-32C itself, eight bytes at a time: about
// ten times the speed of Boost's table, which matters for snapshots of hundreds of megabytes.
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(std::string_view bytes, std::uint32_t previous) {
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  std::uint64_t crc = ~previous;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    crc = _mm_crc32_u64(crc, word);
  }
  auto crc32 = static_cast<std::uint32_t>(crc);
  for (; n > 0; ++p, --n) crc32 = _mm_crc32_u8(crc32, static_cast<unsigned char>(*p));
  return ~crc32;
}
#endif

std::string_view format_name(ArchiveFormat f) { return f == ArchiveFormat::xml ? "xml" : "binary"; }

// A whole decimal number of at most 19 digits, no sign.
bool parse_count(std::string_view s, std::uint64_t& v) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return std::from_chars(s.data(), s.data() + s.size(), v).ec == std::errc();
}

}  // namespace

std::uint32_t crc32c_portable(std::string_view bytes, std::uint32_t previous) {
  // Boost takes the initial remainder unreflected: the register of a reflected CRC, reflected.
  std::uint32_t init = 0;
  for (int i = 0; i < 32; ++i) init |= ((~previous >> i) & 1u) << (31 - i);
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc(init);
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

std::uint32_t crc32c(std::string_view bytes, std::uint32_t previous) {
#if defined(__x86_64__)
  static const bool hardware = __builtin_cpu_supports("sse4.2");
  if (hardware) return crc32c_sse42(bytes, previous);
#endif
  return crc32c_portable(bytes, previous);
}

std::string_view kind_name(PayloadKind k) { return k == PayloadKind::model ? "model" : "snapshot"; }

std::string envelope_line(PayloadKind kind, ArchiveFormat format, std::uint64_t length, std::uint32_t crc) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(crc));
  return std::string(kMagic) + ' ' + std::to_string(file_format_version) + ' ' + std::string(kind_name(kind)) + ' ' +
         std::string(format_name(format)) + ' ' + std::to_string(length) + ' ' + hex + '\n';
}

std::string envelope_line(PayloadKind kind, ArchiveFormat format, std::string_view payload) {
  return envelope_line(kind, format, payload.size(), crc32c(payload));
}

Envelope read_envelope(std::string_view head, std::uint64_t file_size, std::string_view name, PayloadKind expected) {
  auto fail = [&](FileProblem p, const std::string& why) {
    return FileFormatError(p, std::string(name) + ": " + why);
  };
  const std::size_t eol = head.substr(0, kMaxEnvelopeLine).find('\n');
  if (!head.starts_with(std::string(kMagic) + ' ') || eol == std::string_view::npos)
    throw fail(FileProblem::not_clientrisk, "not a clientrisk file (it must start with '" + std::string(kMagic) + " ')");
  std::vector<std::string_view> fields;
  for (std::string_view rest = head.substr(0, eol);;) {
    const std::size_t sp = rest.find(' ');
    fields.push_back(rest.substr(0, sp));
    if (sp == std::string_view::npos) break;
    rest = rest.substr(sp + 1);
  }
  auto bad_line = [&](const std::string& why) { return fail(FileProblem::not_clientrisk, "bad envelope line: " + why); };
  if (fields.size() != 6 || std::any_of(fields.begin(), fields.end(), [](std::string_view f) { return f.empty(); }))
    throw bad_line("expected 'clientrisk-file VERSION KIND ARCHIVE LENGTH CRC32C'");
  std::uint64_t version = 0, length = 0;
  if (!parse_count(fields[1], version) || version == 0) throw bad_line("format version '" + std::string(fields[1]) + "'");
  if (version > static_cast<std::uint64_t>(file_format_version))
    throw fail(FileProblem::newer_format, "format version " + std::string(fields[1]) +
                                              " is newer than this build reads (" +
                                              std::to_string(file_format_version) + "); upgrade clientrisk");
  PayloadKind kind;
  if (fields[2] == "model") kind = PayloadKind::model;
  else if (fields[2] == "snapshot") kind = PayloadKind::snapshot;
  else throw bad_line("payload kind '" + std::string(fields[2]) + "' (expected model or snapshot)");
  ArchiveFormat format;
  if (fields[3] == "xml") format = ArchiveFormat::xml;
  else if (fields[3] == "binary") format = ArchiveFormat::binary;
  else throw bad_line("archive '" + std::string(fields[3]) + "' (expected xml or binary)");
  if (!parse_count(fields[4], length)) throw bad_line("payload length '" + std::string(fields[4]) + "'");
  const std::string_view crc = fields[5];
  if (crc.size() != 8 || crc.find_first_not_of("0123456789abcdef") != std::string_view::npos)
    throw bad_line("checksum '" + std::string(crc) + "' (expected 8 lowercase hex digits)");
  if (kind != expected)
    throw fail(FileProblem::wrong_kind, "is a " + std::string(kind_name(kind)) + " file, not a " +
                                            std::string(kind_name(expected)) + " file");
  const std::uint64_t payload = file_size - (eol + 1);
  if (payload < length)
    throw fail(FileProblem::truncated, "truncated: the payload has " + std::to_string(payload) + " of its " +
                                           std::to_string(length) + " bytes");
  if (payload > length)
    throw fail(FileProblem::trailing_bytes,
               std::to_string(payload - length) + (payload - length == 1 ? " byte" : " bytes") +
                   " after the payload of " + std::to_string(length) + " bytes (the file was damaged or edited; write " +
                   std::string(kind_name(expected)) + " files with clientrisk)");
  std::uint32_t value = 0;
  std::from_chars(crc.data(), crc.data() + crc.size(), value, 16);
  return {format, eol + 1, length, value, expected};
}

void check_checksum(const Envelope& e, std::uint32_t actual, std::string_view name) {
  if (actual == e.crc) return;
  char want[9], got[9];
  std::snprintf(want, sizeof want, "%08x", static_cast<unsigned>(e.crc));
  std::snprintf(got, sizeof got, "%08x", static_cast<unsigned>(actual));
  throw FileFormatError(FileProblem::checksum_mismatch,
                        std::string(name) + ": checksum mismatch: the envelope says " + want +
                            ", the payload's CRC-32C is " + got + " (the file was damaged or edited; write " +
                            std::string(kind_name(e.kind)) + " files with clientrisk)");
}

OpenedFile open_envelope(std::string_view bytes, std::string_view name, PayloadKind expected) {
  const Envelope e = read_envelope(bytes, bytes.size(), name, expected);
  const std::string_view payload = bytes.substr(e.payload_offset);
  check_checksum(e, crc32c(payload), name);
  return {e.format, payload};
}

namespace {

thread_local std::optional<SaveStep> injected_fault;

// Fails like a system call when the testing hook names this step.
bool injected(SaveStep s) {
  if (injected_fault != s) return false;
  injected_fault.reset();
  errno = EIO;
  return true;
}

[[noreturn]] void save_failed(SaveStep s, const std::string& path, int err,
                              const char* outcome = "the previous file is unchanged") {
  throw IoError(path + ": save failed at " + std::string(to_string(s)) + ": " + std::strerror(err) + " (" + outcome +
                ")");
}

}  // namespace

void fail_next_save_at(std::optional<SaveStep> step) { injected_fault = step; }

// The previous file is linked aside first, so that a failure of the last step can put it back.
void FileWriter::write_at(std::uint64_t offset, std::string_view bytes) {
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = injected(SaveStep::write)
                          ? -1
                          : ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = n < 0 ? errno : EIO;
      throw Failed{};
    }
    done += static_cast<std::size_t>(n);
  }
}

void write_atomically(const std::string& path, std::initializer_list<std::string_view> pieces) {
  write_atomically(path, [&](FileWriter& out) {
    std::uint64_t at = 0;
    for (std::string_view bytes : pieces) {
      out.write_at(at, bytes);
      at += bytes.size();
    }
  });
}

void write_atomically(const std::string& path, const std::function<void(FileWriter&)>& write) {
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  static std::atomic<std::uint64_t> counter{0};
  const std::string suffix = "." + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  const std::string tmp = path + ".tmp" + suffix, kept = path + ".old" + suffix;

  const int fd = injected(SaveStep::open) ? -1 : ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) save_failed(SaveStep::open, path, errno);
  auto abandon = [&](SaveStep s) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    save_failed(s, path, err);
  };
  FileWriter out(fd);
  try {
    write(out);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    if (out.error()) save_failed(SaveStep::write, path, out.error());
    throw;  // what the writer itself threw: out of memory, say
  }
  if (injected(SaveStep::fsync) || ::fsync(fd) != 0) abandon(SaveStep::fsync);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    save_failed(SaveStep::write, path, err);
  }
  struct stat st;
  const bool had_previous = ::stat(path.c_str(), &st) == 0;
  if (had_previous && ::link(path.c_str(), kept.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    save_failed(SaveStep::rename, path, err);
  }
  if (injected(SaveStep::rename) || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    if (had_previous) ::unlink(kept.c_str());
    save_failed(SaveStep::rename, path, err);
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool synced = !injected(SaveStep::fsync_dir) && dfd >= 0 && ::fsync(dfd) == 0;
  const int err = errno;
  if (dfd >= 0) ::close(dfd);
  if (!synced) {
    // Not known to be durable: put the previous file back (or remove the new one).
    const bool restored = had_previous ? ::rename(kept.c_str(), path.c_str()) == 0 : ::unlink(path.c_str()) == 0;
    if (!restored)
      save_failed(SaveStep::fsync_dir, path, err,
                  had_previous ? ("the new file is in place; the previous one is kept as " + kept).c_str()
                               : "the new file is in place");
    save_failed(SaveStep::fsync_dir, path, err);
  }
  if (had_previous) ::unlink(kept.c_str());
}

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
