// Provisions for doubtful receivables: open receivables by aging bucket, the expected credit
// loss of each client and bucket (IFRS 9 simplified approach, a provision matrix), specific
// provisions for disputed and litigated invoices, amounts excluding VAT when a rate is set;
// loss rates given or estimated from the ledger's history by the roll-rate method; and the
// portfolio view beside them. docs/actions.md gives the formulas.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "clientrisk/engine.hpp"

namespace clientrisk {
inline namespace v1 {

// The default buckets (current, 1-30, 31-60, 61-90, 91-180, 181-365, more than 365 days past
// due) and an illustrative provision matrix for them.
inline constexpr std::array<std::int32_t, 6> default_bucket_bounds = {0, 30, 60, 90, 180, 365};
inline constexpr std::array<double, 7> default_loss_rates = {0.005, 0.02, 0.05, 0.10, 0.25, 0.50, 1.0};

struct ProvisionOptions {
  // Upper bounds, in days past due, of every bucket but the last.
  std::vector<std::int32_t> bounds{default_bucket_bounds.begin(), default_bucket_bounds.end()};
  // Loss rate of each bucket, one more than bounds, each in [0, 1]; estimate_roll_rates() gives
  // the ledger's own.
  std::vector<double> loss_rates{default_loss_rates.begin(), default_loss_rates.end()};
  double disputed_rate = 0.5;  // of the disputed part of an invoice with an open dispute
  double lawsuit_rate = 1.0;   // of every open invoice of a client with a lawsuit or litigation in legal_window_days
  double vat_rate = 0;         // amounts carry VAT at this rate: provisions are on amount / (1 + vat_rate)
};

// Throws InvalidInput naming the field.
inline void validate(const ProvisionOptions& o) {
  if (o.bounds.empty() || o.bounds.front() != 0)
    throw InvalidInput("provisions: bounds must start with 0 (the current bucket: not yet due)");
  for (std::size_t i = 1; i < o.bounds.size(); ++i)
    if (o.bounds[i] <= o.bounds[i - 1])
      throw InvalidInput("provisions: bounds must rise; bound " + std::to_string(i) + " (" + std::to_string(o.bounds[i]) +
                         ") is not above " + std::to_string(o.bounds[i - 1]));
  if (o.bounds.back() > 36500) throw InvalidInput("provisions: bounds must be at most 36500 days");
  if (o.loss_rates.size() != o.bounds.size() + 1)
    throw InvalidInput("provisions: " + std::to_string(o.bounds.size() + 1) + " buckets but " +
                       std::to_string(o.loss_rates.size()) + " loss rates");
  for (std::size_t i = 0; i < o.loss_rates.size(); ++i)
    if (!(o.loss_rates[i] >= 0 && o.loss_rates[i] <= 1))
      throw InvalidInput("provisions: loss rate " + std::to_string(i) + " must be in [0, 1], got " +
                         detail::number(o.loss_rates[i]));
  for (auto [name, v, hi] : {std::tuple{"disputed_rate", o.disputed_rate, 1.0}, std::tuple{"lawsuit_rate", o.lawsuit_rate, 1.0},
                             std::tuple{"vat_rate", o.vat_rate, 10.0}})
    if (!(v >= 0 && v <= hi))
      throw InvalidInput(std::string("provisions: ") + name + " must be in [0, " + detail::number(hi) + "], got " +
                         detail::number(v));
}

// "current", "1-30", ..., "> 365".
inline std::vector<std::string> bucket_labels(std::span<const std::int32_t> bounds) {
  std::vector<std::string> out{"current"};
  for (std::size_t i = 1; i < bounds.size(); ++i) out.push_back(std::to_string(bounds[i - 1] + 1) + "-" + std::to_string(bounds[i]));
  out.push_back("> " + std::to_string(bounds.back()));
  return out;
}

// The bucket of an invoice days_past_due past due.
inline std::size_t bucket_of(std::int32_t days_past_due, std::span<const std::int32_t> bounds) {
  return static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), days_past_due) - bounds.begin());
}

