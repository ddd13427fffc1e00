#include "clientrisk/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "clientrisk/generate.hpp"
#include "test_events.hpp"

using namespace clientrisk;
using namespace clientrisk::test;

namespace {

// --- events -------------------------------------------------------------------------------

// `n` prompt payers of equal size, "peer0" to "peer<n-1>", over 24 months to `until`.
std::vector<Event> peers(int n, Date until) {
  std::vector<Event> out;
  for (int c = 0; c < n; ++c) {
    auto one = prompt_payer("peer" + std::to_string(c), 24, 150000, until);
    out.insert(out.end(), one.begin(), one.end());
  }
  return out;
}


// --- generated ledgers --------------------------------------------------------------------

constexpr std::uint64_t kClients = 250;

const std::vector<Event>& generated(std::uint64_t seed) {
  static std::map<std::uint64_t, std::vector<Event>> cache;
  auto it = cache.find(seed);
  if (it == cache.end()) {
    GenerateOptions o;
    o.clients = kClients;
    o.months = 24;
    o.seed = seed;
    it = cache.emplace(seed, generate_events(o)).first;
  }
  return it->second;
}

const std::vector<std::uint64_t> kSeeds = {1, 2, 3};

Date latest(const std::vector<Event>& events) {
  Date d = events.front().date;
  for (const Event& e : events) d = std::max(d, e.date);
  return d;
}

// One client's row of a score table, by client id.
struct Row {
  double score;
  Band band;
  std::array<double, factor_count> sub, contribution;
};

std::map<std::string, Row> rows_of(const Engine& engine, const ScoreTable& t) {
  std::map<std::string, Row> out;
  for (std::size_t r = 0; r < t.size(); ++r) {
    const auto i = static_cast<Eigen::Index>(r);
    Row row{t.score(i), t.band[r], {}, {}};
    for (int k = 0; k < factor_count; ++k) {
      row.sub[static_cast<std::size_t>(k)] = t.sub(i, k);
      row.contribution[static_cast<std::size_t>(k)] = t.contribution(i, k);
    }
    const bool inserted = out.emplace(std::string(engine.client_id(t.client[r])), row).second;
    EXPECT_TRUE(inserted) << "client listed twice: " << engine.client_id(t.client[r]);
  }
  return out;
}

bool same_bits(const Row& a, const Row& b) {
  if (bits(a.score) != bits(b.score) || a.band != b.band) return false;
  for (std::size_t k = 0; k < a.sub.size(); ++k)
    if (bits(a.sub[k]) != bits(b.sub[k]) || bits(a.contribution[k]) != bits(b.contribution[k])) return false;
  return true;
}

// The same clients, and every one with the same bits; reports the first few that differ.
void expect_same_rows(const std::map<std::string, Row>& expected, const std::map<std::string, Row>& actual,
                      const std::string& what) {
  EXPECT_EQ(expected.size(), actual.size()) << what << ": not the same number of clients";
  int differ = 0;
  std::ostringstream first;
  for (const auto& [id, row] : expected) {
    auto it = actual.find(id);
    if (it == actual.end()) {
      ADD_FAILURE() << what << ": " << id << " is missing";
      continue;
    }
    if (!same_bits(row, it->second)) {
      if (differ < 5) {
        first.precision(17);
        first << "\n  " << id << ": score " << row.score << " vs " << it->second.score;
        for (std::size_t k = 0; k < row.sub.size(); ++k)
          if (bits(row.sub[k]) != bits(it->second.sub[k]))
            first << ", " << factor_names[k] << " " << row.sub[k] << " vs " << it->second.sub[k];
      }
      ++differ;
    }
  }
  for (const auto& [id, row] : actual)
    if (!expected.count(id)) ADD_FAILURE() << what << ": " << id << " is listed but should not be";
  EXPECT_EQ(differ, 0) << what << ": " << differ << " client(s) differ in their bits" << first.str();
}

void fisher_yates(std::vector<Event>& v, std::mt19937_64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<std::size_t>(rng() % i)]);
}

// Splits events (in the given order) into `batches` random batches, keeping each event that
// refers to an invoice or contract in the batch of its target or a later one, and a resolution
// no earlier than the dispute it resolves. Returns the batches in posting order.
std::vector<std::vector<Event>> random_batches(const std::vector<Event>& events, std::size_t batches,
                                               std::mt19937_64& rng) {
  std::vector<std::size_t> batch(events.size());
  for (std::size_t& b : batch) b = static_cast<std::size_t>(rng() % batches);
  auto key = [](const Event& e, bool contract) { return e.client + (contract ? "\x1f" "C" : "\x1f" "I") + e.ref; };
  std::map<std::string, std::size_t> target, opened;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (e.kind == EventKind::invoice) target[key(e, false)] = batch[i];
    if (e.kind == EventKind::contract_signed) target[key(e, true)] = batch[i];
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (e.ref.empty() || e.kind == EventKind::invoice || e.kind == EventKind::contract_signed) continue;
    batch[i] = std::max(batch[i], target.at(key(e, e.kind == EventKind::contract_cancelled)));
    if (e.kind == EventKind::dispute_opened) {
      std::size_t& o = opened[key(e, false)];
      o = std::max(o, batch[i]);
    }
  }
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i].kind == EventKind::dispute_resolved) batch[i] = std::max(batch[i], opened.at(key(events[i], false)));
  std::vector<std::vector<Event>> out(batches);
  for (std::size_t i = 0; i < events.size(); ++i) out[batch[i]].push_back(events[i]);
  return out;
}

}  // namespace

