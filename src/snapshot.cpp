// Engine snapshots: the model and the ledger in a binary Boost.Serialization archive inside the
// verified envelope. The ledger's arrays go in as counted blocks of their in-memory bytes (their
// types have no padding); on loading, every count is checked against the bytes that remain
// before anything is allocated, and the state read is checked whole before the engine uses it.
#include "clientrisk/snapshot.hpp"

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/split_free.hpp>
#include <boost/serialization/tracking.hpp>
#include <boost/serialization/version.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <streambuf>
#include <type_traits>
#include <utility>
#include <vector>

#include "archive.hpp"
#include "envelope.hpp"
#include "read_file.hpp"

namespace clientrisk {
inline namespace v1 {
namespace detail {

namespace {

// Counts what an archive writes: the payload's length before it is written.
class CountingSink : public std::streambuf {
 public:
  std::uint64_t count() const { return count_; }

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) ++count_;
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char*, std::streamsize n) override {
    count_ += static_cast<std::uint64_t>(n);
    return n;
  }

 private:
  std::uint64_t count_ = 0;
};

// Writes what an archive writes to a file from an offset on, a block at a time (large blocks
// straight from the ledger's arrays), its CRC-32C computed on the way.
class FileSink : public std::streambuf {
 public:
  FileSink(FileWriter& out, std::uint64_t offset) : out_(out), pos_(offset), buffer_(kBuffer) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  // Writes what the buffer holds; call once the archive is done.
  void flush() {
    const std::string_view bytes(pbase(), static_cast<std::size_t>(pptr() - pbase()));
    emit(bytes);
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  std::uint32_t crc() const { return crc_; }
  std::uint64_t written() const { return written_; }

 protected:
  int_type overflow(int_type c) override {
    flush();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize count) override {
    const auto n = static_cast<std::size_t>(count);
    if (n <= static_cast<std::size_t>(epptr() - pptr())) {
      std::memcpy(pptr(), s, n);
      pbump(static_cast<int>(n));
    } else {
      flush();
      if (n < kBuffer) {
        std::memcpy(pptr(), s, n);
        pbump(static_cast<int>(n));
      } else {
        emit(std::string_view(s, n));
      }
    }
    return count;
  }

 private:
  static constexpr std::size_t kBuffer = std::size_t{1} << 20;

  void emit(std::string_view bytes) {
    if (bytes.empty()) return;
    out_.write_at(pos_, bytes);
    crc_ = crc32c(bytes, crc_);
    pos_ += bytes.size();
    written_ += bytes.size();
  }

  FileWriter& out_;
  std::uint64_t pos_;
  std::vector<char> buffer_;
  std::uint32_t crc_ = 0;
  std::uint64_t written_ = 0;
};

// The archive writes into a string we own, so the payload is never copied on the way out.
class StringSink : public std::streambuf {
 public:
  explicit StringSink(std::string& out) : out_(out) {}

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) out_ += traits_type::to_char_type(c);
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_.append(s, static_cast<std::size_t>(n));
    return n;
  }

 private:
  std::string& out_;
};

}  // namespace

// Where an archive reads a snapshot's payload from; remaining() bounds every count read.
class Source : public std::streambuf {
 public:
  virtual std::size_t remaining() const = 0;
};

namespace {

// A payload in memory, read where it lies. std::streambuf wants char*, but a get area is only
// read (there is no putback buffer), so the bytes are never written through it.
class ViewSource : public Source {
 public:
  explicit ViewSource(std::string_view v) {
    char* p = const_cast<char*>(v.data());
    setg(p, p, p + v.size());
  }
  std::size_t remaining() const override { return static_cast<std::size_t>(egptr() - gptr()); }
};

// A payload read from a file at offsets, its CRC-32C computed on the way. Large blocks go
// straight from the file into the ledger's arrays, so a snapshot is never held in memory whole.
class FileSource : public Source {
 public:
  FileSource(const InputFile& file, std::uint64_t offset, std::uint64_t length)
      : file_(file), pos_(offset), end_(offset + length), buffer_(kBuffer) {}
  std::size_t remaining() const override {
    return static_cast<std::size_t>(end_ - pos_) + static_cast<std::size_t>(egptr() - gptr());
  }
  // The CRC-32C of every byte read from the file so far.
  std::uint32_t crc() const { return crc_; }

