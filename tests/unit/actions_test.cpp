#include "clientrisk/actions.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "clientrisk/generate.hpp"
#include "test_events.hpp"

using namespace clientrisk;
using namespace clientrisk::test;

namespace {

// A big prompt client beside the one under test, so that the tested client's revenue share
// stays below the dependence threshold.
std::vector<Event> with_big_client(std::vector<Event> events) {
  return events + prompt_payer("BIG", 24, 10'000'000, day("2024-12-31"));
}

Review review_at(const std::vector<Event>& events, Date as_of, const ReviewOptions& o = {}, Model m = Model{}) {
  Engine e(m);
  e.post(events);
  return clientrisk::review(e, as_of, o);
}

std::set<ActionCode> codes(const Review& r, const std::string& client) {
  std::set<ActionCode> out;
  for (const Action& a : r.actions)
    if (a.client == client) {
      EXPECT_TRUE(out.insert(a.code).second) << "two " << to_string(a.code) << " for " << client;
    }
  return out;
}

const Action* find(const Review& r, const std::string& client, ActionCode code) {
  for (const Action& a : r.actions)
    if (a.client == client && a.code == code) return &a;
  return nullptr;
}

// X paid an invoice 40 days late in 2024 (PAYDEX below 80), then owes 1 000.00 due 2024-06-30.
std::vector<Event> late_payer() {
  return with_big_client({invoice(day("2024-01-01"), "X", "A1", 50000, day("2024-01-31")),
                          payment(day("2024-03-11"), "X", "A1", 50000),
                          invoice(day("2024-06-01"), "X", "A2", 100000, day("2024-06-30"))});
}

// The reminder ladder's codes of a client (X's small revenue also puts it over its recommended
// credit limit, which is tested on its own below).
std::set<ActionCode> reminders(const Review& r, const std::string& client) {
  std::set<ActionCode> out = codes(r, client);
  std::erase_if(out, [](ActionCode c) { return c > ActionCode::formal_notice; });
  return out;
}

TEST(Actions, TheReminderLadderFiresAtEachThresholdAndOnlyItsHighestStep) {
  const std::vector<Event> ev = late_payer();
  const Date due = day("2024-06-30");
  using enum ActionCode;
  // Preventive: due within 7 days, not before.
  EXPECT_EQ(reminders(review_at(ev, due - 8), "X"), std::set<ActionCode>{});
  const Review pre = review_at(ev, due - 7);
  EXPECT_EQ(reminders(pre, "X"), std::set<ActionCode>{preventive_reminder});
  EXPECT_EQ(find(pre, "X", preventive_reminder)->deadline, due);
  EXPECT_EQ(find(pre, "X", preventive_reminder)->amount, Money::from_cents(100000));
  EXPECT_EQ(find(pre, "X", preventive_reminder)->priority, 4);
  EXPECT_EQ(reminders(review_at(ev, due), "X"), std::set<ActionCode>{preventive_reminder});  // due today: not overdue
  // Payment reminder from 1 to 30 days overdue, then a formal notice.
  const Review first = review_at(ev, due + 1);
  EXPECT_EQ(reminders(first, "X"), std::set<ActionCode>{payment_reminder});
  EXPECT_EQ(find(first, "X", payment_reminder)->deadline, due + 1 + 7);
  EXPECT_EQ(reminders(review_at(ev, due + 30), "X"), std::set<ActionCode>{payment_reminder});
  const Review notice_day = review_at(ev, due + 31);
  EXPECT_EQ(reminders(notice_day, "X"), std::set<ActionCode>{formal_notice});
  EXPECT_EQ(find(notice_day, "X", formal_notice)->reason,
            "1 invoice overdue, 1000.00 in total, the oldest 31 days past due (more than 30 days)");
  // A prompt payer gets no preventive reminder.
  const std::vector<Event> prompt = with_big_client({invoice(day("2024-06-01"), "P", "B1", 100000, due)});
  EXPECT_EQ(reminders(review_at(prompt, due - 3), "P"), std::set<ActionCode>{});
  // The thresholds are the policy's.
  Model m;
  m.formal_notice_days = 10;
  m.preventive_reminder_days = 2;
  EXPECT_EQ(reminders(review_at(ev, due + 11, {}, m), "X"), std::set<ActionCode>{formal_notice});
  EXPECT_EQ(reminders(review_at(ev, due + 10, {}, m), "X"), std::set<ActionCode>{payment_reminder});
  EXPECT_EQ(reminders(review_at(ev, due - 3, {}, m), "X"), std::set<ActionCode>{});
}

TEST(Actions, ProvisionPastNinetyDaysOrInLitigation) {
  const std::vector<Event> ev = late_payer();
  const Date due = day("2024-06-30");
  EXPECT_EQ(find(review_at(ev, due + 90), "X", ActionCode::provision), nullptr);
  const Review r = review_at(ev, due + 91);
  const Action* p = find(r, "X", ActionCode::provision);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->amount, Money::from_cents(100000));
  EXPECT_EQ(p->deadline, day("2024-09-30"));  // the end of the month
  EXPECT_EQ(p->reason, "1000.00 overdue more than 90 days (1 invoice)");
  // A lawsuit: every open receivable, overdue or not.
  const std::vector<Event> sued = ev + std::vector<Event>{notice(day("2024-06-10"), "X", "lawsuit")};
  const Review rs = review_at(sued, due - 10);
  const Action* l = find(rs, "X", ActionCode::provision);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->amount, Money::from_cents(100000));
  EXPECT_EQ(l->reason, "client in litigation: 1000.00 receivable");
}