// --- properties over generated ledgers --------------------------------------------------------

// score_all lists the clients with an applied event: a client whose only events wait for a later
// date is left out until they apply, and a batch that is rejected adds no client.
TEST(Engine, ScoreAllListsTheClientsWithAppliedEvents) {
  Engine engine;
  engine.post(std::vector<Event>{invoice(day("2024-01-10"), "A", "F1", 10000, day("2024-02-09")),
                                 invoice(day("2024-01-20"), "B", "F1", 20000, day("2024-02-19"))});
  engine.advance(day("2024-01-31"));
  engine.post(std::vector<Event>{invoice(day("2024-03-05"), "C", "F1", 5000, day("2024-04-04"))});  // waits
  EXPECT_THROW(engine.post(std::vector<Event>{payment(day("2024-03-06"), "D", "nope", 100)}), InvalidInput);
  EXPECT_EQ(engine.ledger().client_count(), 3u);
  EXPECT_EQ(engine.ledger().clients_with_events(), 2u);
  ScoreTable t = engine.score_all(day("2024-02-29"));
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(engine.client_id(t.client[0]), "A");
  EXPECT_EQ(engine.client_id(t.client[1]), "B");
  t = engine.score_all(day("2024-03-31"));
  EXPECT_EQ(engine.ledger().clients_with_events(), 3u);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(engine.client_id(t.client[2]), "C");
}

TEST(GeneratedLedger, ContributionsSumToTheScore) {
  for (std::uint64_t seed : kSeeds) {
    Engine engine;
    engine.post(generated(seed));
    for (Date d : {day("2023-09-30"), day("2024-06-15"), engine.default_as_of()}) {
      const ScoreTable t = engine.score_all(d);
      ASSERT_GT(t.size(), kClients / 2) << "seed " << seed << " as of " << d.to_string();
      for (Eigen::Index r = 0; r < static_cast<Eigen::Index>(t.size()); ++r) {
        double sum = 0;
        for (int k = 0; k < factor_count; ++k) {
          sum += t.contribution(r, k);
          ASSERT_GE(t.sub(r, k), 0.0);
          ASSERT_LE(t.sub(r, k), 1.0);
        }
        ASSERT_NEAR(sum, t.score(r), 1e-9) << "seed " << seed << " client " << engine.client_id(t.client[static_cast<std::size_t>(r)]);
        ASSERT_GE(t.score(r), 0.0);
        ASSERT_LE(t.score(r), 100.0);
        ASSERT_EQ(t.band[static_cast<std::size_t>(r)], band_of(t.score(r), engine.model()));
      }
    }
  }
}

TEST(GeneratedLedger, PortfolioCoversEveryBand) {
  // The other properties are only as strong as the ledgers are varied.
  Engine engine;
  engine.post(generated(1));
  const ScoreTable t = engine.score_all();
  std::set<Band> bands(t.band.begin(), t.band.end());
  EXPECT_TRUE(bands.count(Band::low));
  EXPECT_GE(bands.size(), 3u);
}

TEST(GeneratedLedger, ExtraOverdueInvoiceNeverLowersNonPayment) {
  for (std::uint64_t seed : kSeeds) {
    const std::vector<Event>& events = generated(seed);
    const Date end = latest(events);
    // Mid-history, the extra invoice due the day before; after the history, 110 days past due.
    for (const auto& [as_of, issued, due] : {std::tuple{day("2024-05-15"), day("2024-05-14"), day("2024-05-14")},
                                            std::tuple{end + 120, end + 1, end + 10}}) {
      Engine plain, extra;
      plain.post(events);
      std::vector<Event> more = events;
      for (std::uint64_t c = 1; c <= kClients; ++c) {
        std::string id = std::to_string(c);
        id = "C" + std::string(6 - id.size(), '0') + id;
        more.push_back(invoice(issued, id, "EXTRA", 100000, due));
      }
      extra.post(more);
      const ScoreTable a = plain.score_all(as_of), b = extra.score_all(as_of);
      const auto ra = rows_of(plain, a), rb = rows_of(extra, b);
      int raised = 0;
      for (const auto& [id, row] : ra) {
        ASSERT_TRUE(rb.count(id)) << id;
        const double before = row.sub[at(Factor::non_payment)], after = rb.at(id).sub[at(Factor::non_payment)];
        EXPECT_GE(after, before) << "seed " << seed << " " << id << " as of " << as_of.to_string();
        raised += after > before;
        if (raised % 8 == 1) {  // a sample: the extra invoice is indeed overdue then
          EXPECT_EQ(extra.score(id, as_of).key.overdue - plain.score(id, as_of).key.overdue, Money::from_cents(100000))
              << id;
        }
      }
      EXPECT_GT(raised, 0) << "the extra invoice never mattered";
    }
  }
}

