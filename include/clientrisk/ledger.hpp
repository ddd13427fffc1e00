// Per-client ledger state built from events: open invoices, payment experience, monthly
// invoicing, decayed dissatisfaction and reviews, contracts, legal notices. Events wait in a
// pending buffer until the ledger is advanced to a date; they are then applied in a canonical
// order, so the state never depends on the order in which events were posted.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "clientrisk/date.hpp"
#include "clientrisk/detail/hash.hpp"
#include "clientrisk/detail/memory.hpp"
#include "clientrisk/error.hpp"
#include "clientrisk/event.hpp"
#include "clientrisk/money.hpp"

namespace clientrisk {
inline namespace v1 {

// The half-lives of the decayed sums, fixed when the ledger is made.
struct DecayConfig {
  double payment_half_life_days = 180;
  double dissatisfaction_half_life_days = 180;
  double review_half_life_days = 365;
  friend bool operator==(const DecayConfig&, const DecayConfig&) = default;
};

// An event rejected by a batch: its position in the batch, the column and the reason.
struct Rejection {
  std::size_t index;
  std::string column;
  std::string message;
};

namespace detail {

inline constexpr std::uint32_t kNone = 0xffffffffu;
inline constexpr std::int32_t kNoDate = std::numeric_limits<std::int32_t>::min();
inline constexpr int kRingMonths = 25;  // the current month and 24 completed ones

// The published key of the PAYDEX-style index: (days beyond terms, index), linear between.
constexpr double paydex_of_days(double d) {
  constexpr double xs[] = {-30, -20, 0, 15, 22, 30, 60, 90, 120};
  constexpr double ys[] = {100, 90, 80, 70, 60, 50, 40, 30, 20};
  if (d <= xs[0]) return ys[0];
  for (int i = 1; i < 9; ++i)
    if (d <= xs[i]) return ys[i - 1] + (ys[i] - ys[i - 1]) * (d - xs[i - 1]) / (xs[i] - xs[i - 1]);
  return std::max(1.0, 20 - (d - 120) / 3);  // continues the last slope, clamped at 1
}

// paydex_of_days() of a whole number of days, read from a table over the days where the key
// bends (the same values: the table is filled by the function).
inline double paydex_of_whole_days(std::int32_t d) {
  constexpr std::int32_t lo = -31, hi = 181;  // past 177 days the index is clamped at 1
  static constexpr auto table = [] {
    std::array<double, hi - lo> t{};
    for (std::int32_t i = lo; i < hi; ++i) t[static_cast<std::size_t>(i - lo)] = paydex_of_days(i);
    return t;
  }();
  return d >= lo && d < hi ? table[static_cast<std::size_t>(d - lo)] : paydex_of_days(d);
}

// The longest lag in whole days for which lag / half_life stays at most 600 (half_life >= 1):
// the lag past which a client's decayed sums are rebased, about 2^600 grown.
inline std::int64_t rebase_lag(double half_life) {
  if (600 * half_life >= 0x1p33) return std::numeric_limits<std::int64_t>::max();  // no two dates lie so far apart
  auto lag = static_cast<std::int64_t>(600 * half_life);
  while (static_cast<double>(lag + 1) / half_life <= 600) ++lag;
  while (static_cast<double>(lag) / half_life > 600) --lag;
  return lag;
}

// The slot of month m in ClientState::invoiced.
constexpr std::size_t ring_slot(std::int32_t m) {
  const std::int32_t r = m % kRingMonths;
  return static_cast<std::size_t>(r < 0 ? r + kRingMonths : r);
}

// exp2(d / half_life) for the whole days d in [0, kDays): the growth of a decayed sum for the
// events of a client's first eleven years after its epoch, read rather than computed. Each value
// is std::exp2 of the same argument, so reading it changes no result.
class GrowthTable {
 public:
  static constexpr std::int32_t kDays = 4096;

  explicit GrowthTable(double half_life) : half_life_(half_life) {
    for (std::int32_t d = 0; d < kDays; ++d) values_[static_cast<std::size_t>(d)] = std::exp2(d / half_life);
  }

  // exp2(d / half_life()), from the table when d is in it.
  double operator()(std::int32_t d) const {
    return static_cast<std::uint32_t>(d) < static_cast<std::uint32_t>(kDays) ? values_[static_cast<std::size_t>(d)]
                                                                             : std::exp2(d / half_life_);
  }

  // The table of a half-life, shared by every ledger of the process that uses it. The first 16
  // half-lives asked for get one, null for any other (growth is then computed each time). The
  // tables lie in static storage: no allocation to fail, none to free.
  static const GrowthTable* shared(double half_life) {
    struct Store {
      std::mutex mutex;
      std::size_t used = 0;
      alignas(GrowthTable) unsigned char bytes[16][sizeof(GrowthTable)];
    };
    static Store store;
    const std::lock_guard lock(store.mutex);
    for (std::size_t i = 0; i < store.used; ++i) {
      const GrowthTable* t = std::launder(reinterpret_cast<const GrowthTable*>(store.bytes[i]));
      if (t->half_life_ == half_life) return t;
    }
    if (store.used == std::size(store.bytes)) return nullptr;
    return ::new (store.bytes[store.used++]) GrowthTable(half_life);
  }

 private:
  double half_life_;
  std::array<double, kDays> values_;
};

// One event reduced to what the ledger needs: 32 bytes, no strings.
struct Record {
  std::int32_t date;
  std::uint32_t client;
  std::int64_t amount;   // cents; -1 when absent
  std::uint64_t key;     // registry key of the ref, 0 when absent
  std::int32_t due;      // due or end date, kNoDate when absent
  EventKind kind;
  std::uint8_t code;     // detail code
  std::uint16_t pad = 0;
};
static_assert(sizeof(Record) == 32);

// Canonical order: by client, then date, kind and content. Clients do not interact (the
// portfolio's sums are exact integers), so only the order within a client matters, and that
// order depends on the events alone, never on the order of posting. Client-major order also
// keeps a client's state in cache while its events are applied.
inline bool canonical_less(const Record& a, const Record& b) {
  if (a.client != b.client) return a.client < b.client;
  if (a.date != b.date) return a.date < b.date;
  if (a.kind != b.kind) return a.kind < b.kind;
  if (a.amount != b.amount) return a.amount < b.amount;
  if (a.key != b.key) return a.key < b.key;
  if (a.due != b.due) return a.due < b.due;
  return a.code < b.code;
}

// An applied open invoice. Closed invoices leave the pool and fold into the client's aggregates.
struct Invoice {
  std::int64_t amount;
  std::int64_t outstanding;
  std::uint64_t key;  // registry key, to forget the slot when the invoice closes
  std::int32_t issued;
  std::int32_t due;
  std::uint32_t prev, next;  // the client's open invoices, oldest first
};

// What the registry knows of a reference. Invoices and contracts share it under different keys.
struct RefEntry {
  std::int64_t disputed = 0;        // disputed amount open on this invoice (applied)
  std::uint32_t client = kNone;     // owner: keys of two clients could collide, owners cannot
  std::uint32_t slot = kNone;       // pool slot while the invoice is open and applied
  std::int32_t date = kNoDate;      // invoice or contract date
  std::uint16_t staged_disputes = 0;  // open disputes as validated at posting
  std::uint16_t applied_disputes = 0;
  std::uint8_t closed = 0;          // contract cancelled (at posting)
  std::array<std::uint8_t, 3> reserved{};  // explicit padding: every byte of a snapshot is defined
  std::int32_t dispute_since = kNoDate;    // opening date of the oldest dispute open on it (applied)
};

// Snapshots write these arrays as they are in memory: no byte of them may be padding.
static_assert(std::has_unique_object_representations_v<Record>);
static_assert(std::has_unique_object_representations_v<Invoice>);
static_assert(std::has_unique_object_representations_v<RefEntry>);

// The most recent dated entries of one kind, each with a weight (an amount or a count). When
// full, the oldest entry merges into the next one: its weight moves to a later date, so a sum
// over a window ending on or after the newest date never shrinks when an entry is added.
template <std::size_t N>
struct RecentEntries {
  std::array<std::int32_t, N> date{};
  std::uint32_t used = 0;
  std::array<std::int64_t, N> weight{};

  void add(std::int32_t d, std::int64_t w) {
    static_assert(N >= 2);
    if (used == N) {
      if (d < date[0]) {  // older than every entry: it merges forward into the oldest
        weight[0] = sat_add(weight[0], w);
        return;
      }
      weight[1] = sat_add(weight[1], weight[0]);  // the oldest merges into the next to free a place
      for (std::size_t k = 1; k < N; ++k) date[k - 1] = date[k], weight[k - 1] = weight[k];
      --used;
    }
    std::size_t pos = used;
    for (; pos > 0 && date[pos - 1] > d; --pos) date[pos] = date[pos - 1], weight[pos] = weight[pos - 1];
    date[pos] = d;
    weight[pos] = w;
    ++used;
  }

  // Sum of the weights dated in (from, to].
  std::int64_t sum(std::int32_t from, std::int32_t to) const {
    std::int64_t s = 0;
    for (std::size_t k = 0; k < used; ++k)
      if (date[k] > from && date[k] <= to) s = sat_add(s, weight[k]);
    return s;
  }
};

}  // namespace detail

// Rare events, kept apart so that most clients do not pay for them.
struct Incidents {
  detail::RecentEntries<3> write_offs;              // written-off amounts
  detail::RecentEntries<3> cancel_early, cancel_at_term;
  std::array<detail::RecentEntries<3>, 4> notices;  // lawyer letter, formal notice, lawsuit, litigation
};
static_assert(std::has_unique_object_representations_v<Incidents>);

// The state of one client. Bounded: under 400 bytes whatever the length of its history.
struct ClientState {
  std::int32_t first_date = detail::kNoDate;  // first applied event
  std::int32_t last_date = detail::kNoDate;   // last applied event
  std::int32_t last_free_payment = detail::kNoDate;  // last applied payment without ref
  std::int32_t epoch = detail::kNoDate;       // reference date of the decayed sums
  std::uint32_t open_head = detail::kNone, open_tail = detail::kNone, open_count = 0;
  std::uint32_t disputes_open = 0;
  std::int64_t open_amount = 0;    // sum of outstanding amounts of open invoices
  std::int64_t credit_balance = 0; // overpayments and excess credit notes
  std::int64_t disputed_open = 0;

  // Invoiced amounts per calendar month; ring[m % 25] holds month m for m in (ring_month - 25, ring_month].
  std::int32_t ring_month = detail::kNoDate;
  std::int32_t first_invoice_month = detail::kNoDate;
  std::array<std::int64_t, detail::kRingMonths> invoiced{};

  // Payment experience (payment half-life): paid amount, amount x PAYDEX, amount x days beyond terms.
  double paid_w = 0, paid_paydex = 0, paid_dbt = 0;
  // Dissatisfaction half-life: complaint severity, returned amount, invoiced amount, disputes, disputed amount.
  double complaints = 0, returned = 0, invoiced_decayed = 0, disputes = 0, disputed = 0;
  // Review half-life: decayed number of reviews, sum of ratings, number of negative ones (1 or 2).
  double reviews = 0, rating_sum = 0, negative_reviews = 0;

  std::uint32_t contracts_signed = 0, contracts_cancelled = 0;
  std::uint32_t incidents = detail::kNone;  // index in the ledger's incidents, when the client has any
  std::uint32_t reserved = 0;  // explicit padding: every byte of a snapshot is defined
};
// No padding (doubles rule out has_unique_object_representations): 4 dates, 4 uint32, 3 int64,
// 2 months, 25 int64, 11 doubles, 4 uint32.
static_assert(sizeof(ClientState) == 4 * 4 + 4 * 4 + 3 * 8 + 2 * 4 + 25 * 8 + 11 * 8 + 4 * 4);

namespace detail {
struct LedgerAccess;  // snapshots (src/snapshot.cpp)
}

// The events of a ledger folded into per-client state.
class Ledger {
  friend struct detail::LedgerAccess;

 public:
  explicit Ledger(DecayConfig decay = {}) : decay_(decay) {
    for (double h : {decay.payment_half_life_days, decay.dissatisfaction_half_life_days, decay.review_half_life_days})
      if (!(h >= 1)) throw InvalidInput("half-lives must be at least one day");
    payment_growth_ = detail::GrowthTable::shared(decay.payment_half_life_days);
    dissatisfaction_growth_ = detail::GrowthTable::shared(decay.dissatisfaction_half_life_days);
    review_growth_ = detail::GrowthTable::shared(decay.review_half_life_days);
    rebase_lag_ = detail::rebase_lag(std::min({decay.payment_half_life_days, decay.dissatisfaction_half_life_days,
                                               decay.review_half_life_days}));
  }

  const DecayConfig& decay() const { return decay_; }
  std::size_t client_count() const { return interner_.size(); }
  std::string_view client_id(std::uint32_t index) const { return interner_.name(index); }
  // Dense index of a client id, or npos when the ledger has never seen it.
  std::uint32_t client_index(std::string_view id) const { return interner_.find(id); }
  static constexpr std::uint32_t npos = detail::Interner::npos;
  const ClientState& state(std::uint32_t index) const { return states_[index]; }
  // Events posted for a client, applied or waiting (saturating), as max_events_per_client counts them.
  std::uint32_t event_count(std::uint32_t index) const { return events_[index]; }
  // Clients with an applied event (the others have only events waiting for a later date); when
  // it is client_count(), every client can be scored without looking at each state.
  std::size_t clients_with_events() const { return clients_with_events_; }
  const detail::Invoice& invoice(std::uint32_t slot) const { return pool_[slot]; }
  // What the ledger knows of an invoice or contract by its registry key (Invoice::key); null
  // when it has no such reference.
  const detail::RefEntry* reference(std::uint64_t key) const { return registry_.find(key); }
  // The client's write-offs, cancellations and legal notices; null when it has none.
  const Incidents* incidents(const ClientState& c) const {
    return c.incidents == detail::kNone ? nullptr : &incidents_[c.incidents];
  }

  // Counts the changes of state: it moves whenever events are applied.
  std::uint64_t generation() const { return generation_; }

  // The latest date the ledger was advanced to (kNoDate before the first advance).
  std::int32_t horizon() const { return horizon_; }
  std::size_t pending_count() const { return pending_.size(); }
  // The most clients the ledger takes; an event of a new client beyond it is rejected, naming the
  // limit. Not part of a snapshot: a limit of the process, not of the data.
  std::size_t max_clients() const { return max_clients_; }
  void set_max_clients(std::size_t n) { max_clients_ = std::min<std::size_t>(n, npos); }
  // The most events one client takes, applied and pending (no limit by default): the events of a
  // batch past a client's limit, in canonical order, are rejected, naming it. Not part of a
  // snapshot either; the count is (event_count()).
  std::size_t max_events_per_client() const { return max_events_per_client_; }
  void set_max_events_per_client(std::size_t n) { max_events_per_client_ = std::min<std::size_t>(n, npos); }
  // Whether advance(d) would change nothing: the ledger stands at d and no pending event is due.
  bool stands_at(Date d) const {
    return horizon_ == d.days() &&
           std::none_of(pending_.begin(), pending_.end(), [&](const detail::Record& r) { return r.date <= d.days(); });
  }
  // Latest event date posted, applied or pending; nullopt for an empty ledger.
  std::optional<Date> latest_event_date() const {
    if (latest_ == detail::kNoDate) return std::nullopt;
    return Date::from_days(latest_);
  }

  // Invoiced revenue of the whole portfolio over the months [from, to] (month indices).
  std::int64_t portfolio_invoiced(std::int32_t from, std::int32_t to) const {
    std::int64_t s = 0;
    for (std::int32_t m = std::max(from, revenue_base_); m <= to; ++m) {
      const auto i = static_cast<std::size_t>(m - revenue_base_);
      if (i >= revenue_.size()) break;
      s = detail::sat_add(s, revenue_[i]);
    }
    return s;
  }

  // Posts a batch. Strict: the first rejected event (smallest index) throws InvalidInput
  // naming it, and nothing of the batch is applied. Lenient: rejected events are returned and
  // the others applied. Events dated after the horizon wait until advance(); the others are
  // applied at once.
  std::vector<Rejection> post(std::span<const Event> events, bool lenient = false) {
    Staging st = begin(events.size(), events);
    try {
      // Client hashes are computed a few events ahead, so that the interner slot is in cache
      // by the time the event is staged; an event of the same client as the one before it
      // takes its hash.
      constexpr std::size_t ahead = 8;
      std::array<std::uint64_t, ahead> hashes{};
      for (std::size_t i = 0; i < events.size() + ahead; ++i) {
        if (i >= ahead) stage(st, events[i - ahead], i - ahead, hashes[i % ahead]);
        if (i < events.size()) {
          if (i > 0 && detail::same_bytes(events[i].client, events[i - 1].client)) {
            hashes[i % ahead] = hashes[(i - 1) % ahead];
          } else {
            hashes[i % ahead] = detail::hash_bytes(events[i].client, 0);
            interner_.prefetch(hashes[i % ahead]);
          }
        }
      }
    } catch (...) {
      rollback(st);
      throw;
    }
    if (!commit(st, lenient)) {
      const Rejection& first = st.rejected.front();
      throw InvalidInput("event " + std::to_string(first.index) + ": " + first.column + ": " + first.message);
    }
    return std::move(st.rejected);
  }

  // Called as each open invoice closes (paid, credited or written off down to zero) with the
  // client's index, the invoice's due date and the date of the event that closed it; what a
  // backtest needs to tell when invoices ran late. Not part of the state: copies carry it,
  // snapshots do not.
  void on_invoice_closed(std::function<void(std::uint32_t client, Date due, Date closed)> f) { on_close_ = std::move(f); }

  // Applies the pending events dated on or before d and moves the horizon to d. All or nothing:
  // what may fail (memory) happens before the first event is applied.
  void advance(Date d) {
    if (horizon_ != detail::kNoDate && d.days() < horizon_) return;
    const bool all_due = std::all_of(pending_.begin(), pending_.end(),
                                     [&](const detail::Record& r) { return r.date <= d.days(); });
    const bool known = pending_entries_known();
    if (all_due && std::is_sorted(pending_.begin(), pending_.end(), detail::canonical_less)) {
      reserve_to_apply(pending_.size(), [&](std::size_t i) -> const detail::Record& { return pending_[i]; });
      horizon_ = d.days();
      apply_all(
          pending_.size(), [&](std::size_t i) -> const detail::Record& { return pending_[i]; },
          [&](std::size_t i) { return known ? pending_entry_[i] : kFindEntry; });
      pending_.clear();  // the usual case: one batch, all due
      pending_entry_.clear();
      return;
    }
    detail::BigVector<detail::Record> due, later;
    detail::BigVector<std::uint32_t> due_entry, later_entry;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      const bool now = pending_[i].date <= d.days();
      (now ? due : later).push_back(pending_[i]);
      if (known) (now ? due_entry : later_entry).push_back(pending_entry_[i]);
    }
    detail::BigVector<std::uint32_t> order = canonical_order(
        due.size(), [&](std::uint32_t i) { return due[i].client; },
        [&](std::uint32_t a, std::uint32_t b) { return detail::canonical_less(due[a], due[b]); });
    reserve_to_apply(due.size(), [&](std::size_t i) -> const detail::Record& { return due[i]; });
    horizon_ = d.days();
    pending_.swap(later);
    pending_entry_.swap(later_entry);  // empty, so unknown, when the entries were
    apply_all(
        order.size(), [&](std::size_t i) -> const detail::Record& { return due[order[i]]; },
        [&](std::size_t i) { return known ? due_entry[order[i]] : kFindEntry; });
  }

  // Bytes held for client state, open invoices (the pool and its free list) and the reference
  // registry, for the memory counters: of the arrays that grow by pages, what they have written.
  std::size_t state_bytes() const {
    return states_.resident_bytes() + events_.resident_bytes() + dates_.resident_bytes() +
           incidents_.capacity() * sizeof(Incidents) +
           interner_.memory_bytes();
  }
  std::size_t invoice_bytes() const { return pool_.resident_bytes() + free_.resident_bytes(); }
  std::size_t registry_bytes() const { return registry_.memory_bytes(); }
  std::size_t open_invoice_count() const { return pool_.size() - free_.size(); }

  // A registry entry changed while validating a batch (a dispute or a cancellation), restored
  // when the batch is rejected. Entries the batch inserted are known from its records.
  struct Undo {
    std::uint64_t key;
    detail::RefEntry before;
  };

  // The staging of a batch: events checked and reduced to records, not yet visible.
  struct Staging {
    std::vector<Rejection> rejected;

   private:
    friend class Ledger;  // what stage() records, and only it: commit() relies on its counts
    std::size_t clients_before = 0;
    detail::BigVector<detail::Record> records;
    detail::BigVector<std::uint32_t> source;  // index in the batch of each record
    std::size_t registrations = 0;        // records of invoices and contracts
    std::size_t disputes = 0;             // records of disputes opened or resolved
    // The refs, for messages: read from the batch post() stages, whose events outlive the
    // staging; kept back to back in ref_text for events staged one by one (a CSV row's go).
    std::span<const Event> batch;
    std::string ref_text;                 // room to spare at its end
    std::vector<std::uint32_t> ref_end;   // end of each record's ref in ref_text
    void keep_ref(std::string_view ref) {
      if (!batch.empty()) return;
      const std::size_t at = ref_end.empty() ? 0 : ref_end.back();
      if (ref_text.size() - at < ref.size()) ref_text.resize(std::max(2 * ref_text.size(), at + ref.size() + 64));
      std::memcpy(ref_text.data() + at, ref.data(), ref.size());
      ref_end.push_back(static_cast<std::uint32_t>(at + ref.size()));
    }
    std::string_view ref(std::size_t i) const {
      if (!batch.empty()) return batch[source[i]].ref;
      const std::uint32_t b = i == 0 ? 0 : ref_end[i - 1];
      return std::string_view(ref_text).substr(b, ref_end[i] - b);
    }
  };

  // Starts a batch; expected is the number of events it will likely hold.
  Staging begin(std::size_t expected = 0) const { return begin(expected, {}); }

  // Checks one event's fields and stages it; rejects it (recorded in st) when a field is bad.
  // client_hash is detail::hash_bytes(e.client, 0) when the caller has it already.
  void stage(Staging& st, const Event& e, std::size_t index) { stage(st, e, index, detail::hash_bytes(e.client, 0)); }
  void stage(Staging& st, const Event& e, std::size_t index, std::uint64_t client_hash) {
    // A client the interner knows has a valid id: only a new one is checked.
    const std::uint32_t known = interner_.find(e.client, client_hash);
    std::uint8_t code = 0;
    if (const detail::EventFault f = detail::event_fault(e, code, known != detail::Interner::npos);
        f != detail::EventFault::none) {
      FieldError err = detail::event_error(e, f);
      st.rejected.push_back({index, std::string(err.column), std::move(err.message)});
      return;
    }
    if (interner_.size() >= max_clients_ && known == detail::Interner::npos) {
      st.rejected.push_back({index, "client", "a new client beyond max_clients (" + std::to_string(max_clients_) + ")"});
      return;
    }
    detail::Record r{};
    r.date = e.date.days();
    r.client = known != detail::Interner::npos ? known : interner_.add(e.client, client_hash);
    r.amount = e.amount ? e.amount->cents() : -1;
    r.key = e.ref.empty() ? 0 : ref_key(client_hash, e.kind, e.ref);
    r.due = e.due ? e.due->days() : detail::kNoDate;
    r.kind = e.kind;
    r.code = code;
    st.records.push_back(r);
    st.registrations += registers(r.kind);
    st.disputes += r.kind == EventKind::dispute_opened || r.kind == EventKind::dispute_resolved;
    st.source.push_back(static_cast<std::uint32_t>(index));
    st.keep_ref(e.ref);
  }

  // Forgets a staged batch: clients it introduced and, once validated, the registry entries it
  // changed (undo, newest first) and inserted (the registrations given an entry in mark).
  void rollback(Staging& st) { rollback(st, nullptr, nullptr, nullptr); }

 private:
  // What commit() knows of each record of the batch in canonical order: rejected, accepted
  // without a registry entry (or not validated yet), or the index of its registry entry.
  static constexpr std::uint32_t kRejected = detail::kNone - 1;
  static constexpr std::uint32_t kNoEntry = detail::kNone;
  static constexpr std::uint32_t kFindEntry = detail::kNone - 2;  // an entry to look up by the record's key

  // Whether pending_entry_ holds the registry entry (or kNoEntry) of each pending record: it was
  // filled for them all, and no value of the registry has moved since.
  bool pending_entries_known() const {
    return pending_entry_.size() == pending_.size() && pending_moves_ == registry_.moves();
  }

  // The registrations among sorted (the batch in canonical order) are those validation put in the
  // registry: an invoice or contract given an entry in mark.
  void rollback(Staging& st, const detail::BigVector<Undo>* undo, const detail::BigVector<detail::Record>* sorted,
                const detail::BigVector<std::uint32_t>* mark) {
    if (undo) {
      for (auto it = undo->rbegin(); it != undo->rend(); ++it) *registry_.find(it->key) = it->before;
      for (std::size_t p = 0; p < mark->size(); ++p)
        if (registers((*sorted)[p].kind) && (*mark)[p] < kRejected) registry_.erase((*sorted)[p].key);
    }
    interner_.truncate(st.clients_before);
    if (states_.size() > interner_.size()) {
      states_.resize(interner_.size());
      events_.resize(interner_.size());
      dates_.resize(interner_.size());
    }
  }

  static bool registers(EventKind k) { return k == EventKind::invoice || k == EventKind::contract_signed; }

 public:
  // Validates the staged records against the ledger in canonical order and applies the valid
  // ones. st.rejected then lists every rejected event by batch index. Strict (not lenient) with
  // any rejection: rolls the batch back, applies nothing and returns false.
  // A failure to allocate rolls the batch back too, whatever step it stops. The staged
  // records are used up: a Staging is committed once.
  bool commit(Staging& st, bool lenient) {
    const std::size_t n = st.records.size();
    detail::BigVector<std::uint32_t> order;    // the record of st at each position of sorted; empty for the identity
    detail::BigVector<detail::Record> sorted;  // the records in canonical order: every pass below reads them in turn
    detail::BigVector<Undo> undo;
    detail::BigVector<std::uint32_t> mark;  // by position in sorted: kRejected, kNoEntry or a registry entry
    std::size_t due_now = 0;
    ApplyNeeds needs;  // of the records due now
    bool keep_entries = false;  // whether the records that wait keep the registry entries validation found
    try {
      auto less = [&](std::uint32_t a, std::uint32_t b) {
        const auto &ra = st.records[a], &rb = st.records[b];
        if (detail::canonical_less(ra, rb)) return true;
        if (detail::canonical_less(rb, ra)) return false;
        return st.source[a] < st.source[b];
      };
      std::uint32_t i = 1;
      while (i < n && detail::canonical_less(st.records[i - 1], st.records[i])) ++i;
      if (i >= n) {  // posted in canonical order already (order stays empty: the identity)
        if (st.records.capacity() - n <= n / 8)
          sorted.swap(st.records);
        else  // not a buffer much larger than the batch: it may become the pending buffer
          sorted.assign(st.records.begin(), st.records.end());
      } else {
        order = canonical_order(n, [&](std::uint32_t k) { return st.records[k].client; }, less);
        sorted.resize(n);
        for (std::size_t p = 0; p < n; ++p) sorted[p] = st.records[order[p]];
      }
      mark.assign(n, kNoEntry);
      if (max_events_per_client_ < npos) limit_events(st, order, sorted, mark);
      registry_.reserve_more(st.registrations);  // no rehash from here on: entries keep their index
      undo.reserve(st.disputes);
      auto judge = [&](std::size_t p, detail::RefEntry* registered, std::int32_t registered_date) {
        detail::RefEntry* entry = nullptr;
        const Verdict v = check(sorted[p], undo, entry, registered, registered_date);
        if (v == Verdict::ok) {
          if (entry) mark[p] = static_cast<std::uint32_t>(registry_.index_of(entry));
        } else {
          mark[p] = kRejected;
          const std::uint32_t k = staged(order, p);
          st.rejected.push_back(explain(v, sorted[p], st.ref(k), entry, st.source[k]));
        }
      };
      // Invoices and contracts first, all of them, in canonical order: a reference can only name
      // its own client's, and validation changes no client state, so each is judged as it would be
      // client by client, and a reference then finds its registration wherever it stands in the
      // batch (a misdated one is reported as such). In a loop of their own, little work separates
      // two registry insertions, and the slots fetched a few registrations ahead arrive in time.
      constexpr std::size_t ahead = 8;
      for (std::size_t p = 0, f = 0, fetched = 0; p < n; ++p) {  // fetched: registrations in [p, f)
        if (!registers(sorted[p].kind)) continue;
        for (; f < n && fetched < ahead; ++f) {
          if (!registers(sorted[f].kind)) continue;
          registry_.prefetch(sorted[f].key);
          ++fetched;
        }
        --fetched;  // p's, fetched by now
        if (mark[p] != kRejected) judge(p, nullptr, 0);
      }
      // Then the other records, client by client. A reference to a registration of its own run
      // takes the registration's entry; the others look theirs up, fetched a few records ahead.
      for (std::size_t b = 0, e = 0, fetched = 0; b < n; b = e) {
        for (; e < n && sorted[e].client == sorted[b].client; ++e)
          if (horizon_ != detail::kNoDate && sorted[e].date <= horizon_) {
            ++due_now;
            needs.add(sorted[e]);  // rejected or not: room for a few more records does no harm
          }
        for (; fetched < std::min(n, e + ahead); ++fetched) {
          const detail::Record& r = sorted[fetched];
          if (r.key && !registers(r.kind) && !registered_just_before(sorted, fetched)) registry_.prefetch(r.key);
        }
        for (std::size_t p = b; p < e; ++p) {
          if (registers(sorted[p].kind) || mark[p] == kRejected) continue;
          const std::size_t q = registration_in_run(sorted, mark, b, e, sorted[p].key);
          if (q == e)
            judge(p, nullptr, 0);
          else
            judge(p, &registry_.value_at(mark[q]), sorted[q].date);
        }
      }
      std::sort(st.rejected.begin(), st.rejected.end(),
                [](const Rejection& a, const Rejection& b) { return a.index < b.index; });
      if (!st.rejected.empty() && !lenient) {
        rollback(st, &undo, &sorted, &mark);
        return false;
      }
      states_.resize(interner_.size());
      events_.resize(interner_.size());
      dates_.resize(interner_.size());
      // Room for what applying takes, so that from here on nothing can fail half way.
      if (pending_.empty()) pending_entry_.clear();
      keep_entries = pending_.empty() || pending_entries_known();
      if (!pending_.empty() || due_now > 0 || !st.rejected.empty()) {
        pending_.reserve(pending_.size() + (n - due_now));
        if (keep_entries) pending_entry_.reserve(pending_.size() + (n - due_now));
      }
      reserve_to_apply(needs);
    } catch (...) {
      rollback(st, &undo, &sorted, &mark);
      throw;
    }
    for (std::size_t p = 0; p < n; ++p) {
      if (mark[p] == kRejected) continue;
      const detail::Record& r = sorted[p];
      latest_ = std::max(latest_, r.date);
      std::uint32_t& events = events_[r.client];
      events += events != npos;
    }
    if (pending_.empty() && due_now == 0 && st.rejected.empty()) {
      pending_.swap(sorted);  // the usual case of a first batch: every record waits, in canonical order
      pending_entry_.swap(mark);
      pending_moves_ = registry_.moves();
      return true;
    }
    // The records due now are applied in canonical order, with the registry entries validation
    // found (none has moved since), in one prefetching pass; the others wait.
    std::size_t due = 0;
    for (std::size_t p = 0; p < n; ++p) {
      if (mark[p] == kRejected) continue;
      if (horizon_ != detail::kNoDate && sorted[p].date <= horizon_) {
        sorted[due] = sorted[p];
        mark[due++] = mark[p];
      } else {
        pending_.push_back(sorted[p]);
        if (keep_entries) pending_entry_.push_back(mark[p]);
      }
    }
    if (keep_entries)
      pending_moves_ = registry_.moves();
    else
      pending_entry_.clear();
    apply_all(
        due, [&](std::size_t p) -> const detail::Record& { return sorted[p]; }, [&](std::size_t p) { return mark[p]; });
    return true;
  }

 private:
  // A batch whose events are staged from batch, by their index in it, when that is not empty.
  Staging begin(std::size_t expected, std::span<const Event> batch) const {
    Staging st;
    st.clients_before = interner_.size();
    st.records.reserve(expected);
    st.source.reserve(expected);
    st.batch = batch;
    if (batch.empty()) st.ref_end.reserve(expected);
    return st;
  }

  // The staged record at position p of the canonical order (order empty: the identity).
  static std::uint32_t staged(const detail::BigVector<std::uint32_t>& order, std::size_t p) {
    return order.empty() ? static_cast<std::uint32_t>(p) : order[p];
  }

  // Rejects the records of each client past max_events_per_client, counting its events posted
  // before; order is canonical, so a client's records are consecutive.
  void limit_events(Staging& st, const detail::BigVector<std::uint32_t>& order,
                    const detail::BigVector<detail::Record>& sorted, detail::BigVector<std::uint32_t>& mark) {
    std::uint32_t client = npos;
    std::size_t count = 0;
    for (std::size_t p = 0; p < sorted.size(); ++p) {
      const std::uint32_t c = sorted[p].client;
      if (c != client) client = c, count = c < events_.size() ? events_[c] : 0;
      if (count++ < max_events_per_client_) continue;
      mark[p] = kRejected;
      st.rejected.push_back({st.source[staged(order, p)], "client",
                             "more events for this client than max_events_per_client (" +
                                 std::to_string(max_events_per_client_) + ")"});
    }
  }

  // The permutation that puts n records in canonical order: a counting sort by client when the
  // batch is large against the number of clients, then each client's run sorted if it is not.
  template <class ClientOf, class Less>
  detail::BigVector<std::uint32_t> canonical_order(std::size_t n, ClientOf client_of, Less less) const {
    detail::BigVector<std::uint32_t> order(n);
    const std::size_t clients = interner_.size();
    if (n * 4 < clients) {
      for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
      if (!std::is_sorted(order.begin(), order.end(), less)) std::sort(order.begin(), order.end(), less);
      return order;
    }
    std::vector<std::uint32_t> start(clients + 1, 0);
    for (std::uint32_t i = 0; i < n; ++i) ++start[client_of(i) + 1];
    for (std::size_t c = 0; c < clients; ++c) start[c + 1] += start[c];
    std::vector<std::uint32_t> next(start.begin(), start.end() - 1);
    for (std::uint32_t i = 0; i < n; ++i) order[next[client_of(i)]++] = i;
    for (std::size_t c = 0; c < clients; ++c) {
      auto b = order.begin() + start[c], e = order.begin() + start[c + 1];
      if (!std::is_sorted(b, e, less)) std::sort(b, e, less);
    }
    return order;
  }

  // From the client id, not its index: the index depends on the order of posting, and the key
  // takes part in the canonical order. 64 bits of a hash seeded by the client: two refs of one
  // client collide with probability about n^2 / 2^65 (the owner is checked across clients).
  static std::uint64_t ref_key(std::uint64_t client_hash, EventKind kind, std::string_view ref) {
    const bool contract = kind == EventKind::contract_signed || kind == EventKind::contract_cancelled;
    const std::uint64_t k = detail::hash_bytes(ref, detail::mix64(client_hash + (contract ? 2 : 1)));
    return k == 0 ? 1 : k;
  }

  // Rules that need the ledger: unique invoice and contract ids, known references, dates in order.
  // What check() finds wrong with a record; explain() puts it in words.
  enum class Verdict : std::uint8_t {
    ok,
    free_payment_after_later_events,  // a payment without ref dated before the client's last applied event
    settles_after_free_payment,       // would change the allocation of an applied payment without ref
    invoice_after_free_payment,       // would have received an applied payment without ref
    duplicate_id,
    key_collision,                    // the key of another client's ref
    unknown_ref,
    before_ref,                       // dated before the invoice or contract it names
    no_open_dispute,
    too_many_disputes,
    already_cancelled,
  };

  // The position in [b, e) (one client's run of the batch in canonical order) of the valid
  // registration with the given key, or e when there is none. Short runs only: a longer one
  // looks its references up in the registry.
  static std::size_t registration_in_run(const detail::BigVector<detail::Record>& sorted,
                                         const detail::BigVector<std::uint32_t>& mark, std::size_t b, std::size_t e,
                                         std::uint64_t key) {
    if (key == 0 || e - b > 16) return e;
    for (std::size_t q = b; q < e; ++q)
      if (sorted[q].key == key && registers(sorted[q].kind) && mark[q] < kRejected) return q;
    return e;
  }

  // Whether one of the 16 records before f in canonical order registers f's ref for its client:
  // then validation will take that entry without a look-up, and f's need not be fetched.
  static bool registered_just_before(const detail::BigVector<detail::Record>& sorted, std::size_t f) {
    for (std::size_t q = f; q-- > 0 && f - q <= 16 && sorted[q].client == sorted[f].client;)
      if (sorted[q].key == sorted[f].key && registers(sorted[q].kind)) return true;
    return false;
  }

  // The hot half of validation: no strings, nothing changed unless the record is valid. entry is
  // the registry entry the record names (set as well for the verdicts that explain() describes
  // with it). A reference to an invoice or contract that the same batch registered for the client
  // may come with its entry and date: it then needs no lookup, and a payment, credit note,
  // write-off or return does not even read the entry, which validation has just written (a
  // load from a line still in flight would wait for it).
  Verdict check(const detail::Record& r, detail::BigVector<Undo>& undo, detail::RefEntry*& entry,
                detail::RefEntry* registered = nullptr, std::int32_t registered_date = 0) {
    // A back-dated event (on or before a date already scored) is applied at once, after events
    // dated later. That is exact but for the allocation of payments without ref, so the two
    // events whose allocation it would change are refused.
    if (r.client < dates_.size()) {
      const Dates& c = dates_[r.client];
      if (r.kind == EventKind::payment && r.key == 0 && c.last != detail::kNoDate && r.date < c.last)
        return Verdict::free_payment_after_later_events;
      if (c.free_payment != detail::kNoDate) {
        const bool settles = r.kind == EventKind::payment || r.kind == EventKind::credit_note ||
                             r.kind == EventKind::write_off;
        if (settles && r.key != 0 && r.date < c.free_payment) return Verdict::settles_after_free_payment;
        if (r.kind == EventKind::invoice && r.date <= c.free_payment) return Verdict::invoice_after_free_payment;
      }
    }
    switch (r.kind) {
      case EventKind::invoice:
      case EventKind::contract_signed: {
        auto [e, inserted] = registry_.insert(r.key);
        entry = e;
        if (!inserted) return e->client == r.client ? Verdict::duplicate_id : Verdict::key_collision;
        e->date = r.date;
        e->client = r.client;
        return Verdict::ok;
      }
      case EventKind::payment:
      case EventKind::credit_note:
      case EventKind::write_off:
      case EventKind::dispute_opened:
      case EventKind::dispute_resolved:
      case EventKind::return_:
      case EventKind::contract_cancelled: {
        if (r.key == 0) return Verdict::ok;  // an optional ref, absent (contract_cancelled always has one)
        entry = registered ? registered : registry_.find(r.key);
        if (!registered && (!entry || entry->client != r.client)) return Verdict::unknown_ref;
        const std::int32_t ref_date = registered ? registered_date : entry->date;
        if (r.kind == EventKind::contract_cancelled) {
          if (entry->closed) return Verdict::already_cancelled;
          if (r.date < ref_date) return Verdict::before_ref;
          undo.push_back({r.key, *entry});
          entry->closed = 1;
          return Verdict::ok;
        }
        if (r.date < ref_date) return Verdict::before_ref;
        if (r.kind == EventKind::dispute_opened || r.kind == EventKind::dispute_resolved) {
          const bool open = r.kind == EventKind::dispute_opened;
          if (!open && entry->staged_disputes == 0) return Verdict::no_open_dispute;
          if (open && entry->staged_disputes == 0xffff) return Verdict::too_many_disputes;
          undo.push_back({r.key, *entry});
          // Resolving closes every open dispute of the invoice, as applying it does.
          entry->staged_disputes = open ? static_cast<std::uint16_t>(entry->staged_disputes + 1) : 0;
        }
        return Verdict::ok;
      }
      default:
        return Verdict::ok;
    }
  }

  // The column and message of a rejected record; ref is its ref, entry what check() set.
  [[gnu::cold]] Rejection explain(Verdict v, const detail::Record& r, std::string_view ref,
                                  const detail::RefEntry* entry, std::size_t index) const {
    const std::string quoted = "'" + std::string(ref) + "'";
    const std::string kind(to_string(r.kind));
    const std::string date = Date::from_days(r.date).to_string();
    const bool contract = r.kind == EventKind::contract_signed || r.kind == EventKind::contract_cancelled;
    auto day = [](std::int32_t d) { return Date::from_days(d).to_string(); };
    switch (v) {
      case Verdict::free_payment_after_later_events:
        return {index, "ref",
                "payment without ref dated " + date + " comes after later events of the client were applied (up to " +
                    day(states_[r.client].last_date) + "): name the invoice it pays"};
      case Verdict::settles_after_free_payment:
        return {index, "date",
                kind + " dated " + date + " comes after a payment without ref dated " +
                    day(states_[r.client].last_free_payment) +
                    " was applied, whose allocation it would change: post it before scoring past that date"};
      case Verdict::invoice_after_free_payment:
        return {index, "date",
                "invoice dated " + date + " comes after a payment without ref dated " +
                    day(states_[r.client].last_free_payment) +
                    " was applied, which it would have received: post it before scoring past that date"};
      case Verdict::duplicate_id:
        return {index, "ref", (contract ? "duplicate contract id " : "duplicate invoice id ") + quoted + " for this client"};
      case Verdict::key_collision:
        return {index, "ref", "ref " + quoted + " has the same 64-bit key as a ref of another client; use another id"};
      case Verdict::unknown_ref:
        return {index, "ref", kind + (contract ? " for unknown contract " : " for unknown invoice ") + quoted};
      case Verdict::before_ref:
        return {index, "date",
                kind + " dated " + date + (contract ? " is before contract " : " is before invoice ") + quoted +
                    (contract ? " signed " : " dated ") + day(entry->date)};
      case Verdict::no_open_dispute:
        return {index, "ref", "dispute_resolved for invoice " + quoted + " which has no open dispute"};
      case Verdict::too_many_disputes:
        return {index, "ref", "too many open disputes on invoice " + quoted};
      case Verdict::already_cancelled:
        return {index, "ref", "contract " + quoted + " is already cancelled"};
      case Verdict::ok:
        break;
    }
    throw std::logic_error("Ledger::explain() called for a valid record");
  }

  // --- applying ---------------------------------------------------------------------------

  // exp2((date - epoch) / half_life), from table when there is one.
  static double growth(std::int32_t date, std::int32_t epoch, const detail::GrowthTable* table, double half_life) {
    return table ? (*table)(date - epoch) : std::exp2((date - epoch) / half_life);
  }

  void touch(ClientState& c, std::int32_t date) {
    if (c.first_date == detail::kNoDate) {
      c.first_date = c.last_date = c.epoch = date;
      ++clients_with_events_;
      return;
    }
    c.first_date = std::min(c.first_date, date);
    c.last_date = std::max(c.last_date, date);
    // Keep exponents small: move the epoch forward when it lags far behind (at most ~2^600).
    if (date - c.epoch > rebase_lag_) rebase(c, date);
  }

  void rebase(ClientState& c, std::int32_t new_epoch) {
    const double dp = growth(c.epoch, new_epoch, payment_growth_, decay_.payment_half_life_days);
    const double dd = growth(c.epoch, new_epoch, dissatisfaction_growth_, decay_.dissatisfaction_half_life_days);
    const double dr = growth(c.epoch, new_epoch, review_growth_, decay_.review_half_life_days);
    c.paid_w *= dp, c.paid_paydex *= dp, c.paid_dbt *= dp;
    c.complaints *= dd, c.returned *= dd, c.invoiced_decayed *= dd, c.disputes *= dd, c.disputed *= dd;
    c.reviews *= dr, c.rating_sum *= dr, c.negative_reviews *= dr;
    c.epoch = new_epoch;
  }

  void add_revenue(ClientState& c, std::int32_t date, std::int64_t amount) {
    const std::int32_t m = Date::from_days(date).month_index();
    if (c.first_invoice_month == detail::kNoDate || m < c.first_invoice_month) c.first_invoice_month = m;
    if (c.ring_month == detail::kNoDate) c.ring_month = m;
    if (m > c.ring_month) {
      for (std::int32_t k = c.ring_month + 1; k <= m && k <= c.ring_month + detail::kRingMonths; ++k)
        c.invoiced[detail::ring_slot(k)] = 0;
      c.ring_month = m;
    }
    if (m > c.ring_month - detail::kRingMonths) {
      std::int64_t& slot = c.invoiced[detail::ring_slot(m)];
      slot = detail::sat_add(slot, amount);
    }
    if (revenue_.empty()) revenue_base_ = m;
    if (m < revenue_base_) {
      revenue_.insert(revenue_.begin(), static_cast<std::size_t>(revenue_base_ - m), 0);
      revenue_base_ = m;
    }
    const auto i = static_cast<std::size_t>(m - revenue_base_);
    if (i >= revenue_.size()) revenue_.resize(i + 1, 0);
    revenue_[i] = detail::sat_add(revenue_[i], amount);
  }

  void link_open(ClientState& c, std::uint32_t slot) {
    detail::Invoice& inv = pool_[slot];
    // Oldest first by issue date; in canonical order new invoices go last.
    std::uint32_t after = c.open_tail;
    while (after != detail::kNone && pool_[after].issued > inv.issued) after = pool_[after].prev;
    inv.prev = after;
    inv.next = after == detail::kNone ? c.open_head : pool_[after].next;
    if (inv.prev != detail::kNone) pool_[inv.prev].next = slot; else c.open_head = slot;
    if (inv.next != detail::kNone) pool_[inv.next].prev = slot; else c.open_tail = slot;
    ++c.open_count;
  }

  void unlink_open(ClientState& c, std::uint32_t slot) {
    detail::Invoice& inv = pool_[slot];
    if (inv.prev != detail::kNone) pool_[inv.prev].next = inv.next; else c.open_head = inv.next;
    if (inv.next != detail::kNone) pool_[inv.next].prev = inv.prev; else c.open_tail = inv.prev;
    --c.open_count;
    free_.push_back(slot);
  }

  // Takes up to amount off an open invoice; returns what it took. Closes the invoice at zero.
  // entry is the invoice's registry entry when the caller has it.
  std::int64_t settle(ClientState& c, std::uint32_t slot, std::int64_t amount, detail::RefEntry* entry = nullptr) {
    detail::Invoice& inv = pool_[slot];
    const std::int64_t take = std::min(amount, inv.outstanding);
    inv.outstanding -= take;
    c.open_amount = std::max<std::int64_t>(0, c.open_amount - take);  // stays sane past a saturated total
    if (inv.outstanding == 0) {
      (entry ? entry : registry_.find(inv.key))->slot = detail::kNone;
      if (on_close_)
        on_close_(static_cast<std::uint32_t>(&c - states_.data()), Date::from_days(inv.due), Date::from_days(applying_));
      unlink_open(c, slot);
    }
    return take;
  }

  void payment_experience(ClientState& c, std::int32_t date, std::int32_t due, std::int64_t amount) {
    const double w =
        static_cast<double>(amount) * growth(date, c.epoch, payment_growth_, decay_.payment_half_life_days);
    const double late = date - due;
    c.paid_w += w;
    c.paid_paydex += w * detail::paydex_of_whole_days(date - due);
    c.paid_dbt += w * std::max(0.0, late);
  }

  // What applying some records may add: invoices (and the span of their dates) and the
  // records that may give a client its Incidents.
  struct ApplyNeeds {
    std::size_t invoices = 0, incidents = 0;
    std::int32_t first = std::numeric_limits<std::int32_t>::max(), last = std::numeric_limits<std::int32_t>::min();
    void add(const detail::Record& r) {
      if (r.kind == EventKind::invoice) {
        ++invoices;
        first = std::min(first, r.date);
        last = std::max(last, r.date);
      } else {
        incidents += r.kind == EventKind::write_off || r.kind == EventKind::dispute_resolved ||
                     r.kind == EventKind::contract_cancelled || r.kind == EventKind::legal_notice;
      }
    }
  };

  // Grows the invoice pool, its free list, the incidents and the portfolio's monthly revenue so
  // that applying records at(0) .. at(n - 1) allocates nothing.
  template <class At>
  void reserve_to_apply(std::size_t n, At at) {
    ApplyNeeds needs;
    for (std::size_t i = 0; i < n; ++i) needs.add(at(i));
    reserve_to_apply(needs);
  }

  // The same for records that need at most what needs counts. Changes no content: an
  // allocation that fails here leaves the ledger as it was.
  void reserve_to_apply(const ApplyNeeds& needs) {
    if (needs.invoices > 0) {
      // The months add_revenue() will write, zero until then.
      const std::int32_t lo_month = Date::from_days(needs.first).month_index();
      const std::int32_t hi_month = Date::from_days(needs.last).month_index();
      const std::int32_t end = revenue_base_ + static_cast<std::int32_t>(revenue_.size());
      const std::int32_t lo = revenue_.empty() ? lo_month : std::min(revenue_base_, lo_month);
      const std::int32_t hi = revenue_.empty() ? hi_month : std::max(end - 1, hi_month);
      if (revenue_.empty() || lo < revenue_base_ || hi >= end) {
        std::vector<std::int64_t> grown(static_cast<std::size_t>(hi - lo + 1), 0);
        std::copy(revenue_.begin(), revenue_.end(), grown.begin() + (revenue_base_ - lo) * !revenue_.empty());
        revenue_.swap(grown);
        revenue_base_ = lo;
      }
    }
    const std::size_t slots = pool_.size() + (needs.invoices > free_.size() ? needs.invoices - free_.size() : 0);
    // Grow by a quarter, not double: the pool is the largest per-invoice cost.
    if (slots > pool_.capacity()) pool_.reserve(std::max(slots, pool_.capacity() + pool_.capacity() / 4 + 64));
    if (slots > free_.capacity()) free_.reserve(std::max(slots, free_.capacity() + free_.capacity() / 4 + 64));
    const std::size_t wanted = incidents_.size() + std::min(needs.incidents, states_.size());
    if (wanted > incidents_.capacity())
      incidents_.reserve(std::max(wanted, incidents_.capacity() + incidents_.capacity() / 4 + 16));
  }

  Incidents& incidents_of(ClientState& c) {
    if (c.incidents == detail::kNone) {
      c.incidents = static_cast<std::uint32_t>(incidents_.size());
      incidents_.emplace_back();
    }
    return incidents_[c.incidents];
  }

  // Applies n records in turn, fetching registry entries and client states a few records ahead.
  // entry(i) is the index of record i's registry entry, kNoEntry or kFindEntry.
  template <class At, class Entry>
  void apply_all(std::size_t n, At at, Entry entry) {
    constexpr std::size_t ahead = 8;
    for (std::size_t i = 0; i < n; ++i) {
      if (i + ahead < n) {
        const detail::Record& next = at(i + ahead);
        const std::uint32_t e = entry(i + ahead);
        if (e == kFindEntry) {
          if (next.key) registry_.prefetch(next.key);
        } else if (e != kNoEntry) {
          __builtin_prefetch(&registry_.value_at(e), 1);
        }
        if (next.client != at(i + ahead - 1).client) prefetch_state(next.client);
      }
      const detail::Record& r = at(i);
      const std::uint32_t e = entry(i);
      apply(r, e == kFindEntry ? (r.key ? registry_.find(r.key) : nullptr)
                               : e == kNoEntry ? nullptr : &registry_.value_at(e));
    }
  }

  // Starts loading every cache line of a client's state (none for a client new in the batch).
  [[gnu::always_inline]] void prefetch_state(std::uint32_t client) const {
    if (client >= states_.size()) return;
    const char* p = reinterpret_cast<const char*>(&states_[client]);
    for (std::size_t b = 0; b < sizeof(ClientState); b += 64) __builtin_prefetch(p + b, 1);
    __builtin_prefetch(p + sizeof(ClientState) - 1, 1);
  }

  // entry: the record's registry entry (null when it names none).
  void apply(const detail::Record& r, detail::RefEntry* entry) {
    ++generation_;
    applying_ = r.date;
    ClientState& c = states_[r.client];
    touch(c, r.date);
    dates_[r.client].last = c.last_date;
    // The dissatisfaction decay, for the kinds that add to a decayed sum.
    const bool decays = r.kind == EventKind::invoice || r.kind == EventKind::dispute_opened ||
                        r.kind == EventKind::complaint || r.kind == EventKind::return_;
    const double gd =
        decays ? growth(r.date, c.epoch, dissatisfaction_growth_, decay_.dissatisfaction_half_life_days) : 0.0;
    switch (r.kind) {
      case EventKind::invoice: {
        std::uint32_t slot;
        if (!free_.empty()) {
          slot = free_.back();
          free_.pop_back();
        } else {
          slot = static_cast<std::uint32_t>(pool_.size());
          pool_.push_back({});  // within the capacity reserve_to_apply() made
        }
        pool_[slot] = detail::Invoice{r.amount, r.amount, r.key, r.date, r.due, detail::kNone, detail::kNone};
        link_open(c, slot);
        entry->slot = slot;
        c.open_amount = detail::sat_add(c.open_amount, r.amount);
        c.invoiced_decayed += static_cast<double>(r.amount) * gd;
        add_revenue(c, r.date, r.amount);
        break;
      }
      case EventKind::payment: {
        std::int64_t left = r.amount;
        if (entry) {
          if (entry->slot != detail::kNone) {
            const std::int32_t due = pool_[entry->slot].due;
            const std::int64_t took = settle(c, entry->slot, left, entry);
            payment_experience(c, r.date, due, took);
            left -= took;
          }
        } else {
          // No reference: the oldest open invoices issued on or before the payment come first.
          c.last_free_payment = std::max(c.last_free_payment, r.date);
          dates_[r.client].free_payment = c.last_free_payment;
          for (std::uint32_t s = c.open_head; s != detail::kNone && left > 0;) {
            const std::uint32_t next = pool_[s].next;
            if (pool_[s].issued <= r.date) {
              const std::int32_t due = pool_[s].due;
              const std::int64_t took = settle(c, s, left);
              payment_experience(c, r.date, due, took);
              left -= took;
            }
            s = next;
          }
        }
        c.credit_balance = detail::sat_add(c.credit_balance, left);
        break;
      }
      case EventKind::credit_note:
      case EventKind::write_off: {
        std::int64_t took = 0;
        if (entry->slot != detail::kNone) took = settle(c, entry->slot, r.amount, entry);
        if (r.kind == EventKind::credit_note) {
          c.credit_balance = detail::sat_add(c.credit_balance, r.amount - took);
        } else {
          incidents_of(c).write_offs.add(r.date, r.amount);
        }
        break;
      }
      case EventKind::dispute_opened:
        entry->disputed = detail::sat_add(entry->disputed, r.amount);
        if (entry->applied_disputes == 0 || r.date < entry->dispute_since) entry->dispute_since = r.date;
        ++entry->applied_disputes;
        c.disputed_open = detail::sat_add(c.disputed_open, r.amount);
        ++c.disputes_open;
        c.disputes += gd;
        c.disputed += static_cast<double>(r.amount) * gd;
        break;
      case EventKind::dispute_resolved:
        // Resolving closes every open dispute of the invoice: its disputed amount is no longer open.
        if (entry->applied_disputes > 0) {
          c.disputed_open = std::max<std::int64_t>(0, c.disputed_open - entry->disputed);
          c.disputes_open -= entry->applied_disputes;
          entry->disputed = 0;
          entry->applied_disputes = 0;
          entry->dispute_since = detail::kNoDate;
        }
        if (r.code == static_cast<std::uint8_t>(DisputeOutcome::litigation))
          incidents_of(c).notices[3].add(r.date, 1);
        break;
      case EventKind::complaint:
        c.complaints += r.code * gd;
        break;
      case EventKind::return_:
        c.returned += static_cast<double>(r.amount) * gd;
        break;
      case EventKind::contract_signed:
        ++c.contracts_signed;
        break;
      case EventKind::contract_cancelled:
        ++c.contracts_cancelled;
        (r.code == static_cast<std::uint8_t>(Cancellation::early) ? incidents_of(c).cancel_early
                                                                   : incidents_of(c).cancel_at_term)
            .add(r.date, 1);
        break;
      case EventKind::legal_notice:
        incidents_of(c).notices[static_cast<std::size_t>(r.code - 1)].add(r.date, 1);
        break;
      case EventKind::review:
      {
        const double g = growth(r.date, c.epoch, review_growth_, decay_.review_half_life_days);
        c.reviews += g;
        c.rating_sum += g * r.code;
        if (r.code <= 2) c.negative_reviews += g;
        break;
      }
    }
  }

  DecayConfig decay_;
  const detail::GrowthTable* payment_growth_ = nullptr;  // of decay_, or null (growth computed)
  const detail::GrowthTable* dissatisfaction_growth_ = nullptr;
  const detail::GrowthTable* review_growth_ = nullptr;
  std::int64_t rebase_lag_ = 0;  // touch() rebases a client whose epoch lags its event by more days
  detail::Interner interner_;
  detail::GrowableArray<ClientState> states_;
  // Each client's event count, apart from its state: counting a batch reads 4 bytes a client, not
  // a line of its state.
  detail::GrowableArray<std::uint32_t> events_;
  // What validation reads of each client, copied from its state as it changes: a batch is
  // checked against 8 bytes a client, in turn, not against a line of each state.
  struct Dates {
    std::int32_t last = detail::kNoDate;          // ClientState::last_date
    std::int32_t free_payment = detail::kNoDate;  // ClientState::last_free_payment
  };
  detail::GrowableArray<Dates> dates_;
  std::size_t clients_with_events_ = 0;  // states with first_date set (a snapshot's load counts them)
  detail::GrowableArray<detail::Invoice> pool_;
  detail::GrowableArray<std::uint32_t> free_;
  detail::FlatMap<detail::RefEntry> registry_;
  std::size_t max_clients_ = npos;
  std::size_t max_events_per_client_ = npos;
  std::vector<std::int64_t> revenue_;  // portfolio invoiced per month from revenue_base_
  std::int32_t revenue_base_ = 0;
  std::vector<Incidents> incidents_;
  detail::BigVector<detail::Record> pending_;
  // The registry entry of each pending record as validation found it, valid while
  // pending_entries_known(): a snapshot does not keep it, and a loaded ledger looks them up.
  detail::BigVector<std::uint32_t> pending_entry_;
  std::uint64_t pending_moves_ = 0;  // registry_.moves() when pending_entry_ was filled
  std::int32_t horizon_ = detail::kNoDate;
  std::int32_t latest_ = detail::kNoDate;
  std::uint64_t generation_ = 0;
  std::function<void(std::uint32_t, Date, Date)> on_close_;  // on_invoice_closed()
  std::int32_t applying_ = detail::kNoDate;                   // date of the record being applied
};

}  // namespace v1
}  // namespace clientrisk
