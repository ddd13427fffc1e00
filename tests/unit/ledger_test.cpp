#include "clientrisk/ledger.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clientrisk/engine.hpp"

using namespace clientrisk;

namespace {

Date day(const char* iso) { return *Date::parse(iso); }

Event make(const char* date, const std::string& client, EventKind kind, std::string ref = {},
           std::optional<std::int64_t> cents = {}, const char* due = nullptr, std::string detail = {}) {
  Event e;
  e.date = day(date);
  e.client = client;
  e.kind = kind;
  e.ref = std::move(ref);
  if (cents) e.amount = Money::from_cents(*cents);
  if (due) e.due = day(due);
  e.detail = std::move(detail);
  return e;
}
Event invoice(const char* date, const std::string& c, const std::string& ref, std::int64_t cents, const char* due) {
  return make(date, c, EventKind::invoice, ref, cents, due);
}
Event payment(const char* date, const std::string& c, const std::string& ref, std::int64_t cents) {
  return make(date, c, EventKind::payment, ref, cents);
}
Event credit_note(const char* date, const std::string& c, const std::string& ref, std::int64_t cents) {
  return make(date, c, EventKind::credit_note, ref, cents);
}

std::int64_t cents(Money m) { return m.cents(); }

KeyFigures key_of(const std::vector<Event>& events, const std::string& client, const char* as_of) {
  Engine engine;
  engine.post(events);
  return engine.score(client, day(as_of)).key;
}

}  // namespace

// Reference keys are hashes of client and ref, kept in snapshots and in the canonical order:
// the hash of a byte string must not change, whatever its length (the tail of 1 to 7 bytes is
// read without memcpy). The expected values are those of the first released hash.
TEST(HashBytes, ValuesArePinned) {
  std::uint64_t sum = 0;
  const std::string text = "C12345-F2024-0001\x01\xff\x80 abcdefghijklmnopqrstuvwxyz";
  for (std::size_t n = 0; n <= 24; ++n)
    for (std::uint64_t seed : {0ULL, 1ULL, 0x9e3779b97f4a7c15ULL})
      sum = sum * 31 + clientrisk::detail::hash_bytes(std::string_view(text).substr(0, n), seed);
  EXPECT_EQ(sum, 0x43dfaa07ab1d774cULL);
  EXPECT_EQ(clientrisk::detail::hash_bytes("C7", 0), 0x7e32da54ac93caefULL);
}

// The shortcuts of applying give the values of what they replace, for every input.
TEST(LedgerArithmetic, PaydexOfWholeDaysIsPaydexOfDays) {
  for (std::int32_t d = -400; d <= 400; ++d)
    ASSERT_EQ(detail::paydex_of_whole_days(d), detail::paydex_of_days(d)) << d << " days";
  constexpr std::int32_t lowest = std::numeric_limits<std::int32_t>::min(), highest = std::numeric_limits<std::int32_t>::max();
  for (std::int32_t d : {lowest, -1000000, 1000000, highest})
    EXPECT_EQ(detail::paydex_of_whole_days(d), detail::paydex_of_days(d)) << d << " days";
  EXPECT_EQ(detail::paydex_of_whole_days(0), 80);
  EXPECT_EQ(detail::paydex_of_whole_days(45), 45);
  EXPECT_EQ(detail::paydex_of_whole_days(177), 1);
}