TEST(GeneratedLedger, ShuffledBatchesGiveTheSameScores) {
  for (std::uint64_t seed : {std::uint64_t{1}, std::uint64_t{2}}) {
    const std::vector<Event>& events = generated(seed);
    const Date as_of = latest(events);
    Engine reference;
    reference.post(events);
    const auto expected = rows_of(reference, reference.score_all(as_of));

    std::mt19937_64 rng(seed * 7919);
    std::vector<Event> shuffled = events;
    fisher_yates(shuffled, rng);
    {
      Engine engine;
      engine.post(shuffled);
      expect_same_rows(expected, rows_of(engine, engine.score_all(as_of)),
                       "seed " + std::to_string(seed) + ", shuffled, one batch");
    }
    for (std::size_t batches : {std::size_t{2}, std::size_t{7}, std::size_t{40}}) {
      Engine engine;
      for (const std::vector<Event>& b : random_batches(shuffled, batches, rng)) engine.post(b);
      expect_same_rows(expected, rows_of(engine, engine.score_all(as_of)),
                       "seed " + std::to_string(seed) + ", shuffled, " + std::to_string(batches) + " batches");
    }
  }
}

// Waiting events carry the registry entries validation found; batches that grow the registry,
// rejected batches that erase what they registered, and an advance to a date between the events
// must leave each waiting event applied to its own invoice.
TEST(GeneratedLedger, WaitingEventsSurviveRegistryGrowthRejectedBatchesAndPartialAdvances) {
  const std::vector<Event>& events = generated(3);
  const Date as_of = latest(events);
  Engine reference;
  reference.post(events);
  const auto expected = rows_of(reference, reference.score_all(as_of));
  Date first = events.front().date;
  for (const Event& e : events) first = std::min(first, e.date);
  const Date middle = first + (as_of.days() - first.days()) / 2;

  for (const std::size_t batches : {std::size_t{1}, std::size_t{9}, std::size_t{10}}) {
    const bool rejected_batches = batches == 10;
    std::mt19937_64 rng(batches);
    std::vector<Event> shuffled = events;
    fisher_yates(shuffled, rng);
    Engine engine;
    int k = 0;
    for (const std::vector<Event>& b : random_batches(shuffled, batches, rng)) {
      engine.post(b);
      if (!rejected_batches) continue;
      const std::string client = "zz-" + std::to_string(k++);
      const std::vector<Event> bad = {
          make(middle, client, EventKind::invoice, "R1", 1000, as_of),
          make(middle, client, EventKind::payment, "R2", 1000)};  // an unknown invoice: the batch is refused
      EXPECT_THROW(engine.post(bad), InvalidInput);
    }
    engine.ledger().advance(middle);
    expect_same_rows(expected, rows_of(engine, engine.score_all(as_of)),
                     std::to_string(batches) + " batches" + (rejected_batches ? ", each followed by a rejected one" : ""));
  }
}

TEST(GeneratedLedger, PostingOneAtATimeInAnyOrderGivesTheSameScores) {
  // A smaller ledger: one post per event.
  GenerateOptions o;
  o.clients = 60;
  o.months = 24;
  o.seed = 3;
  const std::vector<Event> events = generate_events(o);
  const Date as_of = latest(events);
  Engine reference;
  reference.post(events);
  const auto expected = rows_of(reference, reference.score_all(as_of));
  {
    std::mt19937_64 rng(4242);
    std::vector<Event> shuffled = events;
    fisher_yates(shuffled, rng);
    Engine engine;
    auto tier = [](const Event& e) {
      if (e.kind == EventKind::invoice || e.kind == EventKind::contract_signed) return 0;
      return e.kind == EventKind::dispute_resolved ? 2 : 1;
    };
    for (std::vector<Event>& b : random_batches(shuffled, shuffled.size(), rng)) {
      // Events that share a batch go one at a time too: what they refer to first.
      std::stable_sort(b.begin(), b.end(), [&](const Event& x, const Event& y) { return tier(x) < tier(y); });
      for (const Event& e : b) engine.post(e);
    }
    expect_same_rows(expected, rows_of(engine, engine.score_all(as_of)), "shuffled, one at a time");
  }
  {
    // Newest first, except that what refers to an earlier event waits for it: the invoices and
    // contracts newest first, then the rest newest first, then the resolutions of disputes.
    Engine engine;
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->kind == EventKind::invoice || it->kind == EventKind::contract_signed) engine.post(*it);
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->kind != EventKind::invoice && it->kind != EventKind::contract_signed &&
          it->kind != EventKind::dispute_resolved)
        engine.post(*it);
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->kind == EventKind::dispute_resolved) engine.post(*it);
    expect_same_rows(expected, rows_of(engine, engine.score_all(as_of)), "newest first, one at a time");
  }
}

TEST(GeneratedLedger, ScoringAsOfADateEqualsScoringTheLedgerCutThere) {
  for (std::uint64_t seed : kSeeds) {
    const std::vector<Event>& events = generated(seed);
    Engine all;  // scored at ascending dates, holding every event
    all.post(events);
    for (Date d : {day("2023-02-14"), day("2023-08-31"), day("2024-01-01"), day("2024-07-19"), day("2024-12-30")}) {
      std::vector<Event> cut;
      for (const Event& e : events)
        if (e.date <= d) cut.push_back(e);
      ASSERT_LT(cut.size(), events.size());
      Engine part;
      part.post(cut);
      expect_same_rows(rows_of(part, part.score_all(d)), rows_of(all, all.score_all(d)),
                       "seed " + std::to_string(seed) + " as of " + d.to_string());
    }
  }
}