struct ProvisionRow {
  std::string client;
  Band band = Band::low;
  std::vector<Money> balance;   // open receivables by bucket, VAT included
  std::vector<Money> expected;  // expected credit loss by bucket, excluding VAT
  Money disputed;               // disputed part of open invoices, VAT included
  Money specific;               // specific provision on disputes and litigation, excluding VAT
  Money total;                  // the sum of expected and specific
  bool litigation = false;
  friend bool operator==(const ProvisionRow&, const ProvisionRow&) = default;
};

struct ProvisionReport {
  Date as_of;
  ProvisionOptions options;
  std::vector<std::string> buckets;  // labels
  std::vector<ProvisionRow> clients;  // clients with open receivables, in ledger order
  std::vector<Money> balance, expected;  // totals by bucket
  Money specific, total;
};

namespace detail {

inline std::int64_t excluding_vat(std::int64_t cents, double vat) {
  return vat == 0 ? cents : std::llround(static_cast<double>(cents) / (1 + vat));
}
inline std::int64_t times(double rate, std::int64_t cents) { return std::llround(rate * static_cast<double>(cents)); }

}  // namespace detail

// The provisions of every client with open receivables, as of the table's date. The engine's
// ledger must be at the table's date (make the table right before: Engine::score_all).
inline ProvisionReport provisions(const Engine& engine, const ScoreTable& scores, const ProvisionOptions& o = {}) {
  validate(o);
  if (scores.ledger != &engine.ledger() || scores.generation != engine.ledger().generation())
    throw InvalidInput("provisions: the table was made by another engine, or events were applied since; score again");
  const Ledger& ledger = engine.ledger();
  const Model& m = engine.model();
  ProvisionReport r;
  r.as_of = scores.as_of;
  r.options = o;
  r.buckets = bucket_labels(o.bounds);
  const std::size_t nb = r.buckets.size();
  r.balance.assign(nb, Money{});
  r.expected.assign(nb, Money{});
  const std::int32_t d = r.as_of.days();
  const auto legal = static_cast<std::int32_t>(m.legal_window_days);
  std::vector<std::int64_t> gross(nb), pooled(nb);
  for (std::size_t row = 0; row < scores.size(); ++row) {
    const std::uint32_t i = scores.client[row];
    const ClientState& c = ledger.state(i);
    if (c.open_count == 0) continue;
    const Incidents* inc = ledger.incidents(c);
    ProvisionRow p;
    p.client = ledger.client_id(i);
    p.band = scores.band[row];
    p.litigation = inc && (inc->notices[2].sum(d - legal, d) > 0 || inc->notices[3].sum(d - legal, d) > 0);
    std::fill(gross.begin(), gross.end(), 0);
    std::fill(pooled.begin(), pooled.end(), 0);  // what the matrix covers: not disputed, no litigation
    std::int64_t disputed = 0, specific_base_disputed = 0, litigated = 0;
    for (std::uint32_t s = c.open_head; s != detail::kNone;) {
      const detail::Invoice& inv = ledger.invoice(s);
      const std::size_t b = bucket_of(d - inv.due, o.bounds);
      gross[b] = detail::sat_add(gross[b], inv.outstanding);
      std::int64_t part = 0;
      if (c.disputes_open > 0) {
        const detail::RefEntry* e = ledger.reference(inv.key);
        if (e && e->applied_disputes > 0) part = std::min(e->disputed, inv.outstanding);
      }
      disputed = detail::sat_add(disputed, part);
      if (p.litigation) {
        litigated = detail::sat_add(litigated, inv.outstanding);
      } else {
        specific_base_disputed = detail::sat_add(specific_base_disputed, part);
        pooled[b] = detail::sat_add(pooled[b], inv.outstanding - part);
      }
      s = inv.next;
    }
    p.balance.resize(nb);
    p.expected.resize(nb);
    std::int64_t expected = 0;
    for (std::size_t b = 0; b < nb; ++b) {
      p.balance[b] = Money::from_cents(gross[b]);
      p.expected[b] = Money::from_cents(detail::times(o.loss_rates[b], detail::excluding_vat(pooled[b], o.vat_rate)));
      expected += p.expected[b].cents();
      r.balance[b] += p.balance[b];
      r.expected[b] += p.expected[b];
    }
    p.disputed = Money::from_cents(disputed);
    p.specific = Money::from_cents(detail::times(o.lawsuit_rate, detail::excluding_vat(litigated, o.vat_rate)) +
                                   detail::times(o.disputed_rate, detail::excluding_vat(specific_base_disputed, o.vat_rate)));
    p.total = Money::from_cents(expected + p.specific.cents());
    r.specific += p.specific;
    r.total += p.total;
    r.clients.push_back(std::move(p));
  }
  return r;
}