TEST(LedgerArithmetic, RebaseLagIsTheLongestLagWithinSixHundredHalfLives) {
  for (double h : {1.0, 1.5, 7.0, 30.0, 45.3, 90.0, 180.0, 365.25, 1000.0 / 3, 1e6}) {
    const std::int64_t lag = detail::rebase_lag(h);
    EXPECT_LE(static_cast<double>(lag) / h, 600) << h;
    EXPECT_GT(static_cast<double>(lag + 1) / h, 600) << h;
  }
  EXPECT_EQ(detail::rebase_lag(30), 18000);
  // A half-life so long that no lag of two dates reaches the bound never rebases.
  EXPECT_EQ(detail::rebase_lag(1e8), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(detail::rebase_lag(std::numeric_limits<double>::infinity()), std::numeric_limits<std::int64_t>::max());
}

TEST(LedgerArithmetic, RingSlotIsTheMonthModuloTheRing) {
  for (std::int32_t m = -100; m <= 100; ++m)
    EXPECT_EQ(detail::ring_slot(m),
              static_cast<std::size_t>(((m % detail::kRingMonths) + detail::kRingMonths) % detail::kRingMonths))
        << m;
}

TEST(LedgerMemory, ClientStateAndInvoiceFitTheirBudget) {
  EXPECT_LE(sizeof(ClientState), 480u);
  EXPECT_LE(sizeof(detail::Invoice), 64u);
}

// Payments, complaints and reviews never give a client the side table of rare events, so a batch
// of them reserves none of it: the bytes held per client stay within the budget of issue #2.
TEST(LedgerMemory, CommonEventsReserveNoIncidents) {
  Ledger ledger;
  std::vector<Event> events;
  constexpr int clients = 20000;
  for (int c = 0; c < clients; ++c) {
    const std::string id = "C" + std::to_string(c);
    events.push_back(invoice("2024-01-05", id, "F1", 10000, "2024-02-04"));
    events.push_back(payment("2024-02-01", id, "F1", 10000));
    events.push_back(make("2024-02-02", id, EventKind::complaint, "", std::nullopt, nullptr, "2"));
    events.push_back(make("2024-02-03", id, EventKind::review, "", std::nullopt, nullptr, "4"));
  }
  ledger.post(events);
  ledger.advance(day("2024-03-01"));
  EXPECT_LE(static_cast<double>(ledger.state_bytes()) / clients, 512.0);
  events.clear();
  for (int c = 0; c < clients; ++c)
    events.push_back(make("2024-03-02", "C" + std::to_string(c), EventKind::complaint, "", std::nullopt, nullptr, "1"));
  ledger.post(events);  // applied at once, through the reservation of commit()
  EXPECT_LE(static_cast<double>(ledger.state_bytes()) / clients, 512.0);
}

TEST(KeyFigures, AreExactInCentsOnAHandBuiltLedger) {
  const std::vector<Event> events = {
      invoice("2023-06-01", "k", "F0", 30000, "2023-07-01"),    // long overdue, before the 12 months
      invoice("2024-01-10", "k", "F1", 123456, "2024-02-09"),   // 127 days past due on 2024-06-15
      invoice("2024-02-05", "k", "F2", 50000, "2024-03-06"),    // 101 days past due, partly paid
      payment("2024-03-01", "k", "F2", 20000),
      invoice("2024-02-01", "k", "F7", 8000, "2024-03-02"),     // paid in full: closed
      payment("2024-04-01", "k", "F7", 8000),
      invoice("2024-03-17", "k", "F3", 9999, "2024-03-17"),     // exactly 90 days past due: not over 90
      invoice("2024-04-20", "k", "F4", 4567, "2024-05-20"),     // 26 days past due
      invoice("2024-05-16", "k", "F5", 1001, "2024-06-15"),     // due on the as-of date: not overdue
      invoice("2024-06-10", "k", "F6", 70000, "2024-07-10"),    // not yet due
      invoice("2024-05-01", "other", "F1", 100000, "2024-05-31"),
      // After the as-of date: ignored.
      payment("2024-06-20", "k", "F1", 123456),
      invoice("2024-06-16", "k", "F8", 55500, "2024-06-17"),
  };
  Engine engine;
  engine.post(events);

  const KeyFigures early = engine.score("k", day("2024-02-29")).key;
  EXPECT_EQ(cents(early.outstanding), 30000 + 123456 + 50000 + 8000);
  EXPECT_EQ(cents(early.overdue), 30000 + 123456);
  EXPECT_EQ(cents(early.over_90), 30000);
  EXPECT_EQ(cents(early.revenue_12m), 30000 + 123456 + 50000 + 8000);  // March 2023 to February 2024
  EXPECT_EQ(early.open_invoices, 4u);

  const KeyFigures k = engine.score("k", day("2024-06-15")).key;
  EXPECT_EQ(cents(k.outstanding), 30000 + 123456 + 30000 + 9999 + 4567 + 1001 + 70000);
  EXPECT_EQ(cents(k.overdue), 30000 + 123456 + 30000 + 9999 + 4567);
  EXPECT_EQ(cents(k.over_90), 30000 + 123456 + 30000);
  const std::int64_t revenue = 123456 + 50000 + 8000 + 9999 + 4567 + 1001 + 70000;  // July 2023 to June 2024
  EXPECT_EQ(cents(k.revenue_12m), revenue);
  EXPECT_EQ(k.revenue_share, static_cast<double>(revenue) / static_cast<double>(revenue + 100000));
  EXPECT_EQ(cents(k.credit_balance), 0);
  EXPECT_EQ(cents(k.disputed), 0);
  EXPECT_EQ(k.open_invoices, 7u);
  EXPECT_EQ(k.open_disputes, 0u);
}

TEST(KeyFigures, FeaturesAgreeWithKeyFigures) {
  const std::vector<Event> events = {
      invoice("2024-01-10", "k", "F1", 123456, "2024-02-09"),
      invoice("2024-05-10", "k", "F2", 50000, "2024-06-09"),
  };
  Engine engine;
  engine.post(events);
  const Score s = engine.score("k", day("2024-06-15"));
  EXPECT_EQ(s.features[static_cast<std::size_t>(Feature::open_amount)], static_cast<double>(cents(s.key.outstanding)));
  EXPECT_EQ(s.features[static_cast<std::size_t>(Feature::overdue_amount)], static_cast<double>(cents(s.key.overdue)));
  EXPECT_EQ(s.features[static_cast<std::size_t>(Feature::amount_over_90)], static_cast<double>(cents(s.key.over_90)));
  EXPECT_EQ(s.features[static_cast<std::size_t>(Feature::days_past_due_max)], 127.0);
}

TEST(Payments, WithoutRefGoToTheOldestOpenInvoice) {
  // Posted newest first: the order of issue decides, not the order of posting.
  const std::vector<Event> events = {
      invoice("2024-03-10", "c", "F3", 100000, "2024-04-09"),
      invoice("2024-02-10", "c", "F2", 100000, "2024-03-11"),
      invoice("2024-01-10", "c", "F1", 100000, "2024-02-09"),
      payment("2024-03-15", "c", "", 150000),
  };
  const KeyFigures k = key_of(events, "c", "2024-03-20");
  EXPECT_EQ(cents(k.outstanding), 150000);
  EXPECT_EQ(cents(k.overdue), 50000) << "F1 is paid and half of F2 remains overdue";
  EXPECT_EQ(k.open_invoices, 2u);
  EXPECT_EQ(cents(k.credit_balance), 0);
}

TEST(Payments, WithoutRefSkipInvoicesIssuedAfterThePayment) {
  const std::vector<Event> events = {
      invoice("2024-01-10", "c", "F1", 100000, "2024-02-09"),
      payment("2024-01-20", "c", "", 150000),
      invoice("2024-02-10", "c", "F2", 100000, "2024-03-11"),
  };
  const KeyFigures k = key_of(events, "c", "2024-02-15");
  EXPECT_EQ(cents(k.outstanding), 100000);
  EXPECT_EQ(cents(k.credit_balance), 50000);
  EXPECT_EQ(k.open_invoices, 1u);
}

TEST(Payments, OverpaymentBecomesACreditBalance) {
  const KeyFigures with_ref = key_of({invoice("2024-01-10", "c", "F1", 10000, "2024-02-09"),
                                      payment("2024-01-20", "c", "F1", 15000)},
                                     "c", "2024-02-15");
  EXPECT_EQ(cents(with_ref.outstanding), 0);
  EXPECT_EQ(cents(with_ref.credit_balance), 5000);
  EXPECT_EQ(with_ref.open_invoices, 0u);

  const KeyFigures without_ref = key_of({invoice("2024-01-10", "c", "F1", 10000, "2024-02-09"),
                                         payment("2024-01-20", "c", "", 13000)},
                                        "c", "2024-02-15");
  EXPECT_EQ(cents(without_ref.outstanding), 0);
  EXPECT_EQ(cents(without_ref.credit_balance), 3000);

  const KeyFigures paid_twice = key_of({invoice("2024-01-10", "c", "F1", 10000, "2024-02-09"),
                                        payment("2024-01-20", "c", "F1", 10000),
                                        payment("2024-01-21", "c", "F1", 10000)},
                                       "c", "2024-02-15");
  EXPECT_EQ(cents(paid_twice.outstanding), 0);
  EXPECT_EQ(cents(paid_twice.credit_balance), 10000);
}

TEST(CreditNotes, LargerThanOutstandingLeaveACreditBalance) {
  const KeyFigures k = key_of({invoice("2024-01-10", "c", "F1", 10000, "2024-02-09"),
                               payment("2024-01-20", "c", "F1", 6000), credit_note("2024-01-25", "c", "F1", 7000)},
                              "c", "2024-02-15");
  EXPECT_EQ(cents(k.outstanding), 0);
  EXPECT_EQ(cents(k.credit_balance), 3000);
  EXPECT_EQ(k.open_invoices, 0u);
}

TEST(CreditNotes, SmallerThanOutstandingReduceIt) {
  const KeyFigures k = key_of({invoice("2024-01-10", "c", "F1", 10000, "2024-02-09"),
                               credit_note("2024-01-25", "c", "F1", 2500)},
                              "c", "2024-02-15");
  EXPECT_EQ(cents(k.outstanding), 7500);
  EXPECT_EQ(cents(k.overdue), 7500);
  EXPECT_EQ(cents(k.credit_balance), 0);
}

TEST(Disputes, ResolvingClearsTheDisputedAmount) {
  const std::vector<Event> events = {
      invoice("2024-01-10", "c", "F1", 100000, "2024-02-09"),
      invoice("2024-01-11", "c", "F2", 50000, "2024-02-10"),
      make("2024-01-20", "c", EventKind::dispute_opened, "F1", 40000, nullptr, "quality"),
      make("2024-01-21", "c", EventKind::dispute_opened, "F1", 10000, nullptr, "price"),
      make("2024-01-22", "c", EventKind::dispute_opened, "F2", 5000, nullptr, "price"),
      make("2024-02-01", "c", EventKind::dispute_resolved, "F1", {}, nullptr, "settled"),
  };
  Engine engine;
  engine.post(events);
  const KeyFigures open = engine.score("c", day("2024-01-25")).key;
  EXPECT_EQ(cents(open.disputed), 55000);
  EXPECT_EQ(open.open_disputes, 3u);
  const KeyFigures resolved = engine.score("c", day("2024-02-05")).key;
  EXPECT_EQ(cents(resolved.disputed), 5000) << "F2's dispute is still open";
  EXPECT_EQ(resolved.open_disputes, 1u);
  EXPECT_EQ(cents(resolved.outstanding), 150000) << "resolving a dispute pays nothing";
}

TEST(Disputes, OpenedThenResolvedLeaveNothingDisputed) {
  const KeyFigures k = key_of({invoice("2024-01-10", "c", "F1", 100000, "2024-02-09"),
                               make("2024-01-20", "c", EventKind::dispute_opened, "F1", 40000, nullptr, "quality"),
                               make("2024-01-30", "c", EventKind::dispute_resolved, "F1", {}, nullptr, "rejected")},
                              "c", "2024-02-05");
  EXPECT_EQ(cents(k.disputed), 0);
  EXPECT_EQ(k.open_disputes, 0u);
}

TEST(Ledger, EventsAfterTheHorizonWaitUntilAdvanced) {
  Ledger ledger;
  const std::vector<Event> events = {invoice("2024-01-10", "c", "F1", 100000, "2024-02-09"),
                                     payment("2024-03-01", "c", "F1", 100000)};
  ledger.post(events);
  EXPECT_EQ(ledger.pending_count(), 2u);
  ledger.advance(day("2024-02-01"));
  EXPECT_EQ(ledger.pending_count(), 1u);
  EXPECT_EQ(ledger.state(ledger.client_index("c")).open_amount, 100000);
  ledger.advance(day("2024-03-01"));
  EXPECT_EQ(ledger.pending_count(), 0u);
  EXPECT_EQ(ledger.state(ledger.client_index("c")).open_amount, 0);
}

TEST(Ledger, StrictBatchWithOneBadEventAppliesNothing) {
  Ledger ledger;
  const std::vector<Event> batch = {invoice("2024-01-10", "new", "F1", 100000, "2024-02-09"),
                                    make("2024-01-12", "other", EventKind::contract_signed, "K1", 0),
                                    payment("2024-01-20", "new", "F9", 100000)};  // unknown invoice
  EXPECT_THROW(ledger.post(batch), InvalidInput);
  EXPECT_EQ(ledger.client_count(), 0u);
  EXPECT_EQ(ledger.pending_count(), 0u);
  EXPECT_FALSE(ledger.latest_event_date().has_value());
  // The registry forgot F1 and K1: posting them again is not a duplicate.
  const std::vector<Event> good(batch.begin(), batch.begin() + 2);
  EXPECT_NO_THROW(ledger.post(good));
  EXPECT_EQ(ledger.client_count(), 2u);
}

TEST(Ledger, RejectedBatchLeavesTheRegistryAsItWas) {
  Ledger ledger;
  ledger.post(std::vector<Event>{invoice("2024-01-10", "c", "F1", 100000, "2024-02-09"),
                                 make("2024-01-12", "c", EventKind::contract_signed, "K1", 0)});
  // A duplicate of F1, a dispute on F1, a new invoice with a dispute, a cancellation of K1, and
  // one bad event: the whole batch goes.
  const std::vector<Event> bad = {invoice("2024-01-15", "c", "F1", 5000, "2024-02-14"),
                                  make("2024-01-16", "c", EventKind::dispute_opened, "F1", 100, nullptr, "price"),
                                  invoice("2024-01-17", "c", "F2", 7000, "2024-02-16"),
                                  make("2024-01-18", "c", EventKind::dispute_opened, "F2", 100, nullptr, "price"),
                                  make("2024-01-19", "c", EventKind::contract_cancelled, "K1", {}, nullptr, "early"),
                                  payment("2024-01-20", "c", "F9", 100)};
  EXPECT_THROW(ledger.post(bad), InvalidInput);
  auto post1 = [&](const Event& e) { ledger.post(std::span<const Event>(&e, 1)); };
  // F1 and K1 are still known, with no open dispute and not cancelled; F2 is forgotten.
  EXPECT_THROW(post1(invoice("2024-01-21", "c", "F1", 5000, "2024-02-20")), InvalidInput);
  EXPECT_THROW(post1(make("2024-01-21", "c", EventKind::dispute_resolved, "F1", {}, nullptr, "rejected")),
               InvalidInput);
  EXPECT_NO_THROW(post1(make("2024-01-21", "c", EventKind::contract_cancelled, "K1", {}, nullptr, "early")));
  EXPECT_NO_THROW(post1(invoice("2024-01-21", "c", "F2", 7000, "2024-02-20")));
  EXPECT_NO_THROW(post1(payment("2024-01-22", "c", "F1", 100000)));
}

TEST(Ledger, StrictErrorNamesTheFirstBadEvent) {
  Ledger ledger;
  const std::vector<Event> batch = {invoice("2024-01-10", "c", "F1", 100000, "2024-02-09"),
                                    payment("2024-01-20", "c", "F9", 100000),
                                    make("2024-01-20", "c", EventKind::review, "", {}, nullptr, "9")};
  try {
    ledger.post(batch);
    FAIL() << "accepted";
  } catch (const InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()), "event 1: ref: payment for unknown invoice 'F9'");
  }
}