 protected:
  int_type underflow() override {
    if (gptr() == egptr()) {
      const std::size_t n = fill(buffer_.data(), std::min<std::uint64_t>(kBuffer, end_ - pos_));
      setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
      if (n == 0) return traits_type::eof();
    }
    return traits_type::to_int_type(*gptr());
  }

  std::streamsize xsgetn(char* s, std::streamsize count) override {
    const auto want = static_cast<std::size_t>(count);
    std::size_t done = 0;
    while (done < want) {
      if (gptr() < egptr()) {
        const std::size_t take = std::min(want - done, static_cast<std::size_t>(egptr() - gptr()));
        std::memcpy(s + done, gptr(), take);
        setg(eback(), gptr() + take, egptr());
        done += take;
      } else if (want - done >= kBuffer) {
        const std::size_t got = fill(s + done, std::min<std::uint64_t>(want - done, end_ - pos_));
        if (got == 0) break;
        done += got;
      } else if (traits_type::eq_int_type(underflow(), traits_type::eof())) {
        break;
      }
    }
    return static_cast<std::streamsize>(done);
  }

 private:
  static constexpr std::size_t kBuffer = std::size_t{1} << 20;

  std::size_t fill(char* dst, std::uint64_t n) {
    const std::size_t got = file_.read_at(pos_, dst, static_cast<std::size_t>(n));
    crc_ = crc32c(std::string_view(dst, got), crc_);
    pos_ += got;
    return got;
  }

  const InputFile& file_;
  std::uint64_t pos_, end_;
  std::vector<char> buffer_;
  std::uint32_t crc_ = 0;
};

// What is wrong with the state a snapshot holds, although its checksum is right.
struct Inconsistent {
  std::string why;
};

}  // namespace

// A registry entry as a snapshot holds it.
struct RegistryRow {
  std::uint64_t key;
  RefEntry value;
};
static_assert(std::has_unique_object_representations_v<RegistryRow>);

// The Boost.Serialization face of a ledger: one of source (saving) or target (loading) is set.
struct LedgerImage {
  const Ledger* source = nullptr;
  Ledger* target = nullptr;
  const Source* in = nullptr;
};

struct LedgerAccess {
  template <class T, class Vector>
  static void save_block(boost::archive::binary_oarchive& ar, const Vector& v) {
    static_assert(std::is_same_v<typename Vector::value_type, T> && std::is_trivially_copyable_v<T>);
    const std::uint64_t n = v.size();
    ar << n;
    if (n) ar.save_binary(v.data(), n * sizeof(T));
  }

  // Reads a count, checks it against the bytes that remain, then allocates and reads the block.
  template <class T, class Vector>
  static void load_block(boost::archive::binary_iarchive& ar, const Source& in, Vector& v, const char* what) {
    std::uint64_t n = 0;
    ar >> n;
    if (n > in.remaining() / sizeof(T))
      throw Inconsistent{std::string(what) + ": " + std::to_string(n) + " entries of " + std::to_string(sizeof(T)) +
                         " bytes announced, " + std::to_string(in.remaining()) + " bytes remain"};
    v.resize(static_cast<std::size_t>(n));
    if (n) ar.load_binary(v.data(), static_cast<std::size_t>(n) * sizeof(T));
  }