TEST(GeneratedLedger, ScoringOneClientGivesTheBitsOfScoreAll) {
  for (std::uint64_t seed : kSeeds) {
    Engine engine;
    engine.post(generated(seed));
    const Date d = day("2024-10-31");
    const ScoreTable t = engine.score_all(d);
    for (std::size_t r = 0; r < t.size(); ++r) {
      const auto i = static_cast<Eigen::Index>(r);
      const std::string id(engine.client_id(t.client[r]));
      const Score s = engine.score(id, d);
      ASSERT_EQ(bits(s.score), bits(t.score(i))) << id;
      ASSERT_EQ(s.band, t.band[r]) << id;
      for (int k = 0; k < factor_count; ++k) {
        ASSERT_EQ(bits(s.sub[static_cast<std::size_t>(k)]), bits(t.sub(i, k))) << id;
        ASSERT_EQ(bits(s.contribution[static_cast<std::size_t>(k)]), bits(t.contribution(i, k))) << id;
      }
      const std::vector<std::string> one = {id};
      const ScoreTable listed = engine.score_clients(one, d);
      ASSERT_EQ(bits(listed.score(0)), bits(t.score(i))) << id;
      const Score explained = engine.explain(t, r);
      ASSERT_EQ(bits(explained.score), bits(s.score)) << id;
      ASSERT_EQ(explained.reasons, s.reasons) << id;
    }
  }
}

TEST(GeneratedLedger, ScoreFeaturesReproducesTheEngineWhateverTheBatch) {
  std::vector<double> x;       // rows of features, as a caller would pass them
  std::vector<double> scores;  // the engine's
  std::vector<Band> bands;
  for (std::uint64_t seed : kSeeds) {
    Engine engine;
    engine.post(generated(seed));
    for (Date d : {day("2024-02-29"), day("2024-11-30")}) {
      const ScoreTable t = engine.score_all(d);
      for (std::size_t r = 0; r < t.size(); ++r) {
        const Score s = engine.explain(t, r);
        x.insert(x.end(), s.features.begin(), s.features.end());
        scores.push_back(s.score);
        bands.push_back(s.band);
      }
    }
  }
  const std::size_t rows = scores.size();
  ASSERT_GT(rows, 1000u);
  for (std::size_t batch : {std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
    std::vector<double> got(rows, -1);
    std::vector<Band> got_band(rows);
    for (std::size_t r0 = 0; r0 < rows; r0 += batch) {
      const std::size_t n = std::min(batch, rows - r0);
      score_features(x.data() + r0 * feature_count, n, feature_count, Model{}, got.data() + r0, got_band.data() + r0);
    }
    int differ = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      differ += bits(got[r]) != bits(scores[r]) || got_band[r] != bands[r];
      if (differ == 1 && bits(got[r]) != bits(scores[r]))
        ADD_FAILURE() << "batch " << batch << " row " << r << ": " << got[r] << " vs engine " << scores[r];
    }
    EXPECT_EQ(differ, 0) << "batch " << batch;
  }
  // A wider stride (a caller's matrix with extra columns) gives the same bits.
  constexpr std::size_t stride = feature_count + 3;
  std::vector<double> wide(rows * stride, 7.0);
  for (std::size_t r = 0; r < rows; ++r)
    std::copy_n(x.data() + r * feature_count, feature_count, wide.data() + r * stride);
  std::vector<double> got(rows);
  score_features(wide.data(), rows, stride, Model{}, got.data(), nullptr);
  for (std::size_t r = 0; r < rows; ++r) ASSERT_EQ(bits(got[r]), bits(scores[r])) << "row " << r;
}

// --- reasons ---------------------------------------------------------------------------------

TEST(Reasons, AtMostFourLargestFirstFromPositiveContributions) {
  std::set<std::string> known;
  for (const auto& codes : detail::reason_codes)
    for (const char* c : codes)
      if (c) known.insert(c);
  int with_four = 0, with_none = 0;
  for (std::uint64_t seed : kSeeds) {
    Engine engine;
    engine.post(generated(seed));
    const ScoreTable t = engine.score_all();
    for (std::size_t r = 0; r < t.size(); ++r) {
      const Score s = engine.explain(t, r);
      int positive = 0;
      for (double c : s.contribution) positive += c > 0;
      ASSERT_LE(s.reasons.size(), 4u);
      ASSERT_EQ(s.reasons.size(), static_cast<std::size_t>(std::min(positive, 4))) << s.client;
      with_four += s.reasons.size() == 4;
      with_none += s.reasons.empty();
      for (std::size_t i = 0; i < s.reasons.size(); ++i) {
        const Reason& reason = s.reasons[i];
        EXPECT_TRUE(known.count(reason.code)) << reason.code;
        bool of_factor = false;
        for (const char* c : detail::reason_codes[at(reason.factor)]) of_factor |= c && reason.code == c;
        EXPECT_TRUE(of_factor) << reason.code << " is not a code of " << to_string(reason.factor);
        EXPECT_GT(reason.points, 0.0);
        EXPECT_EQ(bits(reason.points), bits(s.contribution[at(reason.factor)]));
        EXPECT_FALSE(reason.text.empty());
        if (i > 0) {
          EXPECT_GE(s.reasons[i - 1].points, reason.points) << s.client;
        }
      }
      // Every factor left out weighs no more than the last reason given.
      if (!s.reasons.empty())
        for (int k = 0; k < factor_count; ++k) {
          bool given = false;
          for (const Reason& reason : s.reasons) given |= at(reason.factor) == static_cast<std::size_t>(k);
          if (!given) {
            EXPECT_LE(s.contribution[static_cast<std::size_t>(k)], s.reasons.back().points) << s.client;
          }
        }
    }
  }
  EXPECT_GT(with_four + with_none, 0);
}

