// Bad input through the C++ API that once crashed, overflowed or silently misled: each gets a
// clear InvalidInput now, and nothing is applied.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "clientrisk/engine.hpp"
#include "test_events.hpp"

using namespace clientrisk;
using namespace clientrisk::test;

namespace {

// Posts e into an engine holding one client and expects InvalidInput mentioning `column: `.
void expect_refused(const Event& e, const std::string& column) {
  Engine engine;
  engine.post(make(day("2024-01-01"), "keep", EventKind::complaint, {}, {}, {}, "2"));
  try {
    engine.post(e);
    FAIL() << "accepted";
  } catch (const InvalidInput& error) {
    EXPECT_NE(std::string(error.what()).find(column + ": "), std::string::npos) << error.what();
  }
  EXPECT_EQ(engine.client_count(), 1u);
}

}  // namespace

TEST(Robustness, DatesOutsideTheCalendarAreRefused) {
  expect_refused(make(Date::from_days(2147483000), "a", EventKind::complaint, {}, {}, {}, "2"), "date");
  expect_refused(invoice(day("2024-01-01"), "a", "F1", 100, Date::from_days(2147483000)), "due");
  Engine engine;
  engine.post(make(day("0001-01-01"), "a", EventKind::complaint, {}, {}, {}, "2"));
  EXPECT_THROW(engine.score("a", Date::from_days(2147483000)), InvalidInput);
  EXPECT_NO_THROW(engine.score("a", day("9999-12-31")));
}

TEST(Robustness, UnknownKindCodeIsRefused) {
  Event e = make(day("2024-01-01"), "a", EventKind::complaint, {}, {}, {}, "2");
  e.kind = static_cast<EventKind>(12);
  expect_refused(e, "kind");
}

TEST(Robustness, ControlCharactersInIdsAreRefused) {
  expect_refused(make(day("2024-01-01"), std::string("A\0B", 3), EventKind::review, {}, {}, {}, "4"), "client");
  expect_refused(payment(day("2024-01-01"), "a", "F\n1", 100), "ref");
}

TEST(Robustness, ExplainRefusesAnInvalidFeatureRow) {
  FeatureRow f{};
  f[at(Feature::paydex)] = 80;
  f[at(Feature::cancellations_early)] = -0.05;
  std::array<double, factor_count> contribution{};
  contribution[at(Factor::cancellation)] = 5;
  EXPECT_THROW(explain(f, Model{}, contribution), InvalidInput);
}

TEST(Robustness, ExplainRefusesATableOfAnotherEngineOrAnOlderState) {
  Engine big, small;
  for (int c = 0; c < 50; ++c) big.post(invoice(day("2024-01-01"), "c" + std::to_string(c), "F", 100, day("2024-02-01")));
  small.post(invoice(day("2024-01-01"), "x", "F", 100, day("2024-02-01")));
  const ScoreTable t = big.score_all(day("2024-03-01"));
  (void)small.score_all(day("2024-03-01"));
  EXPECT_THROW(small.explain(t, 40), InvalidInput);
  EXPECT_NO_THROW(big.explain(t, 40));
  big.post(payment(day("2024-02-15"), "c40", "F", 100));  // back-dated: applied at once
  EXPECT_THROW(big.explain(t, 40), InvalidInput);
}

TEST(Robustness, BackDatedSettlementBeforeAFreePaymentIsRefused) {
  Engine engine;
  engine.post(std::vector<Event>{invoice(day("2024-01-01"), "a", "IA", 10000, day("2024-01-31")),
                                 invoice(day("2024-01-02"), "a", "IB", 10000, day("2024-02-01")),
                                 payment(day("2024-01-20"), "a", "", 10000)});
  (void)engine.score_all(day("2024-01-25"));
  // Paying IA on the 10th would have sent the free payment of the 20th to IB.
  EXPECT_THROW(engine.post(payment(day("2024-01-10"), "a", "IA", 10000)), InvalidInput);
  EXPECT_NO_THROW(engine.post(payment(day("2024-01-22"), "a", "IB", 10000)));
  EXPECT_EQ(engine.score("a", day("2024-01-25")).key.outstanding.cents(), 0);
}