  static void save(boost::archive::binary_oarchive& ar, const Ledger& l) {
    ar << l.horizon_ << l.latest_ << l.generation_ << l.revenue_base_;
    save_block<char>(ar, l.interner_.arena());
    save_block<std::size_t>(ar, l.interner_.ends());
    save_block<ClientState>(ar, l.states_);
    save_block<std::uint32_t>(ar, l.events_);
    save_block<Invoice>(ar, l.pool_);
    save_block<std::uint32_t>(ar, l.free_);
    // The references, a block at a time, straight from the registry.
    const std::uint64_t references = l.registry_.size();
    ar << references;
    std::vector<RegistryRow> rows;
    rows.reserve(std::min<std::size_t>(l.registry_.size(), 4096));
    auto flush = [&] {
      if (!rows.empty()) ar.save_binary(rows.data(), rows.size() * sizeof(RegistryRow));
      rows.clear();
    };
    l.registry_.for_each([&](std::uint64_t key, const RefEntry& e) {
      rows.push_back({key, e});
      if (rows.size() == rows.capacity()) flush();
    });
    flush();
    save_block<std::int64_t>(ar, l.revenue_);
    save_block<Incidents>(ar, l.incidents_);
    save_block<Record>(ar, l.pending_);
  }

  static void load(boost::archive::binary_iarchive& ar, const Source& in, Ledger& l, unsigned int version) {
    // Every block is written once, in order: huge pages are advised once it is filled.
    const DeferHugePages defer;
    ar >> l.horizon_ >> l.latest_ >> l.generation_ >> l.revenue_base_;
    std::string arena;
    BigVector<std::size_t> ends;
    load_block<char>(ar, in, arena, "client ids");
    load_block<std::size_t>(ar, in, ends, "client id ends");
    if (auto why = l.interner_.assign(std::move(arena), std::move(ends))) throw Inconsistent{*why};
    load_block<ClientState>(ar, in, l.states_, "client states");
    if (version >= 4) {
      load_block<std::uint32_t>(ar, in, l.events_, "event counts");
    } else {  // the event counts were in the states' last four bytes (version 3) or not kept, zero
      l.events_.resize(l.states_.size());
      for (std::size_t i = 0; i < l.states_.size(); ++i) {
        if (version < 3 && l.states_[i].reserved != 0) throw Inconsistent{"a client's padding is not zero"};
        l.events_[i] = std::exchange(l.states_[i].reserved, 0);
      }
    }
    load_block<Invoice>(ar, in, l.pool_, "invoices");
    load_block<std::uint32_t>(ar, in, l.free_, "free invoice slots");
    // The references, a block at a time, straight into the registry.
    std::uint64_t references = 0;
    ar >> references;
    if (references > in.remaining() / sizeof(RegistryRow))
      throw Inconsistent{"references: " + std::to_string(references) + " entries of " +
                         std::to_string(sizeof(RegistryRow)) + " bytes announced, " + std::to_string(in.remaining()) +
                         " bytes remain"};
    l.registry_.reserve_more(static_cast<std::size_t>(references));
    std::vector<RegistryRow> rows(std::min<std::uint64_t>(references, 4096));
    for (std::uint64_t done = 0; done < references; done += rows.size()) {
      rows.resize(static_cast<std::size_t>(std::min<std::uint64_t>(rows.size(), references - done)));
      ar.load_binary(rows.data(), rows.size() * sizeof(RegistryRow));
      for (const RegistryRow& row : rows) {
        if (row.key == 0) throw Inconsistent{"a reference has the key 0"};
        auto [entry, inserted] = l.registry_.insert(row.key);
        if (!inserted) throw Inconsistent{"a reference appears twice"};
        *entry = row.value;
        if (version < 2) {  // the four bytes were padding, zero
          if (entry->dispute_since != 0) throw Inconsistent{"a reference has a bad owner, date or amount"};
          entry->dispute_since = entry->applied_disputes > 0 ? entry->date : kNoDate;
        }
      }
    }
    load_block<std::int64_t>(ar, in, l.revenue_, "monthly revenue");
    load_block<Incidents>(ar, in, l.incidents_, "incidents");
    load_block<Record>(ar, in, l.pending_, "pending events");
    l.clients_with_events_ = check(l);
    l.dates_.resize(l.states_.size());  // what validation reads, copied from the states
    for (std::size_t i = 0; i < l.states_.size(); ++i)
      l.dates_[i] = {l.states_[i].last_date, l.states_[i].last_free_payment};
    l.interner_.advise_huge_pages();
    l.registry_.advise_huge_pages();
    advise_huge_pages(l.states_);
    advise_huge_pages(l.events_);
    advise_huge_pages(l.dates_);
    advise_huge_pages(l.pool_);
    advise_huge_pages(l.free_);
    advise_huge_pages(l.pending_);
  }