TEST(Reasons, NameTheDominantPartOfEachFactor) {
  const Date d = day("2024-06-30");
  std::vector<Event> events = {
      invoice(day("2024-01-05"), "risky", "F1", 500000, day("2024-02-04")),  // 147 days past due
      notice(day("2024-05-01"), "risky", "lawsuit"),
      complaint(day("2024-06-01"), "risky", 5),
      review(day("2024-06-02"), "risky", 1),
      make(day("2024-01-10"), "risky", EventKind::contract_signed, "K1", 0),
      make(day("2024-03-10"), "risky", EventKind::contract_cancelled, "K1", {}, {}, "early"),
  };
  Engine engine;
  engine.post(events);
  const Score s = engine.score("risky", d);
  ASSERT_EQ(s.reasons.size(), 4u);
  EXPECT_EQ(s.reasons[0].code, "NP-OVER-90");
  EXPECT_EQ(s.reasons[1].code, "LG-LAWSUIT");
  EXPECT_EQ(s.reasons[0].factor, Factor::non_payment);
  EXPECT_EQ(s.reasons[1].factor, Factor::legal);
  EXPECT_EQ(s.reasons[0].text, "5000.00 more than 90 days past due, the oldest 147 days");
}

TEST(Reasons, NoneForAPromptPayer) {
  const Date until = day("2024-12-15");
  Engine engine;
  engine.post(peers(40, until));
  EXPECT_TRUE(engine.score("peer7", until).reasons.empty());
}

// --- business rules --------------------------------------------------------------------------

TEST(EngineRules, PromptPayerInALargePortfolioScoresZero) {
  const Date until = day("2024-12-15");
  Engine engine;
  engine.post(peers(40, until));
  const ScoreTable t = engine.score_all(until);
  ASSERT_EQ(t.size(), 40u);
  for (std::size_t r = 0; r < t.size(); ++r) {
    EXPECT_EQ(t.score(static_cast<Eigen::Index>(r)), 0.0) << engine.client_id(t.client[r]);
    EXPECT_EQ(t.band[r], Band::low);
  }
  const Score s = engine.score("peer0", until);
  EXPECT_EQ(s.score, 0.0);
  EXPECT_EQ(s.key.overdue.cents(), 0);
  EXPECT_EQ(s.key.outstanding.cents(), 150000) << "December's invoice, not yet due";
}

TEST(EngineRules, InvoiceOneHundredTwentyDaysPastDueIsNeverLow) {
  const Date d = day("2024-12-15");
  const Event overdue = invoice(d - 150, "x", "BIG", 500000, d - 120);
  const std::vector<std::vector<Event>> cases = {
      {overdue},
      peers(40, d) + std::vector<Event>{overdue},
      prompt_payer("x", 24, 150000, d) + peers(40, d) + std::vector<Event>{invoice(d - 150, "x", "BIG", 500000, d - 120)},
      prompt_payer("x", 24, 150000, d) + std::vector<Event>{overdue, review(d - 5, "x", 5), review(d - 4, "x", 5)},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    Engine engine;
    engine.post(cases[i]);
    const Score s = engine.score("x", d);
    EXPECT_NE(s.band, Band::low) << "case " << i << ": score " << s.score;
    EXPECT_EQ(s.key.over_90.cents(), 500000) << "case " << i;
  }
  // Every client of generated ledgers, with such an invoice after its history.
  for (std::uint64_t seed : kSeeds) {
    std::vector<Event> events = generated(seed);
    const Date end = latest(events);
    Engine probe;
    probe.post(events);
    std::vector<std::string> ids;
    for (std::uint32_t i = 0; i < probe.client_count(); ++i) ids.emplace_back(probe.client_id(i));
    for (const std::string& id : ids) events.push_back(invoice(end + 1, id, "LATE-120", 500000, end + 1));
    Engine engine;
    engine.post(events);
    const ScoreTable t = engine.score_all(end + 121);
    for (std::size_t r = 0; r < t.size(); ++r)
      EXPECT_NE(t.band[r], Band::low) << "seed " << seed << " " << engine.client_id(t.client[r]) << ": "
                                      << t.score(static_cast<Eigen::Index>(r));
  }
}