// Roll rates of a ledger's history: at every month end, open receivables by bucket of one month
// (current, 1-30, 31-60, ..., more than 30 x months days past due). An invoice's bucket at the
// month end before is known from its due date, so each month's balances split by where they
// were a month earlier. The roll rate of a bucket is the part of its balance in the next bucket
// a month later (for the last bucket: still in it); its write-off rate the part written off in
// the next month; all summed over the months. The loss rate of a bucket is its write-off rate
// plus its roll rate times the next bucket's loss rate, and that of the last bucket its
// write-off rate over (1 - its roll rate): at most 1, never falling with age.
struct RollRates {
  std::int32_t months = 0;                   // buckets of one month past the current one
  std::vector<double> roll, write_off, loss; // per bucket: months + 2 of them
  std::vector<double> mean_balance;          // per bucket, in cents, over the month ends observed
  std::int32_t month_ends = 0;

  // Loss rates for the buckets of bounds: each the mean of the monthly buckets it holds (a
  // monthly bucket goes where its last day falls), weighted by their mean balance.
  std::vector<double> loss_rates(std::span<const std::int32_t> bounds) const {
    const std::size_t nb = bounds.size() + 1;
    std::vector<double> w(nb), v(nb);
    for (std::size_t k = 0; k < loss.size(); ++k) {
      const std::int32_t last_day = k == 0 ? 0 : k + 1 == loss.size() ? bounds.back() + 1 : static_cast<std::int32_t>(30 * k);
      const std::size_t b = bucket_of(last_day, bounds);
      const double weight = mean_balance[k] > 0 ? mean_balance[k] : 0;
      w[b] += weight;
      v[b] += weight * loss[k];
    }
    std::vector<double> out(nb);
    // A bucket without balance in the history takes the rate of the next one that has some
    // (a later bucket is riskier), or 1 past the last.
    for (std::size_t b = nb; b-- > 0;) out[b] = w[b] > 0 ? std::min(1.0, v[b] / w[b]) : b + 1 < nb ? out[b + 1] : 1.0;
    return out;
  }
};