// A batch posted in canonical order is validated as posted; the same batch reversed goes through
// the permutation. Both must reject the same events with the same words and apply the same rest.
TEST(Ledger, BatchInCanonicalOrderAndReversedRejectTheSameEvents) {
  const std::vector<Event> batch = {invoice("2024-01-10", "a", "F1", 100000, "2024-02-09"),
                                    payment("2024-01-12", "a", "F9", 100),
                                    payment("2024-01-20", "a", "F1", 40000),
                                    invoice("2024-01-10", "b", "F1", 5000, "2024-02-09"),
                                    invoice("2024-01-11", "b", "F1", 6000, "2024-02-10"),
                                    make("2024-01-15", "b", EventKind::contract_cancelled, "K1", {}, nullptr, "early")};
  std::vector<Event> reversed(batch.rbegin(), batch.rend());
  Ledger in_order, in_reverse;
  const std::vector<Rejection> a = in_order.post(batch, true);
  std::vector<Rejection> b = in_reverse.post(reversed, true);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].index, 1u);
  EXPECT_EQ(a[0].message, "payment for unknown invoice 'F9'");
  EXPECT_EQ(a[1].index, 4u);
  EXPECT_EQ(a[1].message, "duplicate invoice id 'F1' for this client");
  EXPECT_EQ(a[2].index, 5u);
  EXPECT_EQ(a[2].message, "contract_cancelled for unknown contract 'K1'");
  ASSERT_EQ(b.size(), a.size());
  for (Rejection& r : b) r.index = batch.size() - 1 - r.index;
  std::sort(b.begin(), b.end(), [](const Rejection& x, const Rejection& y) { return x.index < y.index; });
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(b[i].index, a[i].index);
    EXPECT_EQ(b[i].column, a[i].column);
    EXPECT_EQ(b[i].message, a[i].message);
  }
  in_order.advance(day("2024-02-01"));
  in_reverse.advance(day("2024-02-01"));
  for (const char* c : {"a", "b"})
    EXPECT_EQ(in_order.state(in_order.client_index(c)).open_amount,
              in_reverse.state(in_reverse.client_index(c)).open_amount);
  EXPECT_EQ(in_order.state(in_order.client_index("a")).open_amount, 60000);
  // Strict, the batch in canonical order names its first bad event and applies nothing.
  Ledger strict;
  try {
    strict.post(batch);
    FAIL() << "accepted";
  } catch (const InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()), "event 1: ref: payment for unknown invoice 'F9'");
  }
  EXPECT_EQ(strict.client_count(), 0u);
}