TEST(EngineRules, ClientWithALawsuitIsNeverLow) {
  const Date d = day("2024-12-15");
  const Event lawsuit = notice(d - 200, "x", "lawsuit");
  std::vector<Event> followed = {lawsuit};
  for (int k = 1; k <= 6; ++k)
    followed.push_back(notice(d - 200 + 10 * k, "x", k % 2 ? "formal_notice" : "lawyer_letter"));
  const std::vector<std::vector<Event>> cases = {
      {lawsuit},
      peers(40, d) + std::vector<Event>{lawsuit},
      prompt_payer("x", 24, 150000, d) + peers(40, d) + std::vector<Event>{lawsuit},
      prompt_payer("x", 24, 150000, d) + peers(40, d) + followed,
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    Engine engine;
    engine.post(cases[i]);
    const Score s = engine.score("x", d);
    EXPECT_NE(s.band, Band::low) << "case " << i << ": score " << s.score;
  }
  for (std::uint64_t seed : kSeeds) {
    std::vector<Event> events = generated(seed);
    const Date end = latest(events);
    Engine probe;
    probe.post(events);
    for (std::uint32_t i = 0; i < probe.client_count(); ++i)
      events.push_back(notice(end + 1, std::string(probe.client_id(i)), "lawsuit"));
    Engine engine;
    engine.post(events);
    const ScoreTable t = engine.score_all(end + 30);
    for (std::size_t r = 0; r < t.size(); ++r)
      EXPECT_NE(t.band[r], Band::low) << "seed " << seed << " " << engine.client_id(t.client[r]);
  }
}

TEST(EngineRules, DefaultAsOfIsTheLatestEventDate) {
  Engine engine;
  EXPECT_THROW(engine.default_as_of(), InvalidInput);
  engine.post(std::vector<Event>{complaint(day("2024-03-01"), "a", 1), complaint(day("2024-05-01"), "b", 1),
                                 complaint(day("2024-04-01"), "a", 1)});
  EXPECT_EQ(engine.default_as_of(), day("2024-05-01"));
  EXPECT_EQ(engine.score("a").as_of, day("2024-05-01"));
}

TEST(EngineRules, AsOfGoingBackwardsThrows) {
  Engine engine;
  engine.post(prompt_payer("a", 12, 10000, day("2023-12-31")));
  const double first = engine.score("a", day("2023-10-01")).score;
  EXPECT_THROW(engine.score("a", day("2023-09-30")), InvalidInput);
  EXPECT_THROW(engine.score_all(day("2023-01-01")), InvalidInput);
  const std::vector<std::string> ids = {"a"};
  EXPECT_THROW(engine.score_clients(ids, day("2023-09-01")), InvalidInput);
  // The same date again, and later dates, are fine.
  EXPECT_EQ(engine.score("a", day("2023-10-01")).score, first);
  EXPECT_NO_THROW(engine.score_all(day("2023-12-31")));
  EXPECT_THROW(engine.score_all(day("2023-10-01")), InvalidInput);
}

TEST(EngineRules, UnknownClientThrows) {
  Engine engine;
  engine.post(std::vector<Event>{complaint(day("2024-03-01"), "a", 1), complaint(day("2024-06-01"), "later", 1)});
  EXPECT_THROW(engine.score("nobody", day("2024-06-01")), InvalidInput);
  EXPECT_THROW(engine.score("", day("2024-06-01")), InvalidInput);
  const std::vector<std::string> ids = {"a", "nobody"};
  EXPECT_THROW(engine.score_clients(ids, day("2024-06-01")), InvalidInput);
  // A client whose events all come after the as-of date is unknown then.
  EXPECT_THROW(engine.score("later", day("2024-05-31")), InvalidInput);
  EXPECT_NO_THROW(engine.score("later", day("2024-06-01")));
}

TEST(EngineRules, PostingOneBadEventThrowsAndChangesNothing) {
  const Date d = day("2024-06-30");
  Engine engine;
  engine.post(prompt_payer("a", 18, 10000, d));
  const std::size_t clients = engine.client_count();
  const std::size_t pending = engine.ledger().pending_count();
  Event negative = payment(day("2024-05-01"), "a", "F1", 100);
  negative.amount = Money::from_cents(-100);
  Event no_due = invoice(day("2024-05-01"), "newcomer", "N1", 100, day("2024-05-30"));
  no_due.due.reset();
  const std::vector<Event> bad = {
      negative,
      no_due,
      payment(day("2024-05-01"), "newcomer", "N1", 100),           // unknown invoice, new client
      invoice(day("2024-05-01"), "a", "F1", 100, day("2024-05-30")),  // duplicate invoice id
      payment(day("2022-05-01"), "a", "F1", 100),                  // before its invoice
      review(day("2024-05-01"), "another", 0),
      make(day("2024-05-01"), "", EventKind::complaint, {}, {}, {}, "1"),
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    EXPECT_THROW(engine.post(bad[i]), InvalidInput) << "bad event " << i;
    EXPECT_EQ(engine.client_count(), clients) << "bad event " << i;
    EXPECT_EQ(engine.ledger().pending_count(), pending) << "bad event " << i;
  }
  Engine clean;
  clean.post(prompt_payer("a", 18, 10000, d));
  expect_same_rows(rows_of(clean, clean.score_all(d)), rows_of(engine, engine.score_all(d)), "after rejections");
  // The registry kept no trace of the rejected invoice: it can be posted now.
  EXPECT_NO_THROW(engine.post(invoice(day("2024-05-01"), "newcomer", "N1", 100, day("2024-05-30"))));
}