  // Every invariant the ledger's code relies on, so that a snapshot read is as safe to use as a
  // ledger built from events. Linear in the size of the state. Returns the number of clients
  // with an applied event, which its pass over the states counts.
  static std::size_t check(const Ledger& l) {
    auto fail = [](std::string why) { throw Inconsistent{std::move(why)}; };
    const std::int32_t first_day = Date::from_civil(1, 1, 1)->days(), last_day = Date::from_civil(9999, 12, 31)->days();
    const std::int32_t first_month = Date::from_days(first_day).month_index();
    const std::int32_t last_month = Date::from_days(last_day).month_index();
    auto day_ok = [&](std::int32_t d) { return d == kNoDate || (d >= first_day && d <= last_day); };
    auto month_ok = [&](std::int32_t m) { return m == kNoDate || (m >= first_month && m <= last_month); };
    auto sum_ok = [](double v) { return std::isfinite(v) && v >= 0; };
    const std::size_t n = l.interner_.size();
    const std::size_t slots = l.pool_.size();
    if (l.states_.size() != n)
      fail(std::to_string(l.states_.size()) + " client states for " + std::to_string(n) + " client ids");
    if (l.events_.size() != n)
      fail(std::to_string(l.events_.size()) + " event counts for " + std::to_string(n) + " client ids");
    if (!day_ok(l.horizon_) || !day_ok(l.latest_)) fail("the horizon or the latest date is outside the calendar");
    if (!l.revenue_.empty() &&
        (!month_ok(l.revenue_base_) || l.revenue_base_ == kNoDate ||
         l.revenue_.size() > static_cast<std::size_t>(last_month - l.revenue_base_) + 1))
      fail("the monthly revenue is outside the calendar");
    for (std::int64_t v : l.revenue_)
      if (v < 0) fail("a monthly revenue is negative");

    // Each pool slot is free or open for one client: kFree, or the owner's index.
    constexpr std::uint32_t kUnseen = kNone, kFree = kNone - 1;
    std::vector<std::uint32_t> owner(slots, kUnseen);
    for (std::uint32_t s : l.free_) {
      if (s >= slots || owner[s] != kUnseen) fail("a free invoice slot is out of range or repeated");
      owner[s] = kFree;
    }
    std::vector<std::uint8_t> incidents_used(l.incidents_.size(), 0);
    std::size_t with_events = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const ClientState& c = l.states_[i];
      const std::string who = "client '" + std::string(l.interner_.name(i)) + "': ";
      if (!day_ok(c.first_date) || !day_ok(c.last_date) || !day_ok(c.last_free_payment) || !day_ok(c.epoch) ||
          !month_ok(c.ring_month) || !month_ok(c.first_invoice_month))
        fail(who + "a date is outside the calendar");
      const bool seen = c.first_date != kNoDate;
      with_events += seen;
      if ((c.last_date != kNoDate) != seen || (c.epoch != kNoDate) != seen ||
          (c.first_invoice_month != kNoDate) != (c.ring_month != kNoDate) ||
          (!seen && (c.ring_month != kNoDate || c.open_count != 0)))
        fail(who + "its dates contradict one another");
      if (c.reserved != 0) fail(who + "its padding is not zero");
      if (c.open_amount < 0 || c.credit_balance < 0 || c.disputed_open < 0)
        fail(who + "a balance is negative");
      for (std::int64_t v : c.invoiced)
        if (v < 0) fail(who + "a monthly invoiced amount is negative");
      for (double v : {c.paid_w, c.paid_paydex, c.paid_dbt, c.complaints, c.returned, c.invoiced_decayed, c.disputes,
                       c.disputed, c.reviews, c.rating_sum, c.negative_reviews})
        if (!sum_ok(v)) fail(who + "a decayed sum is negative or not finite");
      if (c.incidents != kNone) {
        if (c.incidents >= incidents_used.size() || incidents_used[c.incidents])
          fail(who + "its incidents are out of range or shared");
        incidents_used[c.incidents] = 1;
      }
      std::uint32_t count = 0, prev = kNone;
      for (std::uint32_t s = c.open_head; s != kNone; prev = s, s = l.pool_[s].next) {
        if (s >= slots || owner[s] != kUnseen || l.pool_[s].prev != prev || ++count > c.open_count)
          fail(who + "its list of open invoices is broken");
        owner[s] = i;
      }
      if (prev != c.open_tail || count != c.open_count) fail(who + "its list of open invoices is broken");
    }
    for (std::uint32_t s = 0; s < slots; ++s) {
      if (owner[s] == kUnseen) fail("invoice slot " + std::to_string(s) + " is neither open nor free");
      if (owner[s] == kFree) continue;
      const Invoice& inv = l.pool_[s];
      const RefEntry* entry = l.registry_.find(inv.key);
      if (inv.amount <= 0 || inv.outstanding <= 0 || inv.outstanding > inv.amount || !day_ok(inv.issued) ||
          !day_ok(inv.due) || inv.issued == kNoDate || inv.due == kNoDate || inv.due < inv.issued)
        fail("open invoice in slot " + std::to_string(s) + " has a bad amount or date");
      if (inv.key == 0 || !entry || entry->client != owner[s] || entry->slot != s)
        fail("open invoice in slot " + std::to_string(s) + " is not registered to its client");
    }
    l.registry_.for_each([&](std::uint64_t, const RefEntry& e) {
      if (e.client >= n || !day_ok(e.date) || e.disputed < 0 || e.closed > 1 ||
          e.reserved != std::array<std::uint8_t, 3>{} ||
          (e.applied_disputes == 0) != (e.dispute_since == kNoDate) || !day_ok(e.dispute_since))
        fail("a reference has a bad owner, date or amount");
      if (e.slot != kNone && (e.slot >= slots || owner[e.slot] != e.client))
        fail("a reference points at an invoice slot its client does not own");
    });
    for (const Incidents& inc : l.incidents_) {
      auto entries_ok = [&](const RecentEntries<3>& r) {
        if (r.used > 3) return false;
        for (std::size_t k = 0; k < r.used; ++k)
          if (r.date[k] == kNoDate || !day_ok(r.date[k]) || r.weight[k] < 0) return false;
        return true;
      };
      bool ok = entries_ok(inc.write_offs) && entries_ok(inc.cancel_early) && entries_ok(inc.cancel_at_term);
      for (const auto& notice : inc.notices) ok = ok && entries_ok(notice);
      if (!ok) fail("an incident has a bad count or date");
    }
    for (const Record& r : l.pending_) check_pending(l, r, day_ok);
    return with_events;
  }

  // A pending event must be one that posting could have staged: the fields of its kind, and
  // the references it will use registered to its client.
  template <class DayOk>
  static void check_pending(const Ledger& l, const Record& r, DayOk day_ok) {
    auto fail = [&](const std::string& why) { throw Inconsistent{"a pending event " + why}; };
    if (static_cast<int>(r.kind) >= event_kind_count) fail("has an unknown kind");
    if (r.client >= l.interner_.size()) fail("belongs to no client");
    if (r.date == kNoDate || !day_ok(r.date) || !day_ok(r.due) || (l.horizon_ != kNoDate && r.date <= l.horizon_) ||
        r.date > l.latest_)
      fail("has a date outside the calendar or not after the horizon");
    const EventShape shape = event_shape(r.kind);
    using enum FieldUse;
    const bool has_amount = r.amount != -1, has_due = r.due != kNoDate, has_ref = r.key != 0;
    if ((shape.amount == required && !has_amount) || (shape.amount == unused && has_amount) ||
        (has_amount && (r.amount < (shape.amount_may_be_zero ? 0 : 1) || r.amount > Money::max_event_cents)))
      fail("has a bad amount");
    if ((shape.due == required && !has_due) || (shape.due == unused && has_due) || (has_due && r.due < r.date))
      fail("has a bad due date");
    if ((shape.max_code == 0 && r.code != 0) || (shape.max_code > 0 && (r.code < 1 || r.code > shape.max_code)) ||
        r.pad != 0)
      fail("has a bad detail code");
    if ((shape.ref == required && !has_ref) || (shape.ref == unused && has_ref)) fail("has a bad reference");
    if (has_ref) {
      const RefEntry* entry = l.registry_.find(r.key);
      if (!entry || entry->client != r.client) fail("refers to a reference its client does not have");
      if (r.kind == EventKind::invoice && entry->slot != kNone) fail("is an invoice that is open already");
    }
  }
};

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk

BOOST_CLASS_VERSION(clientrisk::detail::LedgerImage, 4)

namespace boost::serialization {

template <class Archive>
void save(Archive& ar, const clientrisk::detail::LedgerImage& image, const unsigned int /*version*/) {
  clientrisk::detail::LedgerAccess::save(ar, *image.source);
}

// Version 2 dates the oldest open dispute of each reference; a version 1 snapshot did not keep
// it, and an invoice's disputes count as open since the invoice's date. Version 3 counts each
// client's events (max_events_per_client); the clients of an earlier one count from the load.
// Version 4 keeps the counts in a block of their own, after the states, whose last four bytes
// held them and are now padding.
template <class Archive>
void load(Archive& ar, clientrisk::detail::LedgerImage& image, const unsigned int version) {
  clientrisk::detail::check_class_version(version, boost::serialization::version<clientrisk::detail::LedgerImage>::value,
                                          "the ledger");
  clientrisk::detail::LedgerAccess::load(ar, *image.in, *image.target, version);
}

}  // namespace boost::serialization

BOOST_SERIALIZATION_SPLIT_FREE(clientrisk::detail::LedgerImage)
BOOST_CLASS_TRACKING(clientrisk::detail::LedgerImage, boost::serialization::track_never)

namespace clientrisk {
inline namespace v1 {

namespace {

// The snapshot's archive, written to out.
void write_archive(const Engine& engine, std::streambuf& out) {
  boost::archive::binary_oarchive ar(out);
  const Model model = engine.model();
  const detail::LedgerImage image{&engine.ledger(), nullptr, nullptr};
  ar << model << image;
}

}  // namespace

// Written twice: once to count the payload's bytes (which fixes the length of the envelope
// line), once after the line's place in a string of the right size; the line goes in last.
std::string snapshot_bytes(const Engine& engine) {
  detail::CountingSink counter;
  write_archive(engine, counter);
  const std::uint64_t length = counter.count();
  std::string out = detail::envelope_line(PayloadKind::snapshot, ArchiveFormat::binary, length, 0);
  const std::size_t line = out.size();
  out.reserve(line + static_cast<std::size_t>(length));
  detail::StringSink sink(out);
  write_archive(engine, sink);
  if (out.size() != line + length) throw Error("snapshot_bytes: the archive's two writings differ in length");
  out.replace(0, line, detail::envelope_line(PayloadKind::snapshot, ArchiveFormat::binary, std::string_view(out).substr(line)));
  return out;
}

namespace {

FileFormatError corrupt(std::string_view name, const std::string& why) {
  return FileFormatError(FileProblem::corrupt_payload, std::string(name) + ": " + why);
}

// The payload's archive kind and first bytes, checked before any Boost code reads it.
void check_archive(ArchiveFormat format, std::string_view start, std::string_view name) {
  if (format != ArchiveFormat::binary) throw corrupt(name, "a snapshot must be a binary archive");
  if (!detail::binary_archive_signature_ok(start))
    throw corrupt(name, "the snapshot archive cannot be read: it does not start with a Boost binary archive's signature");
}

// The engine of a payload whose envelope and checksum were checked.
Engine read_engine(detail::Source& in, std::string_view name) {
  try {
    boost::archive::binary_iarchive ar(in);
    Model model;
    ar >> model;
    if (auto why = model_problem(model))
      throw FileFormatError(FileProblem::invalid_model, std::string(name) + ": invalid model: " + *why);
    Ledger ledger(DecayConfig{model.payment_half_life_days, model.dissatisfaction_half_life_days,
                              model.review_half_life_days});
    detail::LedgerImage image{nullptr, &ledger, &in};
    ar >> image;
    if (in.remaining() != 0)
      throw corrupt(name, std::to_string(in.remaining()) + " bytes after the end of the snapshot archive");
    return Engine(model, std::move(ledger));
  } catch (const detail::Inconsistent& e) {
    throw corrupt(name, "the snapshot's state is inconsistent: " + e.why);
  } catch (const boost::archive::archive_exception& e) {
    throw corrupt(name, std::string("the snapshot archive cannot be read: ") + e.what());
  }
}

}  // namespace

Engine engine_from_snapshot_bytes(std::string_view bytes, std::string_view name) {
  const detail::OpenedFile file = detail::open_envelope(bytes, name, PayloadKind::snapshot);
  check_archive(file.format, file.payload, name);
  detail::ViewSource in(file.payload);
  return read_engine(in, name);
}

// Written twice, never held in memory: once to count the payload's bytes (which fixes the length
// of the envelope line), once to the file after the line's place, checksummed on the way; the
// line goes in last.
void save_snapshot(const Engine& engine, const std::string& path) {
  detail::CountingSink counter;
  write_archive(engine, counter);
  const std::uint64_t length = counter.count();
  const std::size_t line = detail::envelope_line(PayloadKind::snapshot, ArchiveFormat::binary, length, 0).size();
  detail::write_atomically(path, [&](detail::FileWriter& out) {
    detail::FileSink sink(out, line);
    write_archive(engine, sink);
    sink.flush();
    if (sink.written() != length) throw Error("save_snapshot: the archive's two writings differ in length");
    out.write_at(0, detail::envelope_line(PayloadKind::snapshot, ArchiveFormat::binary, length, sink.crc()));
  });
}

// A regular file is read twice, a block at a time, rather than held in memory: once for the
// checksum, once for the archive. The second reading is checksummed too, so that a file that
// changed in between is refused.
Engine load_snapshot(const std::string& path) {
  const detail::InputFile file(path, "a snapshot file");
  if (!file.regular()) return engine_from_snapshot_bytes(file.read_all(), path);
  std::string head(256, '\0');
  head.resize(file.read_at(0, head.data(), head.size()));
  const detail::Envelope envelope = detail::read_envelope(head, file.size(), path, PayloadKind::snapshot);
  std::vector<char> block(std::size_t{1} << 20);
  std::uint32_t crc = 0;
  for (std::uint64_t at = envelope.payload_offset, end = at + envelope.length; at < end;) {
    const std::size_t got = file.read_at(at, block.data(), std::min<std::uint64_t>(block.size(), end - at));
    if (got == 0) break;  // the file shrank: the checksum tells
    crc = detail::crc32c(std::string_view(block.data(), got), crc);
    at += got;
  }
  detail::check_checksum(envelope, crc, path);
  check_archive(envelope.format, std::string_view(head).substr(envelope.payload_offset), path);
  detail::FileSource in(file, envelope.payload_offset, envelope.length);
  Engine engine = read_engine(in, path);
  if (in.crc() != envelope.crc)
    throw FileFormatError(FileProblem::checksum_mismatch, path + ": the file changed while it was read");
  return engine;
}

}  // namespace v1
}  // namespace clientrisk
