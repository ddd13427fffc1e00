#include "clientrisk/provisions.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "clientrisk/generate.hpp"
#include "test_events.hpp"

using namespace clientrisk;
using namespace clientrisk::test;

namespace {

const Date kAsOf = day("2024-06-30");

// A: 1 200.00 not yet due, 600.00 45 days past due, 2 400.00 100 days past due of which 1 200.00
// disputed. B: 3 600.00 10 days past due and a lawsuit. Amounts include VAT at 20 %.
std::vector<Event> small_ledger() {
  return {invoice(day("2024-06-01"), "A", "A1", 120000, kAsOf + 5),
          invoice(kAsOf - 75, "A", "A2", 60000, kAsOf - 45),
          invoice(kAsOf - 130, "A", "A3", 240000, kAsOf - 100),
          dispute(kAsOf - 90, "A", "A3", 120000),
          invoice(kAsOf - 40, "B", "B1", 360000, kAsOf - 10),
          notice(kAsOf - 15, "B", "lawsuit")};
}

TEST(Provisions, TotalsOfASmallLedgerCheckedByHand) {
  Engine e;
  e.post(small_ledger());
  const ScoreTable t = e.score_all(kAsOf);
  ProvisionOptions o;
  o.vat_rate = 0.20;
  const ProvisionReport r = provisions(e, t, o);
  EXPECT_EQ(r.buckets, (std::vector<std::string>{"current", "1-30", "31-60", "61-90", "91-180", "181-365", "> 365"}));
  ASSERT_EQ(r.clients.size(), 2u);
  const ProvisionRow& a = r.clients[0];
  EXPECT_EQ(a.client, "A");
  EXPECT_FALSE(a.litigation);
  EXPECT_EQ(a.balance[0], Money::from_cents(120000));
  EXPECT_EQ(a.balance[2], Money::from_cents(60000));
  EXPECT_EQ(a.balance[4], Money::from_cents(240000));
  // Excluding VAT: 1 000.00 x 0.5 %, 500.00 x 5 %, the undisputed 1 000.00 of A3 x 25 %.
  EXPECT_EQ(a.expected[0], Money::from_cents(500));
  EXPECT_EQ(a.expected[2], Money::from_cents(2500));
  EXPECT_EQ(a.expected[4], Money::from_cents(25000));
  EXPECT_EQ(a.disputed, Money::from_cents(120000));
  EXPECT_EQ(a.specific, Money::from_cents(50000));  // 1 000.00 disputed excluding VAT x 50 %
  EXPECT_EQ(a.total, Money::from_cents(78000));
  const ProvisionRow& b = r.clients[1];
  EXPECT_TRUE(b.litigation);
  EXPECT_EQ(b.balance[1], Money::from_cents(360000));
  EXPECT_EQ(b.expected[1], Money{});
  EXPECT_EQ(b.specific, Money::from_cents(300000));  // a lawsuit: 100 % of 3 000.00
  EXPECT_EQ(r.specific, Money::from_cents(350000));
  EXPECT_EQ(r.total, Money::from_cents(378000));
  EXPECT_EQ(r.balance[4], Money::from_cents(240000));
  EXPECT_EQ(r.expected[4], Money::from_cents(25000));
  // Without VAT the same provisions on the gross amounts.
  const ProvisionReport gross = provisions(e, t);
  EXPECT_EQ(gross.clients[0].expected[4], Money::from_cents(30000));
  EXPECT_EQ(gross.total, Money::from_cents(600 + 3000 + 30000 + 60000 + 360000));
}

TEST(Provisions, ABucketBoundIsTheLastDayOfItsBucket) {
  const std::vector<std::int32_t> bounds = {0, 30, 60, 90, 180, 365};
  EXPECT_EQ(bucket_of(-5, bounds), 0u);
  EXPECT_EQ(bucket_of(0, bounds), 0u);
  EXPECT_EQ(bucket_of(1, bounds), 1u);
  EXPECT_EQ(bucket_of(30, bounds), 1u);
  EXPECT_EQ(bucket_of(31, bounds), 2u);
  EXPECT_EQ(bucket_of(365, bounds), 5u);
  EXPECT_EQ(bucket_of(366, bounds), 6u);
}

TEST(Provisions, BadOptionsNameTheField) {
  Engine e;
  e.post(small_ledger());
  const ScoreTable t = e.score_all(kAsOf);
  auto message = [&](ProvisionOptions o) {
    try {
      provisions(e, t, o);
    } catch (const InvalidInput& err) {
      return std::string(err.what());
    }
    return std::string("accepted");
  };
  ProvisionOptions o;
  o.loss_rates.pop_back();
  EXPECT_NE(message(o).find("7 buckets but 6 loss rates"), std::string::npos);
  o = {};
  o.bounds = {0, 30, 30};
  o.loss_rates = {0, 0, 0, 0};
  EXPECT_NE(message(o).find("bounds must rise"), std::string::npos);
  o = {};
  o.loss_rates[3] = 1.5;
  EXPECT_NE(message(o).find("loss rate 3 must be in [0, 1]"), std::string::npos);
  o = {};
  o.vat_rate = -0.2;
  EXPECT_NE(message(o).find("vat_rate"), std::string::npos);
  e.post(invoice(kAsOf + 1, "C", "C1", 100, kAsOf + 30));  // the table is out of date once applied
  e.score_all(kAsOf + 1);
  EXPECT_NE(message({}).find("score again"), std::string::npos);
}

// Every month of 2023 four invoices of 1 000.00 are issued on the 20th, due on the 10th of the
// next month: one paid on time, one a month late, one two months late, one written off after
// three month ends past due. So of each bucket's balance 3/4, 2/3 and 1/2 roll on, and all of
// the last is written off.
TEST(Provisions, RollRatesOfALedgerBuiltWithKnownTransitions) {
  std::vector<Event> ev;
  for (int k = 0; k < 12; ++k) {
    const Date issued = *Date::from_civil(2023, static_cast<unsigned>(k + 1), 20);
    auto month_day = [&](int ahead, unsigned d) {
      const int m = k + ahead;
      return *Date::from_civil(2023 + m / 12, static_cast<unsigned>(m % 12 + 1), d);
    };
    const Date due = month_day(1, 10);
    for (int i = 0; i < 4; ++i) {
      const std::string ref = "M" + std::to_string(k) + "-" + std::to_string(i);
      ev.push_back(invoice(issued, "R", ref, 100000, due));
      if (i == 0) ev.push_back(payment(due, "R", ref, 100000));
      if (i == 1) ev.push_back(payment(month_day(2, 15), "R", ref, 100000));
      if (i == 2) ev.push_back(payment(month_day(3, 15), "R", ref, 100000));
      if (i == 3) ev.push_back(write_off(month_day(4, 5), "R", ref, 100000));
    }
  }
  const RollRates rr = estimate_roll_rates(ev, 2);
  ASSERT_EQ(rr.roll.size(), 4u);  // current, 1-30, 31-60, more than 60
  EXPECT_DOUBLE_EQ(rr.roll[0], 0.75);
  EXPECT_DOUBLE_EQ(rr.roll[1], 2.0 / 3);
  EXPECT_DOUBLE_EQ(rr.roll[2], 0.5);
  EXPECT_DOUBLE_EQ(rr.roll[3], 0.0);  // nothing stays past 60 days: it is written off
  EXPECT_DOUBLE_EQ(rr.write_off[3], 1.0);
  EXPECT_DOUBLE_EQ(rr.write_off[0] + rr.write_off[1] + rr.write_off[2], 0.0);
  EXPECT_DOUBLE_EQ(rr.loss[3], 1.0);
  EXPECT_DOUBLE_EQ(rr.loss[2], 0.5);
  EXPECT_DOUBLE_EQ(rr.loss[1], 1.0 / 3);
  EXPECT_DOUBLE_EQ(rr.loss[0], 0.25);
  // Buckets of 0, 30 and 60 days get those rates; a wider last bucket takes the one month bucket it holds.
  const std::vector<std::int32_t> bounds = {0, 30, 60};
  const std::vector<double> rates = rr.loss_rates(bounds);
  ASSERT_EQ(rates.size(), 4u);
  EXPECT_DOUBLE_EQ(rates[0], 0.25);
  EXPECT_DOUBLE_EQ(rates[2], 0.5);
  EXPECT_DOUBLE_EQ(rates[3], 1.0);
  EXPECT_THROW(estimate_roll_rates(std::vector<Event>{invoice(day("2024-01-01"), "R", "X", 1, day("2024-01-31"))}),
               InvalidInput);
  // Written off from an earlier bucket: the loss counts from the bucket it was in at the month
  // end before, not only from the last. Here half of every 31-60 balance is written off.
  std::vector<Event> early;
  for (int k = 0; k < 6; ++k) {
    const Date issued = *Date::from_civil(2023, static_cast<unsigned>(k + 1), 20);
    const Date due = *Date::from_civil(2023, static_cast<unsigned>(k + 2), 10);
    const std::string a = "E" + std::to_string(k) + "a", b = "E" + std::to_string(k) + "b";
    early.push_back(invoice(issued, "R", a, 100000, due));
    early.push_back(invoice(issued, "R", b, 100000, due));
    early.push_back(payment(*Date::from_civil(2023, static_cast<unsigned>(k + 4), 5), "R", a, 100000));
    early.push_back(write_off(*Date::from_civil(2023, static_cast<unsigned>(k + 4), 5), "R", b, 100000));
  }
  early.push_back(invoice(day("2023-12-31"), "R", "LAST", 1, day("2024-01-30")));
  const RollRates er = estimate_roll_rates(early, 2);
  EXPECT_DOUBLE_EQ(er.write_off[2], 0.5);
  EXPECT_DOUBLE_EQ(er.loss[2], 0.5);
  EXPECT_DOUBLE_EQ(er.loss[0], 0.5);
  EXPECT_THROW(estimate_roll_rates(ev, 0), InvalidInput);
}

TEST(Portfolio, ConcentrationOfKnownShares) {
  // 12-month revenue 50 %, 30 % and 20 %.
  Engine e;
  e.post(std::vector<Event>{invoice(day("2024-05-01"), "A", "A1", 500000, day("2024-05-31")),
                            invoice(day("2024-05-01"), "B", "B1", 300000, day("2024-05-31")),
                            invoice(day("2024-05-01"), "C", "C1", 200000, day("2024-05-31"))});
  const ScoreTable t = e.score_all(kAsOf);
  const Portfolio p = portfolio(e, t, provisions(e, t));
  EXPECT_EQ(p.clients, 3u);
  EXPECT_NEAR(p.hhi, 3800, 1e-9);
  EXPECT_NEAR(p.hhi_normalised, (0.38 - 1.0 / 3) / (1 - 1.0 / 3), 1e-12);
  EXPECT_DOUBLE_EQ(p.top1_share, 0.5);
  EXPECT_NEAR(p.top5_share, 1.0, 1e-12);
  EXPECT_EQ(p.clients_for_80, 2u);
  EXPECT_EQ(p.revenue_12m, Money::from_cents(1000000));
  EXPECT_EQ(p.receivables, Money::from_cents(1000000));
}

// Sales of 10 000.00 in April, 20 000.00 in May and 30 000.00 in June; 40 000.00 still owed on
// 2024-06-30. Countback: June's 30 days hold 30 000.00, the other 10 000.00 are half of May's
// sales, 15.5 of its 31 days: 45.5 days. Simple: 40 000 / 60 000 x 91 days.
TEST(Portfolio, DaysSalesOutstandingOnAWorkedExample) {
  Engine e;
  e.post(std::vector<Event>{invoice(day("2024-04-10"), "D", "D1", 1000000, day("2024-05-10")),
                            payment(day("2024-05-10"), "D", "D1", 1000000),
                            invoice(day("2024-05-10"), "D", "D2", 2000000, day("2024-06-09")),
                            payment(day("2024-06-09"), "D", "D2", 1000000),
                            invoice(day("2024-06-10"), "D", "D3", 3000000, day("2024-07-10"))});
  const ScoreTable t = e.score_all(kAsOf);
  const Portfolio p = portfolio(e, t, provisions(e, t));
  EXPECT_EQ(p.receivables, Money::from_cents(4000000));
  EXPECT_NEAR(p.dso_countback, 45.5, 1e-12);
  EXPECT_NEAR(p.dso_simple, 40.0 / 60 * 91, 1e-9);
  EXPECT_EQ(p.band_clients[0] + p.band_clients[1] + p.band_clients[2] + p.band_clients[3], 1u);
}

TEST(Portfolio, BandFiguresAddUpOnAGeneratedLedger) {
  GenerateOptions g;
  g.clients = 2000;
  g.months = 24;
  Engine e;
  e.post(generate_events(g));
  const ScoreTable t = e.score_all();
  const ProvisionReport r = provisions(e, t);
  const Portfolio p = portfolio(e, t, r);
  std::size_t n = 0;
  Money exposure, loss;
  for (int b = 0; b < 4; ++b) {
    n += p.band_clients[static_cast<std::size_t>(b)];
    exposure += p.band_exposure[static_cast<std::size_t>(b)];
    loss += p.band_expected_loss[static_cast<std::size_t>(b)];
  }
  EXPECT_EQ(n, t.size());
  EXPECT_EQ(exposure, p.receivables);
  EXPECT_EQ(loss, r.total);
  EXPECT_EQ(p.expected_loss, r.total);
  Money by_bucket;
  for (Money m : r.balance) by_bucket += m;
  EXPECT_EQ(by_bucket, p.receivables);
  EXPECT_GT(p.hhi, 0);
  EXPECT_LT(p.hhi, 10000);
  EXPECT_GT(p.dso_countback, 0);
  // The roll rates of the same history give a loss rate per bucket that does not fall with age.
  const RollRates rr = estimate_roll_rates(generate_events(g));
  const std::vector<double> rates = rr.loss_rates(ProvisionOptions{}.bounds);
  for (std::size_t b = 0; b < rates.size(); ++b) {
    EXPECT_GE(rates[b], 0);
    EXPECT_LE(rates[b], 1);
    if (b > 0) {
      EXPECT_GE(rates[b], rates[b - 1]) << b;
    }
  }
  EXPECT_GT(rates.back(), rates.front());
}

}  // namespace
