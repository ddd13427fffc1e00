// The synthetic ledger of generate.hpp: one small state machine per client, advanced a month at a
// time, so that a month of the whole portfolio is written out before the next one is made.
#include "clientrisk/generate.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "clientrisk/error.hpp"

namespace clientrisk {
inline namespace v1 {
namespace {

// splitmix64, with helpers in integer arithmetic only: <random>'s distributions and floating
// point (libm, contraction) differ between platforms, and the generated ledger must not. For
// the same reason callers draw at most once per expression: the order in which function
// arguments are evaluated is unspecified, and GCC and Clang differ.
class Rng {
 public:
  // Mixing the stream puts clients far apart in the cycle, so their histories never overlap.
  Rng(std::uint64_t seed, std::uint64_t stream) : state_(mix(seed ^ mix(stream + kGamma))) {}

  std::uint64_t next() { return mix(state_ += kGamma); }
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) {  // inclusive; modulo bias below 2^-40 here
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  int between(int lo, int hi) { return static_cast<int>(uniform(lo, hi)); }
  bool chance(int percent) { return between(0, 99) < percent; }
  template <std::size_t N>
  int pick(const std::array<int, N>& weights) {
    int total = 0;
    for (int w : weights) total += w;
    int x = between(0, total - 1), i = 0;
    for (; x >= weights[static_cast<std::size_t>(i)]; ++i) x -= weights[static_cast<std::size_t>(i)];
    return i;
  }
  // About N(0, 1) in thousandths: twelve uniforms summed (Irwin-Hall), exact and within +-6.
  int normal_milli() {
    int s = -5994;
    for (int i = 0; i < 12; ++i) s += between(0, 999);
    return s;
  }

 private:
  static constexpr std::uint64_t kGamma = 0x9e3779b97f4a7c15ULL;
  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t state_;
};

// The months generated: [start, start + months), start the first day of a month.
struct Period {
  Date start;
  int months;
  // First day of month k (k == months gives the end), computed past year 9999 too.
  Date month_start(int k) const {
    const CivilDate c = start.civil();
    const int m = static_cast<int>(c.month) - 1 + k;
    return Date::from_days(detail::days_from_civil(c.year + m / 12, static_cast<unsigned>(m % 12) + 1, 1));
  }
};

Period checked(const GenerateOptions& o) {
  if (o.clients < 1) throw InvalidInput("generate: clients must be at least 1, got 0");
  if (o.months < 1 || o.months > 600)
    throw InvalidInput("generate: months must be 1 to 600, got " + std::to_string(o.months));
  const CivilDate c = o.start.civil();
  if (c.year < 1 || c.year * 12 + static_cast<int>(c.month) - 1 + o.months > 10000 * 12)
    throw InvalidInput("generate: start and months must keep the period within the years 0001 to 9999");
  if (c.day != 1) throw InvalidInput("generate: start must be the first day of a month, got " + o.start.to_string());
  return {o.start, o.months};
}

constexpr Date kLastDate = *Date::from_civil(9999, 12, 31);  // due and end dates stay writable
constexpr std::int64_t kBalance = -1;  // the amount of a lawsuit: the client's open balance that day
constexpr std::array<std::string_view, 6> kReasons = {"quality",       "late delivery", "price",
                                                      "wrong quantity", "damaged goods", "not as ordered"};

template <class Code>
constexpr std::uint8_t code(Code c) { return static_cast<std::uint8_t>(c); }

std::string numbered(const char* prefix, std::uint64_t n, std::size_t width) {
  const std::string digits = std::to_string(n);
  return prefix + std::string(width - std::min(width, digits.size()), '0') + digits;
}

enum class Profile : std::uint8_t { prompt, late, disputer, seasonal, churner, deteriorating, dominant, legal };
constexpr std::array<int, 6> kMix = {55, 20, 8, 7, 6, 4};  // percent of the drawn profiles, prompt first

// How a profile behaves besides paying: monthly chances of a review and of a complaint, rating
// weights (1 to 5), complaint severities, the chance an invoice sees goods returned, and the
// chance of a contract when the client joins.
struct Manner {
  int review_pct;
  std::array<int, 5> ratings;
  int complaint_pct, severity_lo, severity_hi, return_pct, contract_pct;
};
constexpr std::array<Manner, 8> kManners = {{
    {4, {0, 0, 10, 45, 45}, 1, 1, 2, 1, 60},     // prompt
    {4, {0, 10, 40, 40, 10}, 2, 1, 3, 1, 60},    // late
    {6, {30, 40, 30, 0, 0}, 5, 1, 5, 8, 60},     // disputer
    {4, {0, 0, 10, 45, 45}, 1, 1, 2, 1, 40},     // seasonal
    {3, {0, 0, 40, 50, 10}, 1, 1, 3, 2, 100},    // churner, until it leaves
    {3, {10, 40, 40, 10, 0}, 10, 2, 4, 2, 60},   // deteriorating
    {6, {0, 0, 10, 45, 45}, 1, 1, 2, 1, 100},    // dominant
    {0, {1, 0, 0, 0, 0}, 0, 1, 1, 2, 100},       // legal: its reviews and complaints are its story's
}};

// An event waiting for its date, without strings: clients hold many for months.
struct Planned {
  Date date;
  std::uint32_t ref = 0;         // invoice or contract number, 0 for none
  std::int64_t cents = 0;        // 0 for none, or kBalance
  std::optional<Date> due = std::nullopt;
  EventKind kind = EventKind::invoice;
  std::uint8_t code = 0;         // rating, severity, reason (index + 1) or the detail's enum
  bool may_drop_ref = false;     // a payment the client may make without naming the invoice
  auto key() const { return std::tie(date, kind, ref, cents, code, due, may_drop_ref); }
};

std::string detail_text(const Planned& p) {
  const std::size_t i = p.code - 1u;
  switch (p.kind) {
    case EventKind::complaint:
    case EventKind::review: return std::string(1, static_cast<char>('0' + p.code));
    case EventKind::dispute_opened: return std::string(kReasons[i]);
    case EventKind::dispute_resolved: return std::string(dispute_outcome_names[i]);
    case EventKind::contract_cancelled: return std::string(cancellation_names[i]);
    case EventKind::legal_notice: return std::string(legal_notice_names[i]);
    default: return {};
  }
}

class Client {
 public:
  Client(std::uint64_t number, std::uint64_t seed, int months)
      : id_(numbered("C", number, 6)), rng_(seed, number) {
    profile_ = number == 1 ? Profile::dominant
               : number == 2 ? Profile::legal
                             : static_cast<Profile>(rng_.pick(kMix));
    const auto u = rng_.uniform(0, 1000);
    size_ = 150'000 + 1'050'000 * u * u / 1'000'000;  // typical invoice, 1 500 to 12 000, mostly small
    extra_pct_ = rng_.between(5, 55);
    lateness_ = rng_.between(10, 80);
    peak_ = rng_.between(0, 11);
    switch (profile_) {
      case Profile::dominant:
        size_ = rng_.uniform(900'000, 1'100'000);
        terms_ = 45;
        break;
      case Profile::legal:
        lateness_ = rng_.between(20, 40);
        turn_ = std::max(0, months - 10);
        stop_ = turn_ + 4;
        break;
      case Profile::churner:
        turn_ = rng_.between(months / 4, std::max(months / 4, 3 * months / 4 - 1));
        stop_ = turn_ + 1;
        break;
      case Profile::deteriorating:
        slip_ = std::max(0, months - rng_.between(12, 16));
        turn_ = std::max(slip_, months - rng_.between(6, 8));
        stop_ = turn_ + 3;
        break;
      default:
        if (months > 1 && rng_.chance(15)) join_ = rng_.between(1, months - 1);
    }
  }

  const std::string& id() const { return id_; }

  // Plans month k's new activity, then hands over the client's events dated in the month,
  // sorted in file order.
  void advance(const Period& period, int k, Date from, Date to, std::vector<Event>& out) {
    if (k >= join_) activity(period, k, from, to);
    emit(to, out);
  }

 private:
  struct Open {
    std::uint32_t number;
    Date issued;
    std::int64_t outstanding;
  };

  const Manner& manner() const { return kManners[static_cast<std::size_t>(profile_)]; }
  void plan(const Planned& p) { pending_.push_back(p); }
  void note(Date d, EventKind kind, std::uint8_t c) { plan({.date = d, .kind = kind, .code = c}); }
  // Late payers' days beyond terms for one invoice, around the client's habit.
  int lateness() { return std::clamp(lateness_ + lateness_ * rng_.normal_milli() / 4000, 10, 90); }

  void activity(const Period& period, int k, Date from, Date to) {
    const int last = period.months - 1;
    auto day = [&] { return from + rng_.between(0, to - from - 1); };
    auto at = [&](int month) { return k == std::min(last, month); };  // stories squeeze into short periods
    const Manner& m = manner();

    if (k == join_ && rng_.chance(m.contract_pct)) {
      sign(day(), profile_ != Profile::churner);
      if (profile_ == Profile::churner && rng_.chance(40)) sign(std::max(last_signed_, day()), false);
    }
    if (contract_end_ && *contract_end_ < to) {  // the contract reaches its term this month
      const Date end = *contract_end_;
      contract_end_.reset();
      if (k < stop_ && rng_.chance(80))
        sign(end, true);
      else
        plan({.date = end, .ref = contract_, .kind = EventKind::contract_cancelled,
              .code = code(Cancellation::at_term)});
    }

    switch (profile_) {
      case Profile::churner:
        if (k == turn_) {
          const Date gone = std::max(day(), last_signed_);
          const Date complained = std::max(from, gone - rng_.between(0, 10));
          note(complained, EventKind::complaint, code(rng_.between(3, 4)));
          for (std::uint32_t c = 1; c <= contracts_; ++c)
            plan({.date = gone, .ref = c, .kind = EventKind::contract_cancelled, .code = code(Cancellation::early)});
          for (int r = rng_.between(1, 2); r > 0; --r) {
            const Date reviewed = gone + rng_.between(0, 40);
            note(reviewed, EventKind::review, code(rng_.between(1, 2)));
          }
        }
        break;
      case Profile::deteriorating:
        if (at(turn_ + 2)) note(day(), EventKind::legal_notice, code(LegalNotice::formal_notice));
        if (at(turn_ + 4) && rng_.chance(60)) {
          note(day(), EventKind::legal_notice, code(LegalNotice::lawyer_letter));
          sues_ = rng_.chance(40);
        }
        if (at(turn_ + 6) && sues_)
          plan({.date = day(), .cents = kBalance, .kind = EventKind::legal_notice, .code = code(LegalNotice::lawsuit)});
        break;
      case Profile::legal:
        if (at(turn_ + 3)) note(day(), EventKind::legal_notice, code(LegalNotice::formal_notice));
        if (at(turn_ + 5)) note(day(), EventKind::legal_notice, code(LegalNotice::lawyer_letter));
        if (at(turn_ + 7))
          plan({.date = day(), .cents = kBalance, .kind = EventKind::legal_notice, .code = code(LegalNotice::lawsuit)});
        if (at(turn_ + 4) || at(turn_ + 6)) note(day(), EventKind::review, 1);
        break;
      default:
        break;
    }
    if (k >= stop_) return;

    const bool peak = profile_ == Profile::seasonal && (static_cast<int>(from.civil().month) + 11 - peak_) % 12 < 3;
    int n = 1;
    if (profile_ == Profile::dominant)
      n = rng_.between(8, 12);
    else if (profile_ == Profile::seasonal)
      n = peak ? rng_.between(3, 6) : rng_.chance(35);
    else
      for (int i = 0; i < 3; ++i) n += rng_.chance(extra_pct_);
    std::array<Date, 12> dates;  // numbered in date order, as an invoicing system would
    for (int i = 0; i < n; ++i) dates[static_cast<std::size_t>(i)] = day();
    std::sort(dates.begin(), dates.begin() + n);
    for (int i = 0; i < n; ++i) invoice(period, k, dates[static_cast<std::size_t>(i)], amount(peak), i == 0);

    if (rng_.chance(m.review_pct)) {
      const Date reviewed = day();
      note(reviewed, EventKind::review, code(1 + rng_.pick(m.ratings)));
    }
    if (rng_.chance(m.complaint_pct)) {
      const Date complained = day();
      note(complained, EventKind::complaint, code(rng_.between(m.severity_lo, m.severity_hi)));
    }
  }

  std::int64_t amount(bool peak) {
    const std::int64_t cap = profile_ == Profile::dominant ? 4'000'000 : 2'000'000;
    const std::int64_t a = std::clamp(size_ * (1000 + 3 * rng_.normal_milli() / 10) / 1000, std::int64_t{50'000}, cap);
    return peak ? a * 3 / 2 : a;
  }

  void sign(Date d, bool may_end) {
    const std::uint32_t no = ++contracts_;
    const std::int64_t yearly = size_ * 12 * (100 + 3 * extra_pct_) / 100 / 10'000 * 10'000;
    std::optional<Date> end = d + 365 * rng_.between(1, 3);
    if (!may_end || rng_.chance(50) || *end > kLastDate) end.reset();
    plan({.date = d, .ref = no, .cents = yearly, .due = end, .kind = EventKind::contract_signed});
    contract_ = no;
    contract_end_ = end;
    last_signed_ = d;
  }

  // Issues an invoice and plans its whole fate at once. No deduction exceeds what is left, so
  // the invoice is never overpaid and closes exactly when its last deduction comes.
  void invoice(const Period& period, int k, Date d, std::int64_t a, bool first_of_month) {
    const std::uint32_t no = ++invoices_;
    const Date due = std::min(d + terms_, kLastDate);
    plan({.date = d, .ref = no, .cents = a, .due = due, .kind = EventKind::invoice});
    std::int64_t left = a;
    auto take = [&](Date when, EventKind kind, std::int64_t cents, bool may_drop_ref = false) {
      cents = std::min(cents, left);
      if (cents <= 0) return;
      // A due date held back at 9999-12-31 could otherwise put a payment before its invoice.
      plan({.date = std::max(when, d), .ref = no, .cents = cents, .kind = kind, .may_drop_ref = may_drop_ref});
      left -= cents;
    };
    auto open_dispute = [&](Date when, std::int64_t cents, int reason) {
      plan({.date = when, .ref = no, .cents = cents, .kind = EventKind::dispute_opened, .code = code(reason)});
    };
    auto close_dispute = [&](Date when, DisputeOutcome outcome) {
      plan({.date = when, .ref = no, .kind = EventKind::dispute_resolved, .code = code(outcome)});
    };

    if (rng_.chance(manner().return_pct)) {  // goods sent back, then credited
      const Date back = d + rng_.between(5, 20);
      const std::int64_t cents = a * rng_.between(5, 30) / 100;
      plan({.date = back, .ref = no, .cents = cents, .kind = EventKind::return_});
      take(back + rng_.between(2, 7), EventKind::credit_note, cents);
    }
    switch (profile_) {
      case Profile::late: {
        const int late = lateness();
        if (rng_.chance(25)) {  // part of it first
          const Date part = due + late * rng_.between(30, 70) / 100;
          take(part, EventKind::payment, left * rng_.between(30, 70) / 100);
        }
        const bool may_drop_ref = rng_.chance(15);
        take(due + late, EventKind::payment, left, may_drop_ref);
        break;
      }
      case Profile::disputer:
        if (rng_.chance(25)) {  // the invoice is paid once the dispute is over
          const Date opened = d + rng_.between(3, 20), resolved = opened + rng_.between(10, 60);
          const std::int64_t disputed = a * rng_.between(20, 100) / 100;
          const auto outcome = static_cast<DisputeOutcome>(1 + rng_.pick(std::array{45, 25, 30}));
          open_dispute(opened, disputed, rng_.between(1, 6));
          close_dispute(resolved, outcome);
          if (rng_.chance(60)) note(opened, EventKind::complaint, code(rng_.between(2, 5)));
          if (outcome == DisputeOutcome::credit_note)
            take(resolved, EventKind::credit_note, disputed * rng_.between(30, 100) / 100);
          take(std::max(resolved + rng_.between(0, 20), due - 2), EventKind::payment, left);
        } else {
          take(due + rng_.between(-2, 10), EventKind::payment, left);
        }
        break;
      case Profile::churner:
        if (k < turn_ || !first_of_month || rng_.chance(75)) take(due + rng_.between(-3, 10), EventKind::payment, left);
        break;
      case Profile::deteriorating:
        if (k < slip_) {
          take(due + rng_.between(0, 12), EventKind::payment, left);
        } else if (k < turn_) {  // later and later, often in instalments
          const int late = 15 + 60 * (k - slip_) / std::max(1, turn_ - slip_) + rng_.between(0, 15);
          if (rng_.chance(40)) take(due + late / 2, EventKind::payment, left * rng_.between(20, 50) / 100);
          take(due + late, EventKind::payment, left);
        } else {  // abandoned: contested to buy time, a token payment at best, and often written off
          if (rng_.chance(25)) {
            const Date contested = due + rng_.between(5, 20);
            open_dispute(contested, a, rng_.between(1, 3));
          }
          if (rng_.chance(30)) {
            const Date token = due + rng_.between(15, 45);
            take(token, EventKind::payment, left * rng_.between(10, 30) / 100);
          }
          if (rng_.chance(60)) take(due + rng_.between(100, 150), EventKind::write_off, left);
        }
        break;
      case Profile::legal:
        if (k < turn_) {
          take(due + lateness(), EventKind::payment, left);
        } else if (k == turn_ && first_of_month) {  // the dispute that ends in court
          const Date opened = d + rng_.between(5, 12);
          const Date court = std::max(opened + 1, period.month_start(period.months - 1) + rng_.between(0, 20));
          open_dispute(opened, a, 1);
          close_dispute(court, DisputeOutcome::litigation);
          note(opened, EventKind::complaint, 5);
        }
        break;
      default:  // prompt, seasonal and dominant clients pay on the due date or a few days before
        take(rng_.chance(3) ? due + rng_.between(1, 10) : due - rng_.between(0, 5), EventKind::payment, left);
    }
  }

  // Emits the planned events dated before `to` in the ledger's order (date, then kind), so that
  // the balances tracked here are the ledger's when a payment leaves out its ref or a lawsuit
  // claims the balance.
  void emit(Date to, std::vector<Event>& out) {
    const auto now = std::partition(pending_.begin(), pending_.end(), [&](const Planned& p) { return p.date < to; });
    std::sort(pending_.begin(), now, [](const Planned& a, const Planned& b) { return a.key() < b.key(); });
    auto same_day_payment = [&](auto it, const Planned& p) {
      return it != now && it->date == p.date && it->kind == EventKind::payment;
    };
    for (auto p = pending_.begin(); p != now; ++p) {
      const bool contract = p->kind == EventKind::contract_signed || p->kind == EventKind::contract_cancelled;
      Event& e = out.emplace_back();
      e.date = p->date;
      e.client = id_;
      e.kind = p->kind;
      if (p->ref) e.ref = contract ? numbered("CTR-", p->ref, 4) : numbered("INV-", p->ref, 6);
      if (p->cents > 0) e.amount = Money::from_cents(p->cents);
      e.due = p->due;
      e.detail = detail_text(*p);
      switch (p->kind) {
        case EventKind::invoice:
          open_.push_back({p->ref, p->date, p->cents});
          break;
        case EventKind::payment:
        case EventKind::credit_note:
        case EventKind::write_off: {
          const auto inv = std::find_if(open_.begin(), open_.end(), [&](const Open& o) { return o.number == p->ref; });
          // The ledger gives a payment without ref to the oldest open invoice: drop the ref only
          // when that is this invoice, settled in full, and no other payment comes that day.
          if (p->may_drop_ref && p->cents == inv->outstanding && !same_day_payment(p + 1, *p) &&
              (p == pending_.begin() || !same_day_payment(p - 1, *p)) &&
              std::none_of(open_.begin(), open_.end(),
                           [&](const Open& o) { return o.number != inv->number && o.issued <= inv->issued; }))
            e.ref.clear();
          inv->outstanding -= p->cents;
          if (inv->outstanding == 0) open_.erase(inv);
          break;
        }
        case EventKind::legal_notice:
          if (p->cents == kBalance) {
            std::int64_t owed = 0;
            for (const Open& o : open_) owed += o.outstanding;
            if (owed > 0) e.amount = Money::from_cents(owed);
          }
          break;
        default:
          break;
      }
    }
    pending_.erase(pending_.begin(), now);
    // The file compares refs, amounts and details as written, which the planned order matches
    // but for a ref left out, a lawsuit's amount or two codes on one day.
    auto file_order = [](const Event& a, const Event& b) {
      return std::tie(a.date, a.kind, a.ref, a.amount, a.due, a.detail) <
             std::tie(b.date, b.kind, b.ref, b.amount, b.due, b.detail);
    };
    if (!std::is_sorted(out.begin(), out.end(), file_order)) std::sort(out.begin(), out.end(), file_order);
  }

  std::string id_;
  Rng rng_;
  Profile profile_;
  std::int64_t size_;            // typical invoice, in cents
  int extra_pct_;                // chance of each of up to three more invoices a month
  int lateness_;                 // late payers' usual days beyond terms
  int peak_;                     // seasonal clients: first calendar month (0-based) of their three busy ones
  int terms_ = 30;
  int join_ = 0;                 // first active month
  int slip_ = 0, turn_ = 0;      // months where the client's story turns (per profile)
  int stop_ = 1 << 30;           // first month without invoices
  bool sues_ = false;            // deteriorating clients: the lawyer's letter is followed by a lawsuit
  std::uint32_t invoices_ = 0, contracts_ = 0, contract_ = 0;
  std::optional<Date> contract_end_;
  Date last_signed_;
  std::vector<Planned> pending_;
  std::vector<Open> open_;
};

void append_row(std::string& s, const Event& e) {
  s += e.date.to_string();
  s += ',';
  s += e.client;
  s += ',';
  s += to_string(e.kind);
  s += ',';
  s += e.ref;
  s += ',';
  if (e.amount) s += e.amount->to_string();
  s += ',';
  if (e.due) s += e.due->to_string();
  s += ',';
  s += e.detail;  // words without commas or quotes: never needs quoting
  s += '\n';
}

// A month in day buckets. Clients come in id order, each with its events sorted, so the buckets
// concatenated are in file order: date, client, kind, ref.
struct EventSink {
  std::vector<Event>& out;
  std::array<std::vector<Event>, 31> days{};
  void add(std::size_t day, Event& e) { days[day].push_back(std::move(e)); }
  void end_month() {
    for (std::vector<Event>& d : days) {
      std::move(d.begin(), d.end(), std::back_inserter(out));
      d.clear();
    }
  }
};

struct CsvSink {
  std::ostream& out;
  std::array<std::string, 31> days{};
  void add(std::size_t day, const Event& e) { append_row(days[day], e); }
  void end_month() {
    for (std::string& d : days) {
      out.write(d.data(), static_cast<std::streamsize>(d.size()));
      d.clear();
    }
    if (!out) throw IoError("write_ledger_csv: writing to the output stream failed");
  }
};

template <class Sink>
void generate(const GenerateOptions& options, const Period& period, Sink& sink) {
  std::vector<Client> clients;
  clients.reserve(static_cast<std::size_t>(options.clients));
  for (std::uint64_t n = 1; n <= options.clients; ++n) clients.emplace_back(n, options.seed, period.months);
  // The file orders clients by id as text, where C1000000 comes before C999999.
  std::sort(clients.begin(), clients.end(), [](const Client& a, const Client& b) { return a.id() < b.id(); });
  std::vector<Event> events;
  for (int k = 0; k < period.months; ++k) {
    const Date from = period.month_start(k), to = period.month_start(k + 1);
    for (Client& c : clients) {
      events.clear();
      c.advance(period, k, from, to, events);
      for (Event& e : events) sink.add(static_cast<std::size_t>(e.date - from), e);
    }
    sink.end_month();
  }
}

}  // namespace

std::vector<Event> generate_events(const GenerateOptions& options) {
  const Period period = checked(options);
  std::vector<Event> events;
  EventSink sink{events};
  generate(options, period, sink);
  return events;
}

void write_ledger_csv(std::ostream& out, const GenerateOptions& options) {
  const Period period = checked(options);
  out << "date,client,kind,ref,amount,due,detail\n";
  CsvSink sink{out};
  generate(options, period, sink);
}

}  // namespace v1
}  // namespace clientrisk