TEST(EngineRules, PostLenientReturnsRejectionsAndAppliesTheRest) {
  Engine engine;
  const std::vector<Event> batch = {
      invoice(day("2024-01-10"), "a", "F1", 100000, day("2024-02-09")),
      payment(day("2024-01-20"), "a", "F2", 5000),  // unknown invoice
      payment(day("2024-01-25"), "a", "F1", 40000),
      review(day("2024-01-26"), "b", 6),  // rating out of range
      review(day("2024-01-27"), "c", 4),
  };
  const std::vector<Rejection> rejected = engine.post_lenient(batch);
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_EQ(rejected[0].index, 1u);
  EXPECT_EQ(rejected[0].column, "ref");
  EXPECT_EQ(rejected[1].index, 3u);
  EXPECT_EQ(rejected[1].column, "detail");
  const Date d = day("2024-01-31");
  EXPECT_EQ(engine.score("a", d).key.outstanding.cents(), 60000);
  EXPECT_NO_THROW(engine.score("c", d));
  EXPECT_THROW(engine.score("b", d), InvalidInput);
  EXPECT_EQ(engine.score_all(d).size(), 2u);
}

TEST(EngineRules, FeatureRowsOfTheEngineAreAcceptedByScoreFeatures) {
  // Three five-star reviews: their decayed mean must not exceed the top rating.
  const std::vector<Event> events = {review(day("2024-01-01"), "c", 5), review(day("2024-01-02"), "c", 5),
                                     review(day("2024-01-01") + 314, "c", 5)};
  Engine engine;
  engine.post(events);
  const Score s = engine.score("c", day("2024-01-01") + 314);
  EXPECT_LE(s.features[at(Feature::rating_mean)], 5.0);
  EXPECT_EQ(feature_problem(s.features.data()), "");
  double score = -1;
  ASSERT_NO_THROW(score_features(s.features.data(), 1, feature_count, Model{}, &score, nullptr));
  EXPECT_EQ(bits(score), bits(s.score));
}

TEST(EngineRules, BackDatedEventsPostedAfterScoringGiveTheSameScores) {
  // A ledger fed as a stream: events reach the engine after a scoring run, dated before it.
  const std::vector<Event> first = {invoice(day("2024-01-05"), "a", "F0", 50000, day("2024-02-04")),
                                    payment(day("2024-01-20"), "a", "", 20000),
                                    invoice(day("2024-01-15"), "b", "G1", 70000, day("2024-02-14"))};
  const std::vector<Event> late = {invoice(day("2024-01-22"), "a", "F1", 100000, day("2024-02-09")),
                                   payment(day("2024-01-25"), "a", "F1", 40000),
                                   payment(day("2024-01-26"), "b", "", 10000)};
  const Date d = day("2024-03-31");
  Engine streamed, batched;
  streamed.post(first);
  (void)streamed.score_all(day("2024-01-31"));
  streamed.post(late);
  batched.post(first + late);
  const ScoreTable s = streamed.score_all(d), b = batched.score_all(d);
  ASSERT_EQ(s.size(), b.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    // Decayed sums are added in another order: equal up to rounding, not bit for bit.
    EXPECT_NEAR(s.score(static_cast<Eigen::Index>(i)), b.score(static_cast<Eigen::Index>(i)), 1e-9);
  }
  EXPECT_EQ(streamed.score("a", d).key, batched.score("a", d).key);
  EXPECT_EQ(streamed.score("b", d).key, batched.score("b", d).key);
}

TEST(EngineRules, BackDatedEventsThatWouldChangeAnAllocationAreRefused) {
  Engine engine;
  engine.post(std::vector<Event>{payment(day("2024-01-20"), "a", "", 100000),
                                 invoice(day("2024-01-25"), "a", "F2", 5000, day("2024-02-25"))});
  (void)engine.score_all(day("2024-01-31"));
  // The payment without ref would have paid an invoice dated before it.
  try {
    engine.post(invoice(day("2024-01-10"), "a", "F1", 100000, day("2024-02-09")));
    FAIL() << "accepted";
  } catch (const InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()),
              "event 0: date: invoice dated 2024-01-10 comes after a payment without ref dated 2024-01-20 was "
              "applied, which it would have received: post it before scoring past that date");
  }
  // A payment without ref dated before applied events would have been allocated differently.
  EXPECT_THROW(engine.post(payment(day("2024-01-22"), "a", "", 100)), InvalidInput);
  // Neither was applied; a referenced back-dated payment is fine.
  EXPECT_EQ(engine.score("a", day("2024-01-31")).key.outstanding.cents(), 5000);
  engine.post(payment(day("2024-01-28"), "a", "F2", 5000));
  EXPECT_EQ(engine.score("a", day("2024-01-31")).key.outstanding.cents(), 0);
}

// --- threads ---------------------------------------------------------------------------------

TEST(Threads, ScoreAllGivesTheSameBitsWhateverTheThreadCount) {
  GenerateOptions o;
  o.clients = 3000;
  o.months = 12;
  Engine engine;
  engine.post(generate_events(o));
  const ScoreTable one = engine.score_all();
  ASSERT_EQ(one.size(), engine.client_count());
  ASSERT_GT(one.size(), 2900u);
  for (unsigned threads : {2u, 3u, 8u, 0u}) {
    engine.set_threads(threads);
    const ScoreTable t = engine.score_all();
    ASSERT_EQ(t.size(), one.size());
    for (std::size_t r = 0; r < t.size(); ++r) {
      ASSERT_EQ(t.client[r], one.client[r]);
      ASSERT_EQ(bits(t.score(static_cast<Eigen::Index>(r))), bits(one.score(static_cast<Eigen::Index>(r))))
          << "threads " << threads << " row " << r;
      ASSERT_EQ(t.band[r], one.band[r]);
      for (int k = 0; k < factor_count; ++k)
        ASSERT_EQ(bits(t.contribution(static_cast<Eigen::Index>(r), k)),
                  bits(one.contribution(static_cast<Eigen::Index>(r), k)));
    }
  }
  EXPECT_THROW(engine.set_threads(max_threads + 1), InvalidInput);
  EXPECT_EQ(engine.threads(), 0u);
}