// References to invoices and contracts registered by the same batch skip the registry lookup when
// the client's run is short; they must be judged exactly as references to earlier batches are,
// and as those of a long run (which looks them up).
TEST(Ledger, ReferencesToTheSameBatchAreJudgedAsReferencesToEarlierOnes) {
  const std::vector<Event> registrations = {invoice("2024-01-10", "c", "F1", 100000, "2024-02-09"),
                                            make("2024-01-10", "c", EventKind::contract_signed, "K1", 0)};
  const std::vector<Event> references = {
      payment("2024-01-05", "c", "F1", 100),  // before the invoice
      payment("2024-01-20", "c", "F1", 30000),
      make("2024-01-21", "c", EventKind::credit_note, "F1", 1000),
      make("2024-01-22", "c", EventKind::dispute_resolved, "F1", {}, nullptr, "rejected"),  // none open
      make("2024-01-09", "c", EventKind::contract_cancelled, "K1", {}, nullptr, "early"),  // before signing
      make("2024-01-23", "c", EventKind::contract_cancelled, "K1", {}, nullptr, "early"),
      make("2024-01-24", "c", EventKind::contract_cancelled, "K1", {}, nullptr, "at_term")};  // twice
  auto words = [](const std::vector<Rejection>& rs) {
    std::vector<std::string> out;
    for (const Rejection& r : rs) out.push_back(r.column + ": " + r.message);
    return out;
  };
  const std::vector<std::string> expected = {
      "date: payment dated 2024-01-05 is before invoice 'F1' dated 2024-01-10",
      "ref: dispute_resolved for invoice 'F1' which has no open dispute",
      "date: contract_cancelled dated 2024-01-09 is before contract 'K1' signed 2024-01-10",
      "ref: contract 'K1' is already cancelled"};
  const Date end = day("2024-02-01");

  Ledger apart;  // registrations first, references in a later batch
  apart.post(registrations);
  EXPECT_EQ(words(apart.post(references, true)), expected);
  apart.advance(end);

  std::vector<Event> together = registrations;  // one short run: no lookup
  together.insert(together.end(), references.begin(), references.end());
  Ledger one;
  EXPECT_EQ(words(one.post(together, true)), expected);
  one.advance(end);

  std::vector<Event> long_run = together;  // a run too long for the scan: looked up
  for (int i = 0; i < 20; ++i)
    long_run.push_back(make("2024-01-25", "c", EventKind::complaint, "", {}, nullptr, "2"));
  Ledger many;
  EXPECT_EQ(words(many.post(long_run, true)), expected);
  many.advance(end);

  for (const Ledger* l : {&apart, &one, &many}) {
    const ClientState& c = l->state(l->client_index("c"));
    EXPECT_EQ(c.open_amount, 100000 - 30000 - 1000);
    EXPECT_EQ(c.contracts_cancelled, 1u);
  }
}

