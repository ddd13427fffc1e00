// The engine: a ledger and a model. Post events in any order, then score one client, a list,
// or all of them as of a date; every score is explained.
#pragma once

#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clientrisk/detail/memory.hpp"
#include "clientrisk/detail/parallel.hpp"
#include "clientrisk/features.hpp"
#include "clientrisk/fingerprint.hpp"
#include "clientrisk/ledger.hpp"
#include "clientrisk/model.hpp"
#include "clientrisk/score.hpp"

namespace clientrisk {
inline namespace v1 {

// Scores of many clients, one row each, in columns.
struct ScoreTable {
  Date as_of;
  std::vector<std::uint32_t> client;  // ledger index; Engine::client_id() gives the id
  Eigen::VectorXd score;
  std::vector<Band> band;
  SubScoreMatrix sub;           // rows x factors, in [0, 1]
  SubScoreMatrix contribution;  // rows x factors, in points
  std::string model_fingerprint;  // of the model that produced the scores
  std::size_t size() const { return client.size(); }
  const Ledger* ledger = nullptr;  // the ledger scored, and its state's generation then
  std::uint64_t generation = 0;
};

class Engine {
 public:
  explicit Engine(const Model& model = Model{})
      : model_(checked(model)), fingerprint_(clientrisk::model_fingerprint(model_)), ledger_(decay_of(model)) {}

  // An engine over a ledger built before (a loaded snapshot's); the model's half-lives must be
  // the ledger's.
  Engine(const Model& model, Ledger ledger)
      : model_(checked(model)), fingerprint_(clientrisk::model_fingerprint(model_)), ledger_(std::move(ledger)) {
    if (!(decay_of(model_) == ledger_.decay()))
      throw InvalidInput("the model's half-lives differ from those the ledger was built with");
  }

  const Model& model() const { return model_; }
  // model_fingerprint(model()), which every score carries.
  const std::string& fingerprint() const { return fingerprint_; }
  // Replaces the model. The half-lives shape the ledger's state, so they may change only
  // while no event has been posted.
  void set_model(const Model& model) {
    validate(model);
    if (ledger_.client_count() > 0 && !(decay_of(model) == ledger_.decay()))
      throw InvalidInput("set_model: the half-lives differ from the engine's and events are posted; "
                         "make a new engine with this model and post the events again");
    std::string fingerprint = clientrisk::model_fingerprint(model);
    if (ledger_.client_count() == 0) ledger_ = Ledger(decay_of(model));
    fingerprint_ = std::move(fingerprint);
    model_ = model;
  }

  // The threads that score_all() and score_clients() share their clients among (0: one per
  // hardware thread; 1 by default). Scores are the same bits whatever the number.
  unsigned threads() const { return threads_; }
  // Throws InvalidInput above max_threads.
  void set_threads(unsigned n) {
    (void)detail::thread_count(n, 0, 1);
    threads_ = n;
  }

  // The most clients this engine takes (no limit by default): an event of a new client beyond it
  // is rejected like any bad event, naming the limit.
  std::size_t max_clients() const { return ledger_.max_clients(); }
  void set_max_clients(std::size_t n) { ledger_.set_max_clients(n); }
  // The most events one client takes, applied and waiting (no limit by default): in each batch, a
  // client's events past it (in the canonical order: date, kind, then content) are rejected like
  // any bad event, naming the limit. Snapshots keep the count, not the limit.
  std::size_t max_events_per_client() const { return ledger_.max_events_per_client(); }
  void set_max_events_per_client(std::size_t n) { ledger_.set_max_events_per_client(n); }

  // The whole portfolio's invoiced revenue over the 12 calendar months ending with the month
  // scored, in cents, for an engine that holds a part of the portfolio (one partition of a
  // distributed run, as clientrisk.dask does): revenue shares (the concentration factor, the key
  // figure revenue_share) are then taken against it instead of against this engine's own clients.
  // It must be the figure of the date scored: the invoices of every client dated on or before it
  // in those months (own_revenue_12m() of each part, summed). nullopt, the default: this engine's
  // own clients. Throws InvalidInput for a negative amount; scoring throws when it is below this
  // engine's own clients' revenue, which cannot be the whole of a portfolio they belong to.
  std::optional<std::int64_t> portfolio_revenue_12m() const { return portfolio_12m_; }
  void set_portfolio_revenue_12m(std::optional<std::int64_t> cents) {
    if (cents && *cents < 0) throw InvalidInput("portfolio revenue " + std::to_string(*cents) + " cents is negative");
    portfolio_12m_ = cents;
  }
  // This engine's own clients' invoiced revenue over the 12 calendar months ending with d's month,
  // from the events applied (advance() to d first), in cents: the part to sum across partitions.
  std::int64_t own_revenue_12m(Date d) const {
    const std::int32_t m = d.month_index();
    return ledger_.portfolio_invoiced(m - 11, m);
  }

  // What the features of a date take besides a client's state: the date, its month and the
  // portfolio's 12-month revenue (given, or this engine's own clients'). Throws InvalidInput as
  // set_portfolio_revenue_12m() says.
  AsOf as_of_inputs(Date d) const {
    AsOf own(ledger_, d);
    if (!portfolio_12m_) return own;
    if (*portfolio_12m_ < own.portfolio_12m)
      throw InvalidInput("the portfolio revenue given (" + std::to_string(*portfolio_12m_) +
                         " cents) is below this engine's own clients' revenue over the 12 months to " + d.to_string() +
                         " (" + std::to_string(own.portfolio_12m) + " cents): give the whole portfolio's, for this date");
    return AsOf(d, *portfolio_12m_);
  }

  // The language of reason texts (and of actions and alerts made from this engine's scores).
  Language language() const { return language_; }
  void set_language(Language l) { language_ = l; }

  // One event. Throws InvalidInput naming the field; nothing is applied then.
  void post(const Event& e) { ledger_.post(std::span<const Event>(&e, 1)); }
  // A batch in any order. Strict: the first bad event throws and nothing is applied.
  void post(std::span<const Event> events) { ledger_.post(events); }
  // A batch in any order: bad events are returned, the others applied.
  std::vector<Rejection> post_lenient(std::span<const Event> events) { return ledger_.post(events, true); }

  Ledger& ledger() { return ledger_; }
  const Ledger& ledger() const { return ledger_; }
  std::size_t client_count() const { return ledger_.client_count(); }
  std::string_view client_id(std::uint32_t index) const { return ledger_.client_id(index); }

  // The date scores default to: the latest event date posted, or the latest date already
  // scored at when that is later (never the wall clock).
  Date default_as_of() const {
    auto d = ledger_.latest_event_date();
    if (!d) throw InvalidInput("the ledger has no events to score");
    return ledger_.horizon() != detail::kNoDate ? std::max(*d, Date::from_days(ledger_.horizon())) : *d;
  }

  // One client, explained. Throws InvalidInput for a client without events on or before as_of.
  Score score(std::string_view client, std::optional<Date> as_of = std::nullopt) {
    if (ledger_.client_index(client) == Ledger::npos) throw InvalidInput("unknown client '" + std::string(client) + "'");
    return score_at(client, advance(as_of));
  }

  // Every client with events on or before as_of, in ledger order; no reasons (see explain()).
  ScoreTable score_all(std::optional<Date> as_of = std::nullopt) { return score_all_at(advance(as_of)); }

  // The listed clients, in the order given. Throws for a client without events.
  ScoreTable score_clients(std::span<const std::string> ids, std::optional<Date> as_of = std::nullopt) {
    return score_clients_at(ids, advance(as_of));
  }

  // Moves the state to as_of (default_as_of() when omitted), applying the events due by then, as
  // the score functions above do first; returns the date. Throws InvalidInput for a date before
  // one already scored at, or outside the calendar.
  Date advance(std::optional<Date> as_of = std::nullopt) {
    const Date d = as_of ? *as_of : default_as_of();
    if (!in_calendar(d)) throw InvalidInput("as-of " + d.to_string() + " is outside the years 0001 to 9999");
    if (ledger_.horizon() != detail::kNoDate && d.days() < ledger_.horizon())
      throw InvalidInput("as-of " + d.to_string() + " is before " + Date::from_days(ledger_.horizon()).to_string() +
                         ", a date this engine has already scored at: its state has moved past the earlier date; "
                         "score dates in ascending order or use a new engine");
    ledger_.advance(d);
    return d;
  }

  // Whether the state stands at d, nothing left to apply: then the const functions below score
  // d, and any number of threads may call them at once (docs/threading.md).
  bool stands_at(Date d) const { return ledger_.stands_at(d); }

  // score(), score_all() and score_clients() of an engine that stands_at(d), without moving it;
  // the same bits. Throw InvalidInput when it does not stand at d.
  Score score_at(std::string_view client, Date d) const {
    check_stands_at(d);
    const std::uint32_t index = ledger_.client_index(client);
    if (index == Ledger::npos) throw InvalidInput("unknown client '" + std::string(client) + "'");
    if (ledger_.state(index).first_date == detail::kNoDate)
      throw InvalidInput("client '" + std::string(client) + "' has no events on or before " + d.to_string());
    return explain_row(index, d);
  }
  ScoreTable score_all_at(Date d) const {
    check_stands_at(d);
    std::vector<std::uint32_t> clients;
    if (ledger_.clients_with_events() == ledger_.client_count()) {  // the usual case: no look at each state
      clients.resize(ledger_.client_count());
      std::iota(clients.begin(), clients.end(), std::uint32_t{0});
      return table(std::move(clients), d);
    }
    clients.reserve(ledger_.clients_with_events());
    for (std::uint32_t i = 0; i < ledger_.client_count(); ++i)
      if (ledger_.state(i).first_date != detail::kNoDate) clients.push_back(i);
    return table(std::move(clients), d);
  }
  ScoreTable score_clients_at(std::span<const std::string> ids, Date d) const {
    check_stands_at(d);
    std::vector<std::uint32_t> clients;
    clients.reserve(ids.size());
    for (const std::string& id : ids) {
      const std::uint32_t index = ledger_.client_index(id);
      if (index == Ledger::npos || ledger_.state(index).first_date == detail::kNoDate)
        throw InvalidInput("client '" + id + "' has no events on or before " + d.to_string());
      clients.push_back(index);
    }
    return table(std::move(clients), d);
  }

  // Full explanation of row `row` of a table made by this engine, while the engine has not
  // moved past the table's date.
  Score explain(const ScoreTable& t, std::size_t row) const {
    if (t.ledger != &ledger_ || t.generation != ledger_.generation())
      throw InvalidInput("explain: the table was made by another engine, or events were applied since it was made; "
                         "score again");
    if (row >= t.size()) throw InvalidInput("explain: row " + std::to_string(row) + " is past the table's end");
    return explain_row(t.client[row], t.as_of);
  }

 private:
  static const Model& checked(const Model& m) {
    validate(m);
    return m;
  }
  static DecayConfig decay_of(const Model& m) {
    return {m.payment_half_life_days, m.dissatisfaction_half_life_days, m.review_half_life_days};
  }

  void check_stands_at(Date d) const {
    if (!stands_at(d))
      throw InvalidInput("the engine's state does not stand at " + d.to_string() + ": advance() it there first");
  }

  ScoreTable table(std::vector<std::uint32_t> clients, Date d) const {
    ScoreTable t;
    t.as_of = d;
    t.model_fingerprint = fingerprint_;
    t.ledger = &ledger_;
    t.generation = ledger_.generation();
    t.client = std::move(clients);
    const auto n = static_cast<Eigen::Index>(t.client.size());
    t.sub.resize(n, factor_count);
    t.contribution.resize(n, factor_count);
    t.score.resize(n);
    t.band.resize(t.client.size());
    for (const auto& [data, bytes] : {std::pair<const void*, std::size_t>{t.sub.data(), t.sub.size() * sizeof(double)},
                                      {t.contribution.data(), t.contribution.size() * sizeof(double)},
                                      {t.score.data(), t.score.size() * sizeof(double)}})
      detail::advise_huge_pages_within(data, bytes);
    const AsOf as_of = as_of_inputs(d);
    const auto points = factor_points(model_);
    constexpr std::size_t block = 256;
    detail::parallel_rows(t.client.size(), threads_, block, [&](unsigned, std::size_t first, std::size_t last) {
      std::vector<FeatureRow> f(std::min(last - first, block));
      for (std::size_t r0 = first; r0 < last; r0 += block) {
        const std::size_t b = std::min(block, last - r0);
        for (std::size_t r = 0; r < b; ++r) extract_features(ledger_, t.client[r0 + r], as_of, model_, f[r]);
        evaluate_factor_rows(f.front().data(), b, feature_count, model_, &t.sub(static_cast<Eigen::Index>(r0), 0));
      }
      const auto rows = static_cast<Eigen::Index>(last - first), top = static_cast<Eigen::Index>(first);
      t.contribution.middleRows(top, rows).noalias() = t.sub.middleRows(top, rows) * points.asDiagonal();
      for (Eigen::Index r = top; r < top + rows; ++r) {
        t.score(r) = finish_row(&t.contribution(r, 0), model_);
        t.band[static_cast<std::size_t>(r)] = band_of(t.score(r), model_);
      }
    });
    return t;
  }

  // One client through the same functions as a table (features, factors, contributions, sum),
  // so its bits are those of its row in score_all().
  Score explain_row(std::uint32_t index, Date d) const {
    Score out;
    out.client = ledger_.client_id(index);
    out.as_of = d;
    out.model_fingerprint = fingerprint_;
    extract_features(ledger_, index, as_of_inputs(d), model_, out.features, &out.key);
    FactorParts parts;
    evaluate_factors(out.features.data(), model_, out.sub, &parts);
    const auto points = factor_points(model_);
    for (int k = 0; k < factor_count; ++k)
      out.contribution[static_cast<std::size_t>(k)] = out.sub[static_cast<std::size_t>(k)] * points(k);
    out.score = finish_row(out.contribution.data(), model_);
    out.band = band_of(out.score, model_);
    out.reasons = clientrisk::explain(out.features, model_, out.contribution, parts, language_);
    return out;
  }

  Model model_;
  std::string fingerprint_;
  Ledger ledger_;
  unsigned threads_ = 1;
  Language language_ = Language::en;
  std::optional<std::int64_t> portfolio_12m_;
};

}  // namespace v1
}  // namespace clientrisk