TEST(Actions, DeclareToTheInsurerOnALawyersLetterALargeClaimOrADisputedOverdueInvoice) {
  const Date due = day("2024-06-30");
  const std::vector<Event> base = late_payer();
  using enum ActionCode;
  EXPECT_EQ(find(review_at(base, due - 10), "X", declare_to_insurer), nullptr);
  const std::vector<Event> letter = base + std::vector<Event>{notice(day("2024-06-05"), "X", "lawyer_letter")};
  const Review rl = review_at(letter, due - 10);
  const Action* a = find(rl, "X", declare_to_insurer);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->amount, Money::from_cents(100000));
  EXPECT_EQ(a->deadline, due - 10 + 15);
  EXPECT_EQ(a->priority, 1);
  EXPECT_EQ(a->reason, "a lawyer's letter; 1000.00 receivable");
  // A disputed amount at the threshold (10 000.00) fires, a cent below does not.
  const std::vector<Event> big = with_big_client({invoice(day("2024-06-01"), "Y", "C1", 2'000'000, due)});
  EXPECT_EQ(find(review_at(big + std::vector<Event>{dispute(day("2024-06-02"), "Y", "C1", 999'999)}, due - 10), "Y",
                 declare_to_insurer),
            nullptr);
  const Review claim = review_at(big + std::vector<Event>{dispute(day("2024-06-02"), "Y", "C1", 1'000'000)}, due - 10);
  ASSERT_NE(find(claim, "Y", declare_to_insurer), nullptr);
  EXPECT_EQ(find(claim, "Y", declare_to_insurer)->reason,
            "a disputed amount of 10000.00 (threshold 10000.00); 20000.00 receivable");
  // A small dispute on an invoice that is not yet due does not; once overdue it does.
  const std::vector<Event> small = base + std::vector<Event>{dispute(day("2024-06-02"), "X", "A2", 100)};
  EXPECT_EQ(find(review_at(small, due), "X", declare_to_insurer), nullptr);
  const Review rd = review_at(small, due + 1);
  const Action* d = find(rd, "X", declare_to_insurer);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->reason, "1 overdue invoice also disputed; 1000.00 receivable");
  // A lawyer's letter counts within the model's legal window (730 days), not a day longer.
  const std::vector<Event> old_letter = base + std::vector<Event>{notice(due - 10 - 730, "X", "lawyer_letter")};
  EXPECT_EQ(find(review_at(old_letter, due - 10), "X", declare_to_insurer), nullptr);
  const std::vector<Event> in_window = base + std::vector<Event>{notice(due - 10 - 729, "X", "lawyer_letter")};
  EXPECT_NE(find(review_at(in_window, due - 10), "X", declare_to_insurer), nullptr);
  // Nothing owed: nothing to declare.
  const std::vector<Event> paid = letter + std::vector<Event>{payment(day("2024-06-06"), "X", "A2", 100000)};
  EXPECT_EQ(find(review_at(paid, due - 10), "X", declare_to_insurer), nullptr);
}

TEST(Actions, DocumentADisputeOpenLongerThanThePolicy) {
  const Date opened = day("2024-06-02");
  const std::vector<Event> ev = late_payer() + std::vector<Event>{dispute(opened, "X", "A2", 30000)};
  EXPECT_EQ(find(review_at(ev, opened + 30), "X", ActionCode::document_dispute), nullptr);
  const Review r = review_at(ev, opened + 31);
  const Action* a = find(r, "X", ActionCode::document_dispute);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->amount, Money::from_cents(30000));
  EXPECT_EQ(a->reason, "1 invoice disputed for more than 30 days, 300.00 disputed, since 2024-06-02");
  // A second dispute on the same invoice keeps the date of the first; resolving ends both.
  const std::vector<Event> again = ev + std::vector<Event>{dispute(opened + 20, "X", "A2", 10000)};
  EXPECT_NE(find(review_at(again, opened + 31), "X", ActionCode::document_dispute), nullptr);
  const std::vector<Event> resolved = again + std::vector<Event>{resolve(opened + 25, "X", "A2", "credit_note")};
  EXPECT_EQ(find(review_at(resolved, opened + 31), "X", ActionCode::document_dispute), nullptr);
}

