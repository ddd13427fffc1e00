// The features of one client as of a date, read from its ledger state: the inputs of the
// factors, and the key figures shown beside a score. Also the documented feature names for
// callers who build their own feature matrix.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "clientrisk/date.hpp"
#include "clientrisk/ledger.hpp"
#include "clientrisk/model.hpp"
#include "clientrisk/money.hpp"

namespace clientrisk {
inline namespace v1 {

// Column order of a feature matrix. Amounts are in minor units (cents) as doubles.
enum class Feature : std::uint8_t {
  paydex,                     // amount-weighted PAYDEX-style index of payments, with a prompt prior (80 = prompt)
  days_past_due_max,          // days past due of the most overdue open invoice (0 when none)
  open_amount,                // outstanding amount of open invoices
  overdue_amount,             // outstanding amount past its due date
  amount_over_90,             // outstanding amount more than 90 days past due
  write_off_amount,           // written off within write_off_window_days
  complaint_severity,         // decayed sum of complaint severities (1..5)
  return_share,               // decayed returned amount / (decayed invoiced amount + prior), in [0, 1)
  dispute_count,              // decayed number of disputes opened
  disputed_share,             // decayed disputed amount / (decayed invoiced amount + prior), in [0, 1)
  cancellations_early,        // early contract cancellations within cancellation_window_days
  cancellations_at_term,      // cancellations at term within cancellation_window_days
  contracts_held,             // contracts held during that window (signed minus cancelled before it)
  revenue_share,              // client's share of the portfolio's invoiced amount over 12 months, in [0, 1]
  seasonality_cv,             // coefficient of variation of rolling 3-month invoiced sums (see seasonality_months)
  seasonality_swing,          // 1 - lowest / highest of those 3-month sums, in [0, 1]
  seasonality_months,         // completed months since the first invoice (<= 24); 0 after 12 months without one
  review_weight,              // decayed number of reviews
  rating_mean,                // decayed mean rating, 1..5 (0 without reviews)
  negative_review_share,      // decayed share of ratings 1 and 2, in [0, 1]
  lawyer_letters,             // lawyer letters within legal_window_days
  formal_notices,             // formal notices (mises en demeure) within legal_window_days
  lawsuits,                   // lawsuits within legal_window_days
  litigations,                // disputes resolved by litigation within legal_window_days
};
inline constexpr int feature_count = 24;
inline constexpr std::array<std::string_view, feature_count> feature_names = {
    "paydex",           "days_past_due_max",   "open_amount",        "overdue_amount",     "amount_over_90",
    "write_off_amount", "complaint_severity",  "return_share",       "dispute_count",      "disputed_share",
    "cancellations_early", "cancellations_at_term", "contracts_held", "revenue_share",     "seasonality_cv",
    "seasonality_swing", "seasonality_months", "review_weight",      "rating_mean",        "negative_review_share",
    "lawyer_letters",   "formal_notices",      "lawsuits",           "litigations"};
constexpr std::string_view to_string(Feature f) { return feature_names[static_cast<std::size_t>(f)]; }

using FeatureRow = std::array<double, feature_count>;

// Figures a credit controller reads beside the score.
struct KeyFigures {
  Money outstanding;           // open receivables
  Money overdue;               // of which past due
  Money over_90;               // of which more than 90 days past due
  Money credit_balance;        // overpayments and excess credit notes held for the client
  Money disputed;              // amount under open disputes
  double days_beyond_terms = 0;  // amount-weighted, payments (decayed) and open invoices
  Money revenue_12m;           // invoiced over the 12 months ending with the as-of month
  double revenue_share = 0;    // of the portfolio's revenue over the same months
  std::uint32_t open_invoices = 0;
  std::uint32_t open_disputes = 0;
  friend bool operator==(const KeyFigures&, const KeyFigures&) = default;
};

namespace detail {

inline std::int64_t month_amount(const ClientState& c, std::int32_t m) {
  if (c.ring_month == kNoDate || m > c.ring_month || m <= c.ring_month - kRingMonths) return 0;
  return c.invoiced[ring_slot(m)];
}

}  // namespace detail

// What every client's features as of one date share, computed once per batch: the date, its
// month and the portfolio's invoiced amount over the 12 months ending with that month (the
// denominator of every revenue share).
struct AsOf {
  AsOf(const Ledger& ledger, Date d)
      : date(d), month(d.month_index()), portfolio_12m(ledger.portfolio_invoiced(month - 11, month)) {}
  // With the whole portfolio's 12-month revenue given (Engine::set_portfolio_revenue_12m).
  AsOf(Date d, std::int64_t portfolio_revenue_12m)
      : date(d), month(d.month_index()), portfolio_12m(portfolio_revenue_12m) {}
  Date date;
  std::int32_t month;
  std::int64_t portfolio_12m;
};

// Reads the features and key figures of client `index` as of a date. The ledger must have been
// advanced to that date (the caller, Engine, guarantees it).
inline void extract_features(const Ledger& ledger, std::uint32_t index, const AsOf& as_of, const Model& m,
                             FeatureRow& f, KeyFigures* key = nullptr) {
  using namespace detail;
  const ClientState& c = ledger.state(index);
  const std::int32_t d = as_of.date.days();
  const DecayConfig& dc = ledger.decay();

  // Open invoices.
  std::int64_t overdue = 0, over90 = 0;
  std::int32_t dpd_max = 0;
  double open_late_w = 0;
  for (std::uint32_t s = c.open_head; s != kNone;) {
    const Invoice& inv = ledger.invoice(s);
    const std::int32_t dpd = d - inv.due;
    if (dpd > 0) {
      overdue = sat_add(overdue, inv.outstanding);
      dpd_max = std::max(dpd_max, dpd);
      open_late_w += static_cast<double>(inv.outstanding) * dpd;
      if (dpd > 90) over90 = sat_add(over90, inv.outstanding);
    }
    s = inv.next;
  }
  // Payment history, pulled towards a prompt payer's 80 by a prior of credibility_cents: a
  // single small payment says little, and old experience fades as its weight decays.
  // Decay factors from the client's epoch to the as-of date; a sum that is zero needs none.
  auto decay = [&](bool needed, double half_life) { return needed ? std::exp2((c.epoch - d) / half_life) : 0.0; };
  const double gp = decay(c.paid_w > 0, dc.payment_half_life_days);
  const double prior = m.credibility_cents;
  // Clamped: decayed weights can round a mean a hair past its range.
  f[0] = std::clamp((c.paid_paydex * gp + 80.0 * prior) / (c.paid_w * gp + prior), 1.0, 100.0);
  f[1] = dpd_max;
  f[2] = static_cast<double>(c.open_amount);
  f[3] = static_cast<double>(overdue);
  f[4] = static_cast<double>(over90);
  const Incidents* inc = ledger.incidents(c);
  auto window = [&](const RecentEntries<3>& e, double days) {
    return inc ? static_cast<double>(e.sum(d - static_cast<std::int32_t>(days), d)) : 0.0;
  };
  f[5] = inc ? window(inc->write_offs, m.write_off_window_days) : 0;

  // Dissatisfaction: values at the epoch scaled down to the as-of date; shares of invoiced
  // amounts with the same prior, so that they fade when the client stops buying.
  const double gd = decay(c.complaints > 0 || c.returned > 0 || c.disputes > 0, dc.dissatisfaction_half_life_days);
  f[6] = c.complaints * gd;
  f[7] = c.returned * gd / (std::max(c.invoiced_decayed, c.returned) * gd + prior);
  f[8] = c.disputes * gd;
  f[9] = c.disputed * gd / (std::max(c.invoiced_decayed, c.disputed) * gd + prior);

  // Contracts.
  const double early = inc ? window(inc->cancel_early, m.cancellation_window_days) : 0;
  const double at_term = inc ? window(inc->cancel_at_term, m.cancellation_window_days) : 0;
  f[10] = early;
  f[11] = at_term;
  f[12] = static_cast<double>(c.contracts_signed) - (static_cast<double>(c.contracts_cancelled) - early - at_term);

  // Revenue and its share of the portfolio, over the 12 months ending with the as-of month.
  const std::int32_t month = as_of.month;
  const std::int64_t portfolio = as_of.portfolio_12m;
  std::int64_t rev12 = 0;
  for (std::int32_t mm = month - 11; mm <= month; ++mm) rev12 = sat_add(rev12, month_amount(c, mm));
  f[13] = portfolio > 0 ? static_cast<double>(rev12) / static_cast<double>(portfolio) : 0;

  // Seasonality over the completed months since the first invoice, at most 24, read as
  // rolling 3-month sums: regular quarterly billing is not seasonal, a summer-only client is.
  // A seasonal client buys at least once a year: after twelve months without an invoice the
  // client has stopped buying, which is not seasonality.
  int n = 0;
  const std::int32_t last = month - 1;
  if (c.first_invoice_month != kNoDate && last - c.ring_month < 12)
    n = std::clamp(month - c.first_invoice_month, 0, 24);
  f[14] = f[15] = 0;
  f[16] = n;
  if (n >= 4) {
    std::array<double, 22> q;  // every element read is written first
    const int sums = n - 2;
    double total = 0, lo = 0, hi = 0;
    for (int k = 0; k < sums; ++k) {
      double v = 0;
      for (int j = 0; j < 3; ++j) v += static_cast<double>(month_amount(c, last + 1 - n + k + j));
      q[static_cast<std::size_t>(k)] = v;
      total += v;
      lo = k == 0 ? v : std::min(lo, v);
      hi = k == 0 ? v : std::max(hi, v);
    }
    const double mean = total / sums;
    if (mean > 0) {
      double ss = 0;
      for (int k = 0; k < sums; ++k) ss += (q[static_cast<std::size_t>(k)] - mean) * (q[static_cast<std::size_t>(k)] - mean);
      f[14] = std::sqrt(ss / sums) / mean;
      f[15] = 1 - lo / hi;
    }
  }

  // Reviews.
  const double rw = c.reviews;
  const double gr = decay(rw > 0, dc.review_half_life_days);
  f[17] = rw * gr;
  f[18] = rw > 0 ? std::clamp(c.rating_sum / rw, 1.0, 5.0) : 0;
  f[19] = rw > 0 ? std::min(1.0, c.negative_reviews / rw) : 0;

  // Legal notices.
  for (std::size_t t = 0; t < 4; ++t) f[20 + t] = inc ? window(inc->notices[t], m.legal_window_days) : 0;

  if (key) {
    const double w = c.paid_w * gp + static_cast<double>(c.open_amount);
    key->outstanding = Money::from_cents(c.open_amount);
    key->overdue = Money::from_cents(overdue);
    key->over_90 = Money::from_cents(over90);
    key->credit_balance = Money::from_cents(c.credit_balance);
    key->disputed = Money::from_cents(c.disputed_open);
    key->days_beyond_terms = w > 0 ? (c.paid_dbt * gp + open_late_w) / w : 0;
    key->revenue_12m = Money::from_cents(rev12);
    key->revenue_share = f[13];
    key->open_invoices = c.open_count;
    key->open_disputes = c.disputes_open;
  }
}

}  // namespace v1
}  // namespace clientrisk