// Replays events (any order) through a ledger of model m's half-lives and measures roll rates
// at every month end from the first event's month to the last complete month. Throws
// InvalidInput for bad events (as Engine::post) or fewer than two month ends.
inline RollRates estimate_roll_rates(std::span<const Event> events, std::int32_t months = 12, const Model& m = Model{}) {
  if (months < 1 || months > 120) throw InvalidInput("roll rates: months must be in [1, 120], got " + std::to_string(months));
  Engine e(m);
  e.post(events);
  const auto latest = e.ledger().latest_event_date();
  if (!latest) throw InvalidInput("roll rates: no events");
  Date first = *latest;
  for (const Event& ev : events) first = std::min(first, ev.date);
  auto end_of = [](std::int32_t month) {
    const int year = 1970 + static_cast<int>(std::floor(month / 12.0));
    const auto mon = static_cast<unsigned>(month - (year - 1970) * 12 + 1);
    return *Date::from_civil(year, mon, detail::days_in_month(year, mon));
  };
  std::int32_t last_month = latest->month_index();
  if (end_of(last_month) > *latest) --last_month;  // the last month must be complete
  const std::int32_t first_month = first.month_index();
  if (last_month - first_month < 1)
    throw InvalidInput("roll rates: the events cover fewer than two complete month ends (" + first.to_string() + " to " +
                       latest->to_string() + ")");
  const auto K = static_cast<std::size_t>(months) + 2;  // current, months of one month, the rest
  auto bucket = [&](std::int32_t dpd) {
    return dpd <= 0 ? std::size_t{0} : std::min<std::size_t>(K - 1, static_cast<std::size_t>((dpd - 1) / 30 + 1));
  };
  // Each written-off invoice's due date, from its invoice event, and the write-offs by month.
  std::map<std::pair<std::string_view, std::string_view>, std::int32_t> due;
  for (const Event& ev : events)
    if (ev.kind == EventKind::invoice && ev.due) due[{ev.client, ev.ref}] = ev.due->days();
  std::map<std::int32_t, std::vector<std::pair<std::int32_t, double>>> written;  // month -> (due, amount)
  for (const Event& ev : events)
    if (ev.kind == EventKind::write_off && ev.amount) {
      const auto d = due.find({ev.client, ev.ref});
      if (d != due.end()) written[ev.date.month_index()].emplace_back(d->second, static_cast<double>(ev.amount->cents()));
    }
  std::vector<double> base(K), rolled(K), off(K), total(K), previous;
  RollRates out;
  out.months = months;
  Date prev;
  for (std::int32_t mm = first_month; mm <= last_month; ++mm) {
    const Date at = end_of(mm);
    e.ledger().advance(at);
    std::vector<double> now(K);
    const Ledger& l = e.ledger();
    for (std::uint32_t i = 0; i < l.client_count(); ++i)
      for (std::uint32_t s = l.state(i).open_head; s != detail::kNone;) {
        const detail::Invoice& inv = l.invoice(s);
        const std::size_t k = bucket(at.days() - inv.due);
        const auto amount = static_cast<double>(inv.outstanding);
        now[k] += amount;
        if (!previous.empty() && inv.issued <= prev.days()) {
          const std::size_t before = bucket(prev.days() - inv.due);
          if (k == before + 1 || (before == K - 1 && k == K - 1)) rolled[before] += amount;
        }
        s = inv.next;
      }
    if (!previous.empty()) {
      for (std::size_t k = 0; k < K; ++k) base[k] += previous[k];
      if (const auto w = written.find(mm); w != written.end())
        for (const auto& [d, amount] : w->second) off[bucket(prev.days() - d)] += amount;
    }
    for (std::size_t k = 0; k < K; ++k) total[k] += now[k];
    ++out.month_ends;
    previous = std::move(now);
    prev = at;
  }
  out.roll.resize(K);
  out.write_off.resize(K);
  out.loss.resize(K);
  out.mean_balance.resize(K);
  for (std::size_t k = 0; k < K; ++k) {
    out.roll[k] = base[k] > 0 ? std::min(1.0, rolled[k] / base[k]) : 0.0;
    out.write_off[k] = base[k] > 0 ? std::min(1.0, off[k] / base[k]) : 0.0;
    out.mean_balance[k] = total[k] / out.month_ends;
  }
  // No balance in the last bucket ever: what reaches it is taken as lost.
  const double stay = out.roll[K - 1];
  out.loss[K - 1] = base[K - 1] == 0 ? 1.0 : stay < 1 ? std::min(1.0, out.write_off[K - 1] / (1 - stay)) : 1.0;
  for (std::size_t k = K - 1; k-- > 0;) out.loss[k] = std::min(1.0, out.write_off[k] + out.roll[k] * out.loss[k + 1]);
  return out;
}

// The portfolio as of a table's date.
struct Portfolio {
  Date as_of;
  std::size_t clients = 0;             // scored
  Money receivables, revenue_12m;
  double hhi = 0;                      // Herfindahl-Hirschman index of 12-month revenue shares in percent, 0 to 10 000
  double hhi_normalised = 0;           // (H - 1/N) / (1 - 1/N) with H in [0, 1] and N clients with revenue; 1 for one client
  double top1_share = 0, top5_share = 0, top10_share = 0;
  std::size_t clients_for_80 = 0;      // fewest clients making 80 % of the revenue
  std::array<std::size_t, 4> band_clients{};
  std::array<Money, 4> band_exposure{}, band_expected_loss{};
  double dso_simple = 0;               // receivables / sales of the last three months x their days
  double dso_countback = 0;            // days of the latest sales the receivables hold
  double days_beyond_terms = 0;        // clients' days beyond terms, weighted by their receivables
  Money expected_loss;                 // total provisions
};