TEST(Actions, CreditLimitsFromRevenueAndBandAndCreditHold) {
  // P invoices 1 000.00 a month for 2023 and pays on time: 12 000.00 over 12 months, band low,
  // three months of 1 000.00.
  const std::vector<Event> ev = with_big_client(prompt_payer("P", 12, 100000, day("2023-12-30")));
  const Review r = review_at(ev, day("2023-12-31"));
  const auto it = std::find_if(r.credit.begin(), r.credit.end(), [](const CreditLine& c) { return c.client == "P"; });
  ASSERT_NE(it, r.credit.end());
  EXPECT_EQ(it->band, Band::low);
  EXPECT_EQ(it->revenue_12m, Money::from_cents(1'200'000));
  EXPECT_EQ(it->recommended, Money::from_cents(300000));
  EXPECT_EQ(it->receivables, Money::from_cents(100000));  // December's invoice, due in January
  EXPECT_EQ(it->exposure, Money::from_cents(100000));
  EXPECT_DOUBLE_EQ(it->utilisation, 1.0 / 3);
  EXPECT_FALSE(it->over_limit);
  EXPECT_EQ(codes(r, "P"), std::set<ActionCode>{});
  // Open orders add to the exposure: at the limit holds nothing, a cent above puts a hold.
  ReviewOptions o;
  o.open_orders["P"] = Money::from_cents(200000);
  EXPECT_EQ(codes(review_at(ev, day("2023-12-31"), o), "P"), std::set<ActionCode>{});
  o.open_orders["P"] = Money::from_cents(200001);
  const Review held = review_at(ev, day("2023-12-31"), o);
  ASSERT_NE(find(held, "P", ActionCode::credit_hold), nullptr);
  EXPECT_EQ(find(held, "P", ActionCode::credit_hold)->amount, Money::from_cents(300001));
  EXPECT_EQ(find(held, "P", ActionCode::credit_hold)->reason, "exposure of 3000.01 above the credit limit of 3000.00");
  // A caller's limit replaces the recommended one.
  ReviewOptions given;
  given.credit_limits["P"] = Money::from_cents(50000);
  const Review g = review_at(ev, day("2023-12-31"), given);
  ASSERT_NE(find(g, "P", ActionCode::credit_hold), nullptr);
  // Orders or limits of a client the engine does not know, or below zero, are refused.
  ReviewOptions unknown;
  unknown.open_orders["NOBODY"] = Money::from_cents(1);
  EXPECT_THROW(review_at(ev, day("2023-12-31"), unknown), InvalidInput);
  ReviewOptions negative;
  negative.credit_limits["P"] = Money::from_cents(-1);
  EXPECT_THROW(review_at(ev, day("2023-12-31"), negative), InvalidInput);
}

TEST(Actions, ACriticalClientIsHeldAndADominantOneReviewed) {
  // Z: a lawsuit, a write-off and a long overdue invoice put it in the critical band.
  const std::vector<Event> ev = with_big_client(
      {invoice(day("2024-01-01"), "Z", "Z1", 500000, day("2024-01-31")), write_off(day("2024-05-01"), "Z", "Z1", 100000),
       invoice(day("2024-02-01"), "Z", "Z2", 900000, day("2024-03-02")), notice(day("2024-06-01"), "Z", "lawsuit"),
       notice(day("2024-06-01"), "Z", "lawyer_letter"), complaint(day("2024-05-01"), "Z", 5)});
  Model m;
  m.band_critical = 60;
  const Review r = review_at(ev, day("2024-07-01"), {}, m);
  const auto row = std::find_if(r.credit.begin(), r.credit.end(), [](const CreditLine& c) { return c.client == "Z"; });
  ASSERT_EQ(row->band, Band::critical);
  using enum ActionCode;
  EXPECT_EQ(codes(r, "Z"), (std::set<ActionCode>{formal_notice, declare_to_insurer, provision, credit_hold}));
  EXPECT_EQ(find(r, "Z", credit_hold)->reason, "band critical and exposure of 13000.00 above the credit limit of 0.00");
  // BIG makes nearly all the revenue: review the dependence (more than 20 %).
  const Action* dep = find(r, "BIG", review_dependence);
  ASSERT_NE(dep, nullptr);
  EXPECT_EQ(dep->priority, 4);
  // The most urgent first.
  for (std::size_t i = 1; i < r.actions.size(); ++i) EXPECT_LE(r.actions[i - 1].priority, r.actions[i].priority);
}