TEST(Threads, ScoreFeaturesGivesTheSameBitsWhateverTheThreadCountAndNamesTheFirstBadRow) {
  Engine engine;
  engine.post(generated(1));
  const ScoreTable t = engine.score_all();
  constexpr std::size_t rows = 10000;
  std::vector<double> x(rows * feature_count);
  for (std::size_t r = 0; r < rows; ++r) {
    const Score s = engine.explain(t, r % t.size());
    std::copy(s.features.begin(), s.features.end(), x.begin() + static_cast<std::ptrdiff_t>(r * feature_count));
  }
  std::vector<double> one(rows), got(rows);
  score_features(x.data(), rows, feature_count, Model{}, one.data(), nullptr);
  for (unsigned threads : {2u, 3u, 7u, 0u}) {
    std::fill(got.begin(), got.end(), -1.0);
    score_features(x.data(), rows, feature_count, Model{}, got.data(), nullptr, threads);
    for (std::size_t r = 0; r < rows; ++r) ASSERT_EQ(bits(got[r]), bits(one[r])) << "threads " << threads << " row " << r;
  }
  // Bad rows in two ranges: the error names the lower one and nothing is written.
  x[6100 * feature_count + 2] = std::nan("");
  x[9990 * feature_count + 5] = -1;
  std::fill(got.begin(), got.end(), -1.0);
  std::vector<Band> band(rows, Band::critical);
  for (unsigned threads : {1u, 2u, 3u, 7u}) {
    try {
      score_features(x.data(), rows, feature_count, Model{}, got.data(), band.data(), threads);
      ADD_FAILURE() << "threads " << threads << ": no error";
    } catch (const InvalidInput& e) {
      EXPECT_NE(std::string(e.what()).find("row 6100"), std::string::npos) << e.what();
    }
    EXPECT_EQ(std::count(got.begin(), got.end(), -1.0), static_cast<std::ptrdiff_t>(rows));
    EXPECT_EQ(std::count(band.begin(), band.end(), Band::critical), static_cast<std::ptrdiff_t>(rows));
  }
  EXPECT_THROW(score_features(x.data(), 10, feature_count, Model{}, got.data(), nullptr, max_threads + 1), InvalidInput);
}

// A portfolio split among engines (the partitions of a distributed run) scores the same bits as
// one engine once each part is given the whole portfolio's 12-month revenue.
TEST(PortfolioRevenue, PartitionsGivenTheWholeRevenueScoreLikeOneEngine) {
  GenerateOptions g;
  g.clients = 60;
  g.months = 15;
  g.seed = 5;
  const std::vector<Event> events = generate_events(g);
  Engine whole;
  whole.post(events);
  const Date d = *whole.ledger().latest_event_date();
  const ScoreTable expected = whole.score_all(d);
  std::vector<Engine> parts(3);
  for (const Event& e : events) parts[std::hash<std::string>{}(e.client) % parts.size()].post(e);
  std::int64_t revenue = 0;
  for (Engine& p : parts) revenue += p.own_revenue_12m(p.advance(d));
  EXPECT_EQ(revenue, whole.own_revenue_12m(d));
  std::size_t rows = 0, differ_alone = 0;
  std::vector<Eigen::VectorXd> alone_scores;
  for (Engine& p : parts) {
    const ScoreTable alone = p.score_all(d);
    alone_scores.push_back(alone.score);
    p.set_portfolio_revenue_12m(revenue);
    ASSERT_EQ(p.portfolio_revenue_12m(), revenue);
    const ScoreTable t = p.score_all(d);
    for (std::size_t r = 0; r < t.size(); ++r, ++rows) {
      const Score s = p.explain(t, r), w = whole.score(s.client, d);
      EXPECT_EQ(std::bit_cast<std::uint64_t>(s.score), std::bit_cast<std::uint64_t>(w.score)) << s.client;
      EXPECT_EQ(s.key, w.key) << s.client;
      differ_alone += alone.score(static_cast<Eigen::Index>(r)) != t.score(static_cast<Eigen::Index>(r));
    }
  }
  EXPECT_EQ(rows, expected.size());
  EXPECT_GT(differ_alone, 0u);  // without the whole revenue, concentration is taken against the part

  Engine& p = parts[0];
  EXPECT_THROW(p.set_portfolio_revenue_12m(-1), InvalidInput);
  p.set_portfolio_revenue_12m(p.own_revenue_12m(d) - 1);
  try {
    (void)p.score_all(d);
    ADD_FAILURE() << "a revenue below the engine's own was taken";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("is below this engine's own clients' revenue"), std::string::npos) << e.what();
  }
  p.set_portfolio_revenue_12m(std::nullopt);
  EXPECT_EQ(p.score_all(d).score, alone_scores[0]);
}