TEST(Robustness, RejectedBatchForgetsOnlyItsOwnNewClients) {
  Engine engine;
  std::vector<Event> events;
  for (int c = 0; c < 2000; ++c) events.push_back(invoice(day("2024-01-01"), "c" + std::to_string(c), "F", 100, day("2024-02-01")));
  engine.post(events);
  std::vector<Event> bad;
  for (int c = 0; c < 300; ++c) bad.push_back(invoice(day("2024-01-02"), "new" + std::to_string(c), "F", 100, day("2024-02-01")));
  bad.push_back(payment(day("2024-01-03"), "new7", "nope", 100));
  EXPECT_THROW(engine.post(bad), InvalidInput);
  EXPECT_EQ(engine.client_count(), 2000u);
  EXPECT_EQ(engine.score_all(day("2024-03-01")).size(), 2000u);
  for (int c = 0; c < 2000; c += 97) EXPECT_NO_THROW(engine.score("c" + std::to_string(c)));
  EXPECT_THROW(engine.score("new7"), InvalidInput);
  engine.post(bad.front());  // the same new client posts fine afterwards
  EXPECT_EQ(engine.client_count(), 2001u);
}

TEST(Robustness, OneClientWithManyInvoicesPostsAndScores) {
  // Once quadratic: every ref of a client shared one page of the registry.
  Engine engine;
  std::vector<Event> events;
  for (int i = 0; i < 60000; ++i) {
    const Date d = day("2020-01-01") + i % 1000;
    events.push_back(invoice(d, "big", "F" + std::to_string(i), 1000, d + 30));
    if (i % 2) events.push_back(payment(d + 20, "big", "F" + std::to_string(i), 1000));
  }
  engine.post(events);
  EXPECT_EQ(engine.score("big").key.open_invoices, 30000u);
}

TEST(Robustness, NewClientsBeyondMaxClientsAreRejectedByName) {
  Engine engine;
  engine.set_max_clients(2);
  const std::vector<Event> three = {invoice(day("2024-01-01"), "a", "F1", 100, day("2024-02-01")),
                                    invoice(day("2024-01-01"), "b", "F2", 100, day("2024-02-01")),
                                    invoice(day("2024-01-01"), "c", "F3", 100, day("2024-02-01"))};
  try {
    engine.post(three);
    ADD_FAILURE() << "a third client was accepted";
  } catch (const InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()), "event 2: client: a new client beyond max_clients (2)");
  }
  EXPECT_EQ(engine.client_count(), 0u);  // strict: nothing of the batch
  const auto rejected = engine.post_lenient(three);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].index, 2u);
  EXPECT_EQ(engine.client_count(), 2u);
  engine.post(invoice(day("2024-01-05"), "a", "F4", 50, day("2024-02-05")));  // known clients go on
  EXPECT_THROW(engine.post(invoice(day("2024-01-05"), "d", "F5", 50, day("2024-02-05"))), InvalidInput);
  Engine copy = engine;
  EXPECT_EQ(copy.max_clients(), 2u);
}

TEST(Robustness, EventsOfAClientBeyondMaxEventsPerClientAreRejectedByName) {
  Engine engine;
  engine.set_max_events_per_client(3);
  // Posted latest first: the limit keeps a client's first events in canonical (date) order.
  const std::vector<Event> batch = {payment(day("2024-01-20"), "a", "F1", 40),
                                    invoice(day("2024-01-01"), "b", "F9", 100, day("2024-02-01")),
                                    payment(day("2024-01-10"), "a", "F1", 30),
                                    make(day("2024-01-05"), "a", EventKind::complaint, {}, {}, {}, "2"),
                                    invoice(day("2024-01-01"), "a", "F1", 100, day("2024-02-01"))};
  try {
    engine.post(batch);
    ADD_FAILURE() << "a fourth event of a was accepted";
  } catch (const InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()), "event 0: client: more events for this client than max_events_per_client (3)");
  }
  EXPECT_EQ(engine.client_count(), 0u);  // strict: nothing of the batch
  const auto rejected = engine.post_lenient(batch);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].index, 0u);  // the latest payment of a
  EXPECT_EQ(rejected[0].column, "client");
  EXPECT_EQ(engine.score("a", day("2024-01-31")).key.outstanding.cents(), 70);
  // The count goes on across batches and through copies; other clients keep their room.
  EXPECT_THROW(engine.post(make(day("2024-02-01"), "a", EventKind::complaint, {}, {}, {}, "1")), InvalidInput);
  engine.post(make(day("2024-02-01"), "b", EventKind::complaint, {}, {}, {}, "1"));
  Engine copy = engine;
  EXPECT_EQ(copy.max_events_per_client(), 3u);
  EXPECT_THROW(copy.post(make(day("2024-02-02"), "a", EventKind::complaint, {}, {}, {}, "1")), InvalidInput);
  // Raising the limit makes room again.
  copy.set_max_events_per_client(4);
  copy.post(make(day("2024-02-02"), "a", EventKind::complaint, {}, {}, {}, "1"));
  EXPECT_EQ(copy.ledger().event_count(copy.ledger().client_index("a")), 4u);
  EXPECT_EQ(copy.ledger().event_count(copy.ledger().client_index("b")), 2u);
}