TEST(Actions, DependenceFiresAboveTheShareNotAtIt) {
  // A has exactly 20 % of the 12-month revenue, B 80 %.
  const std::vector<Event> ev = {invoice(day("2024-01-10"), "A", "A1", 20000, day("2024-02-09")),
                                 invoice(day("2024-01-10"), "B", "B1", 80000, day("2024-02-09"))};
  const Review r = review_at(ev, day("2024-01-31"));
  EXPECT_EQ(find(r, "A", ActionCode::review_dependence), nullptr);
  ASSERT_NE(find(r, "B", ActionCode::review_dependence), nullptr);
  EXPECT_EQ(find(r, "B", ActionCode::review_dependence)->reason, "80.0% of the revenue over 12 months (more than 20.0%)");
}

TEST(Actions, OneActionPerClientAndCodeOnAGeneratedLedger) {
  GenerateOptions g;
  g.clients = 3000;
  g.months = 24;
  Engine e;
  e.post(generate_events(g));
  const Review r = clientrisk::review(e);
  std::set<std::pair<std::string, ActionCode>> seen;
  std::map<std::string, int> ladder;
  std::array<std::size_t, action_code_count> count{};
  for (const Action& a : r.actions) {
    EXPECT_TRUE(seen.insert({a.client, a.code}).second) << a.client << " " << to_string(a.code);
    if (a.code <= ActionCode::formal_notice) ++ladder[a.client];
    ++count[static_cast<std::size_t>(a.code)];
    EXPECT_FALSE(a.reason.empty());
    EXPECT_GE(a.amount.cents(), 0);
    EXPECT_GE(a.deadline, r.as_of - 400);
  }
  for (const auto& [client, n] : ladder) EXPECT_EQ(n, 1) << client;
  // The ledger is varied enough that most rules fire somewhere.
  for (ActionCode c : {ActionCode::payment_reminder, ActionCode::formal_notice, ActionCode::provision,
                       ActionCode::declare_to_insurer, ActionCode::document_dispute})
    EXPECT_GT(count[static_cast<std::size_t>(c)], 0u) << to_string(c);
  // The worklist: overdue clients only, by value, each value the product of its parts.
  ASSERT_FALSE(r.worklist.empty());
  for (std::size_t i = 0; i < r.worklist.size(); ++i) {
    const WorkItem& w = r.worklist[i];
    EXPECT_GT(w.at_stake.cents(), 0);
    EXPECT_GT(w.days_past_due, 0);
    EXPECT_DOUBLE_EQ(w.urgency, w.days_past_due / (w.days_past_due + 30.0));
    EXPECT_DOUBLE_EQ(w.likelihood, w.score / 100);
    EXPECT_DOUBLE_EQ(w.value, w.at_stake.to_double() * w.likelihood * w.urgency);
    EXPECT_TRUE(w.action.has_value());
    if (i > 0) {
      EXPECT_GE(r.worklist[i - 1].value, w.value);
    }
  }
  EXPECT_EQ(r.credit.size(), r.scores.size());
}

TEST(Actions, BandChangesComeOutAsAlerts) {
  const std::vector<Event> ev = late_payer();
  Engine e;
  e.post(ev);
  const ScoreTable before = e.score_all(day("2024-06-30"));
  const ScoreTable after = e.score_all(day("2024-10-31"));
  const std::vector<Alert> alerts = band_alerts(e, before, after);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].client, "X");
  EXPECT_EQ(alerts[0].from, Band::low);
  EXPECT_GT(alerts[0].to, Band::low);
  EXPECT_EQ(alerts[0].text.rfind("band low → ", 0), 0u) << alerts[0].text;
  EXPECT_THROW(band_alerts(e, after, before), InvalidInput);
  Engine other;
  other.post(ev);
  EXPECT_THROW(band_alerts(other, before, after), InvalidInput);
}

TEST(Actions, TextsInFrenchWithTheSameCodes) {
  Engine e;
  e.set_language(Language::fr);
  e.post(late_payer());
  const Date due = day("2024-06-30");
  const Review r = clientrisk::review(e, due + 31);
  const Action* a = find(r, "X", ActionCode::formal_notice);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->reason, "1 facture échue, 1000,00 au total, la plus ancienne en retard de 31 jours (plus de 30 jours)");
  const Score s = e.score("X", due + 31);
  ASSERT_FALSE(s.reasons.empty());
  EXPECT_EQ(s.reasons[0].code, "NP-OVERDUE-SHARE");
  EXPECT_EQ(s.reasons[0].text, "100 % des créances ouvertes sont échues");
  EXPECT_EQ(detail::reason_text(0, 1, s.features.data(), e.model(), Language::fr),
            "1000,00 échus, le plus ancien en retard de 31 jours");
  EXPECT_EQ(detail::reason_text(0, 1, s.features.data(), e.model(), Language::en),
            "1000.00 overdue, the oldest 31 days past due");
}

}  // namespace