// A rejected registration in a client's run is passed over: a reference with its id finds the
// valid registration of the same id later in the run.
TEST(Ledger, ReferenceInTheSameBatchSkipsARejectedRegistration) {
  Ledger ledger;
  ledger.post(std::vector<Event>{invoice("2024-01-05", "c", "F0", 1000, "2024-02-04"),
                                 payment("2024-01-20", "c", "", 500)});  // a payment without ref
  ledger.advance(day("2024-01-21"));
  const std::vector<Event> batch = {invoice("2024-01-15", "c", "F1", 7000, "2024-02-14"),  // would have received it
                                    invoice("2024-01-25", "c", "F1", 9000, "2024-02-24"),
                                    payment("2024-01-26", "c", "F1", 4000)};
  const std::vector<Rejection> rejected = ledger.post(batch, true);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].index, 0u);
  EXPECT_EQ(rejected[0].column, "date");
  ledger.advance(day("2024-02-01"));
  EXPECT_EQ(ledger.state(ledger.client_index("c")).open_amount, 500 + 9000 - 4000);
}

// The words of the rejections no other test pins, each in a strict batch that applies nothing.
TEST(Ledger, RejectionsAfterAFreePaymentAndTooManyDisputesNameTheirRule) {
  Ledger ledger;
  ledger.post(std::vector<Event>{invoice("2024-01-05", "c", "F0", 1000, "2024-02-04"),
                                 invoice("2024-01-06", "c", "F1", 9000, "2024-02-05"),
                                 payment("2024-01-20", "c", "", 500)});
  ledger.advance(day("2024-01-21"));
  const std::int64_t open = ledger.state(ledger.client_index("c")).open_amount;
  auto rejection = [&](const std::vector<Event>& batch) {
    try {
      ledger.post(batch);
    } catch (const InvalidInput& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(rejection({invoice("2024-01-22", "c", "F2", 100, "2024-02-22"), payment("2024-01-19", "c", "", 100)}),
            "event 1: ref: payment without ref dated 2024-01-19 comes after later events of the client were applied "
            "(up to 2024-01-20): name the invoice it pays");
  EXPECT_EQ(rejection({make("2024-01-18", "c", EventKind::credit_note, "F1", 100)}),
            "event 0: date: credit_note dated 2024-01-18 comes after a payment without ref dated 2024-01-20 was "
            "applied, whose allocation it would change: post it before scoring past that date");
  std::vector<Event> disputes(0xffff, make("2024-01-22", "c", EventKind::dispute_opened, "F1", 10, nullptr, "price"));
  disputes.push_back(make("2024-01-23", "c", EventKind::dispute_opened, "F1", 10, nullptr, "price"));
  EXPECT_EQ(rejection(disputes), "event 65535: ref: too many open disputes on invoice 'F1'");
  // Nothing of the three batches was applied or waits.
  EXPECT_EQ(ledger.pending_count(), 0u);
  ledger.advance(day("2024-02-01"));
  EXPECT_EQ(ledger.state(ledger.client_index("c")).open_amount, open);
  EXPECT_EQ(ledger.state(ledger.client_index("c")).disputes_open, 0u);
}

TEST(Ledger, LenientBatchReturnsRejectionsAndAppliesTheRest) {
  Ledger ledger;
  const std::vector<Event> batch = {invoice("2024-01-10", "c", "F1", 100000, "2024-02-09"),
                                    payment("2024-01-20", "c", "F9", 100000),
                                    make("2024-01-20", "c", EventKind::review, "", {}, nullptr, "9"),
                                    payment("2024-01-25", "c", "F1", 40000)};
  const std::vector<Rejection> rejected = ledger.post(batch, true);
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_EQ(rejected[0].index, 1u);
  EXPECT_EQ(rejected[0].column, "ref");
  EXPECT_EQ(rejected[1].index, 2u);
  EXPECT_EQ(rejected[1].column, "detail");
  ledger.advance(day("2024-02-01"));
  EXPECT_EQ(ledger.state(ledger.client_index("c")).open_amount, 60000);
}

// The scan for control characters reads words; a control character at any position of ids of
// every length up to 24 is found, and bytes from 0x20 up (UTF-8 included) are not taken for one.
TEST(Ledger, ControlCharacterFoundAtEveryPositionOfClientAndRef) {
  for (std::size_t n = 1; n <= 24; ++n) {
    for (std::size_t at = 0; at < n; ++at) {
      for (char bad : {'\0', '\x01', '\t', '\x1f'}) {
        std::string id(n, '\xc3');
        id[at] = bad;
        Ledger l;
        std::vector<Event> by_client{invoice("2024-01-01", id, "F1", 100, "2024-01-31")};
        auto rejected = l.post(by_client, true);
        ASSERT_EQ(rejected.size(), 1u) << n << " " << at;
        EXPECT_EQ(rejected[0].column, "client");
        EXPECT_EQ(rejected[0].message, "client contains a control character");
        std::vector<Event> by_ref{invoice("2024-01-01", "C", id, 100, "2024-01-31")};
        rejected = l.post(by_ref, true);
        ASSERT_EQ(rejected.size(), 1u) << n << " " << at;
        EXPECT_EQ(rejected[0].column, "ref");
        EXPECT_EQ(rejected[0].message, "ref contains a control character");
      }
    }
    Ledger l;
    std::vector<Event> fine{invoice("2024-01-01", std::string(n, ' ') + "\x7f\xff", std::string(n, '~'), 100, "2024-01-31")};
    EXPECT_TRUE(l.post(fine, true).empty()) << n;
  }
}

// Client ids are compared a word at a time: ids of every length up to 40 that differ in one byte
// are told apart, and an id posted again finds its client.
TEST(Ledger, ClientIdsDifferingInOneByteAreDifferentClients) {
  Ledger l;
  std::vector<Event> events;
  std::vector<std::string> ids;
  for (std::size_t n = 1; n <= 40; ++n) {
    const std::string base(n, 'a');
    ids.push_back(base);
    for (std::size_t at = 0; at < n; ++at) {
      std::string other = base;
      other[at] = 'b';
      ids.push_back(other);
    }
  }
  for (const auto& id : ids) events.push_back(invoice("2024-01-01", id, "F1", 100, "2024-01-31"));
  for (const auto& id : ids) events.push_back(payment("2024-01-05", id, "F1", 40));
  ASSERT_TRUE(l.post(events).empty());
  l.advance(day("2024-01-31"));
  ASSERT_EQ(l.client_count(), ids.size());
  for (const auto& id : ids) {
    const std::uint32_t c = l.client_index(id);
    ASSERT_NE(c, Ledger::npos) << id;
    EXPECT_EQ(l.client_id(c), id);
    EXPECT_EQ(l.state(c).open_amount, 60) << id;
  }
  EXPECT_EQ(l.client_index(std::string(41, 'a')), Ledger::npos);
}

// The growth table holds std::exp2(d / half_life) bit for bit, outside it growth is computed,
// and a half-life's table is shared.
TEST(GrowthTable, HoldsExp2BitForBitAndIsSharedPerHalfLife) {
  for (double h : {1.0, 30.0, 180.0, 365.25}) {
    const detail::GrowthTable t(h);
    for (std::int32_t d = -100; d < detail::GrowthTable::kDays + 100; ++d) {
      const double want = std::exp2(d / h), got = t(d);
      ASSERT_EQ(std::memcmp(&want, &got, sizeof want), 0) << h << " " << d;
    }
  }
  const detail::GrowthTable* a = detail::GrowthTable::shared(181.5);
  ASSERT_TRUE(a);
  EXPECT_EQ(a, detail::GrowthTable::shared(181.5));
  EXPECT_NE(a, detail::GrowthTable::shared(182.5));
  for (std::int32_t d = 0; d < detail::GrowthTable::kDays; d += 97) EXPECT_EQ((*a)(d), std::exp2(d / 181.5)) << d;
}

// Past 16 half-lives the process shares no more tables: a ledger whose half-life has none
// computes its growth. Exits with 0 when both hold.
int growth_without_a_table() {
  int tables = 0;
  for (int k = 0; k < 40; ++k) tables += detail::GrowthTable::shared(1000.0 + k) != nullptr;
  const bool capped = tables <= 16 && !detail::GrowthTable::shared(2001);
  Ledger l(DecayConfig{2001, 2001, 2001});
  std::vector<Event> events{make("2024-01-01", "C", EventKind::complaint, {}, {}, nullptr, "3"),
                            make("2024-01-11", "C", EventKind::complaint, {}, {}, nullptr, "2")};
  l.post(events);
  l.advance(day("2024-01-31"));
  const double want = 3 * std::exp2(0 / 2001.0) + 2 * std::exp2(10 / 2001.0);
  return capped && l.state(0).complaints == want ? 0 : 1;
}

// In a child process, so that the cache of this one stays as it is.
TEST(GrowthTableDeathTest, LedgersOfHalfLivesWithoutATableComputeGrowth) {
  EXPECT_EXIT(std::exit(growth_without_a_table()), ::testing::ExitedWithCode(0), "");
}

// parse_detail() of a kind code past the last kind refuses it, naming the kind.
TEST(Event, ParseDetailRefusesAnUnknownKind) {
  for (const char* text : {"", "x", "3"}) {
    FieldError err;
    EXPECT_FALSE(parse_detail(static_cast<EventKind>(200), text, &err)) << text;
    EXPECT_EQ(err.column, "kind");
    EXPECT_EQ(err.message, "unknown kind code 200");
  }
  EXPECT_EQ(parse_detail(EventKind::review, "4", nullptr), std::optional<std::uint8_t>(4));
}