inline Portfolio portfolio(const Engine& engine, const ScoreTable& scores, const ProvisionReport& prov) {
  if (scores.ledger != &engine.ledger() || scores.generation != engine.ledger().generation())
    throw InvalidInput("portfolio: the table was made by another engine, or events were applied since; score again");
  if (prov.as_of != scores.as_of) throw InvalidInput("portfolio: the provisions are of another date");
  const Ledger& ledger = engine.ledger();
  const AsOf at = engine.as_of_inputs(scores.as_of);
  Portfolio p;
  p.as_of = scores.as_of;
  p.clients = scores.size();
  std::vector<std::int64_t> revenue;
  revenue.reserve(scores.size());
  double dbt_weighted = 0;
  std::vector<std::int64_t> monthly(13);  // sales of the as-of month and the twelve before
  FeatureRow f;
  KeyFigures key;
  for (std::size_t row = 0; row < scores.size(); ++row) {
    const std::uint32_t i = scores.client[row];
    extract_features(ledger, i, at, engine.model(), f, &key);
    const auto b = static_cast<std::size_t>(scores.band[row]);
    ++p.band_clients[b];
    p.band_exposure[b] += key.outstanding;
    p.receivables += key.outstanding;
    p.revenue_12m += key.revenue_12m;
    dbt_weighted += key.days_beyond_terms * key.outstanding.to_double();
    if (key.revenue_12m.cents() > 0) revenue.push_back(key.revenue_12m.cents());
    const ClientState& c = ledger.state(i);
    for (std::int32_t k = 0; k < 13; ++k)
      monthly[static_cast<std::size_t>(k)] = detail::sat_add(monthly[static_cast<std::size_t>(k)], detail::month_amount(c, at.month - k));
  }
  for (const ProvisionRow& r : prov.clients) {
    p.band_expected_loss[static_cast<std::size_t>(r.band)] += r.total;
    p.expected_loss += r.total;
  }
  p.days_beyond_terms = p.receivables.cents() > 0 ? dbt_weighted / p.receivables.to_double() : 0;
  // Concentration.
  std::sort(revenue.begin(), revenue.end(), std::greater<>());
  const double total = static_cast<double>(p.revenue_12m.cents());
  if (total > 0 && !revenue.empty()) {
    double h = 0, cum = 0;
    for (std::size_t k = 0; k < revenue.size(); ++k) {
      const double s = static_cast<double>(revenue[k]) / total;
      h += s * s;
      cum += s;
      if (k == 0) p.top1_share = cum;
      if (k < 5) p.top5_share = cum;
      if (k < 10) p.top10_share = cum;
      if (p.clients_for_80 == 0 && cum >= 0.8 - 1e-12) p.clients_for_80 = k + 1;
    }
    p.hhi = 10000 * h;
    const double n = static_cast<double>(revenue.size());
    p.hhi_normalised = revenue.size() == 1 ? 1.0 : (h - 1 / n) / (1 - 1 / n);
  }
  // DSO. Simple: over the as-of month so far and the two months before it.
  const CivilDate cd = p.as_of.civil();
  const double days_this_month = cd.day;
  auto month_days = [&](std::int32_t back) {
    const std::int32_t mm = at.month - back;
    const int year = 1970 + static_cast<int>(std::floor(mm / 12.0));
    const auto mon = static_cast<unsigned>(mm - (year - 1970) * 12 + 1);
    return static_cast<double>(detail::days_in_month(year, mon));
  };
  const double sales3 = static_cast<double>(monthly[0]) + static_cast<double>(monthly[1]) + static_cast<double>(monthly[2]);
  const double days3 = days_this_month + month_days(1) + month_days(2);
  const auto receivables = static_cast<double>(p.receivables.cents());
  p.dso_simple = sales3 > 0 ? receivables / sales3 * days3 : 0;
  // Countback: whole months of sales while the receivables cover them, then a share of the next.
  double left = receivables, days = 0;
  for (std::int32_t k = 0; k < 13 && left > 0; ++k) {
    const double sales = static_cast<double>(monthly[static_cast<std::size_t>(k)]);
    const double span = k == 0 ? days_this_month : month_days(k);
    if (sales <= 0) {
      days += span;
      continue;
    }
    if (left >= sales) {
      left -= sales;
      days += span;
    } else {
      days += left / sales * span;
      left = 0;
    }
  }
  p.dso_countback = days;
  return p;
}

}  // namespace v1
}  // namespace clientrisk
