// Many threads on one engine (docs/threading.md): eight score while one posts, and every score
// they got is checked against a single-threaded engine given the same events; and how batch
// scoring shares its rows among threads. Run under ThreadSanitizer by the tsan preset.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "clientrisk/detail/parallel.hpp"
#include "clientrisk/error.hpp"
#include "clientrisk/generate.hpp"
#include "clientrisk/shared_engine.hpp"

using namespace clientrisk;

namespace {

std::uint64_t bits(double v) { return std::bit_cast<std::uint64_t>(v); }

// The events a month at a time, in date order.
std::vector<std::vector<Event>> by_month(const std::vector<Event>& events) {
  std::map<std::int32_t, std::vector<Event>> months;
  for (const Event& e : events) {
    const CivilDate c = e.date.civil();
    months[c.year * 12 + static_cast<std::int32_t>(c.month)].push_back(e);
  }
  std::vector<std::vector<Event>> out;
  for (auto& [key, batch] : months) out.push_back(std::move(batch));
  return out;
}

struct Seen {
  Date as_of;
  std::vector<std::string> client;
  std::vector<std::uint64_t> score;  // the bits of each score, then of each contribution
};

Seen seen_of(const ScoreTable& t, const Engine& e) {
  Seen s{t.as_of, {}, {}};
  for (std::size_t r = 0; r < t.size(); ++r) {
    s.client.emplace_back(e.client_id(t.client[r]));
    s.score.push_back(bits(t.score(static_cast<Eigen::Index>(r))));
    for (int k = 0; k < factor_count; ++k) s.score.push_back(bits(t.contribution(static_cast<Eigen::Index>(r), k)));
  }
  return s;
}

}  // namespace

TEST(Concurrency, EightThreadsScoreWhileOnePostsAndEveryScoreIsASingleThreadedOne) {
  GenerateOptions o;
  o.clients = 80;
  o.months = 18;
  o.seed = 21;
  const std::vector<Event> events = generate_events(o);
  const auto months = by_month(events);
  ASSERT_GE(months.size(), 18u);

  SharedEngine shared;
  shared.post(months[0]);
  std::atomic<bool> posting{true};
  std::atomic<int> errors{0}, tables_done{0}, singles_done{0};
  std::mutex seen_mutex;
  std::vector<Seen> seen;
  std::vector<std::pair<Date, Score>> seen_one;
  std::vector<std::thread> scorers;
  for (int t = 0; t < 8; ++t)
    scorers.emplace_back([&, t] {
      int rounds = 0;
      do {
        try {
          if (t % 2 == 0) {
            // The whole table as of the latest event posted, and one row of it explained.
            const ScoreTable table = shared.score_all();
            Seen s = shared.read([&](const Engine& e) { return seen_of(table, e); });
            const std::lock_guard hold(seen_mutex);
            seen.push_back(std::move(s));
          } else {
            const std::string client = "C" + std::string(6 - std::to_string(1 + (rounds * 7 + t) % 40).size(), '0') +
                                       std::to_string(1 + (rounds * 7 + t) % 40);
            Score s = shared.score(client);
            const std::lock_guard hold(seen_mutex);
            seen_one.emplace_back(s.as_of, std::move(s));
          }
        } catch (const InvalidInput&) {
          ++errors;  // a client without events yet: counted, and checked below to be rare
        }
        ++rounds;
        ++(t % 2 == 0 ? tables_done : singles_done);
      } while (posting || rounds < 20);
    });
  // Each month posted once the scorers have had a few rounds at the one before.
  for (std::size_t m = 1; m < months.size(); ++m) {
    while (tables_done < static_cast<int>(2 * m) || singles_done < static_cast<int>(2 * m)) std::this_thread::yield();
    shared.post(months[m]);
  }
  posting = false;
  for (auto& t : scorers) t.join();

  // Each date seen, replayed by one thread on a fresh engine given the events up to that date.
  std::map<std::int32_t, std::vector<const Seen*>> tables;
  for (const Seen& s : seen) tables[s.as_of.days()].push_back(&s);
  std::map<std::int32_t, std::vector<const std::pair<Date, Score>*>> singles;
  for (const auto& s : seen_one) singles[s.first.days()].push_back(&s);
  std::size_t checked = 0;
  for (const auto& [day, list] : tables) {
    Engine replay;
    std::vector<Event> upto;
    for (const Event& e : events)
      if (e.date.days() <= day) upto.push_back(e);
    replay.post(upto);
    const Seen expected = seen_of(replay.score_all(Date::from_days(day)), replay);
    for (const Seen* s : list) {
      ASSERT_EQ(s->client, expected.client) << Date::from_days(day).to_string();
      ASSERT_EQ(s->score, expected.score) << Date::from_days(day).to_string();
      ++checked;
    }
  }
  for (const auto& [day, list] : singles) {
    Engine replay;
    std::vector<Event> upto;
    for (const Event& e : events)
      if (e.date.days() <= day) upto.push_back(e);
    replay.post(upto);
    for (const auto* s : list) {
      const Score expected = replay.score(s->second.client, Date::from_days(day));
      ASSERT_EQ(bits(s->second.score), bits(expected.score)) << s->second.client;
      for (std::size_t k = 0; k < expected.contribution.size(); ++k)
        ASSERT_EQ(bits(s->second.contribution[k]), bits(expected.contribution[k]));
      ++checked;
    }
  }
  EXPECT_GE(tables.size(), 2u) << "the scorers saw the posts land";
  EXPECT_GE(singles.size(), 2u);
  EXPECT_GE(checked, 160u);
  EXPECT_LT(errors.load(), static_cast<int>(checked));
  // The final state equals a single thread's.
  Engine one;
  one.post(events);
  const Seen expected = seen_of(one.score_all(), one);
  EXPECT_EQ(shared.read([&](const Engine& e) { return e.default_as_of(); }), one.default_as_of());
  const ScoreTable last = shared.score_all();
  EXPECT_EQ(shared.read([&](const Engine& e) { return seen_of(last, e); }).score, expected.score);
}

TEST(Concurrency, ScoresOfTheDateTheEngineStandsAtRunUnderTheSharedLock) {
  GenerateOptions o;
  o.clients = 30;
  o.months = 6;
  Engine e;
  e.post(generate_events(o));
  const Date d = e.default_as_of();
  EXPECT_FALSE(e.stands_at(d));
  EXPECT_THROW((void)e.score_all_at(d), InvalidInput);  // not advanced yet
  EXPECT_EQ(e.advance(), d);
  ASSERT_TRUE(e.stands_at(d));
  const ScoreTable moved = e.score_all();
  const ScoreTable read = std::as_const(e).score_all_at(d);
  ASSERT_EQ(read.size(), moved.size());
  for (std::size_t r = 0; r < read.size(); ++r)
    EXPECT_EQ(bits(read.score(static_cast<Eigen::Index>(r))), bits(moved.score(static_cast<Eigen::Index>(r))));
  // An event due by d: the engine no longer stands at d until advanced again.
  Event late = generate_events(o).front();
  late.client = "LATE";
  late.ref = "LATE-1";
  late.date = d;
  late.due = d + 30;
  e.post(late);
  EXPECT_TRUE(e.stands_at(d));  // dated on or before the horizon: applied as it is posted
  Event next = late;
  next.ref = "LATE-2";
  next.date = d + 1;
  next.due = d + 31;
  e.post(next);
  EXPECT_TRUE(e.stands_at(d));  // waits for its date
  EXPECT_FALSE(e.stands_at(d + 1));
  EXPECT_THROW(e.advance(d + -1), InvalidInput);

  // Scorers of one date, in parallel, all get the same bits.
  SharedEngine shared(std::move(e));
  std::vector<std::thread> threads;
  std::atomic<int> differ{0};
  const ScoreTable first = shared.score_all(d);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        const ScoreTable t2 = shared.score_all(d);
        for (std::size_t r = 0; r < t2.size(); ++r)
          if (bits(t2.score(static_cast<Eigen::Index>(r))) != bits(first.score(static_cast<Eigen::Index>(r)))) ++differ;
        (void)shared.explain(t2, 0);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(differ.load(), 0);
}

// --- detail::parallel_rows -------------------------------------------------------------------

TEST(Threads, ParallelRowsWorksEveryRowOnceInPiecesOfTheGrain) {
  for (std::size_t rows : {1u, 1000u, 1024u, 100000u, 100003u}) {
    for (unsigned threads : {2u, 3u, 8u}) {
      constexpr std::size_t grain = 64;
      std::vector<std::atomic<int>> worked(rows);
      std::vector<std::vector<std::pair<std::size_t, std::size_t>>> pieces(threads);
      detail::parallel_rows(rows, threads, grain, [&](unsigned t, std::size_t first, std::size_t last) {
        pieces[t].emplace_back(first, last);  // each thread its own vector
        for (std::size_t r = first; r < last; ++r) worked[r].fetch_add(1);
      });
      for (std::size_t r = 0; r < rows; ++r) ASSERT_EQ(worked[r].load(), 1) << rows << " rows, row " << r;
      for (const auto& of_thread : pieces)
        for (const auto& [first, last] : of_thread) {
          EXPECT_LT(first, last);
          EXPECT_EQ(first % grain, 0u);
          EXPECT_TRUE(last == rows || last % grain == 0) << last;
        }
    }
  }
}

// A thread held up (here: thread 1 waits in its first piece until the others are done) does not
// hold up the rest of the work: the calling thread takes every other piece, the rest of thread
// 1's share included. With rows split in fixed shares, thread 1 would still have half of them.
TEST(Threads, ParallelRowsLetsTheOtherThreadsTakeTheWorkOfOneHeldUp) {
  constexpr std::size_t rows = 64 * 1024, grain = 64;
  std::atomic<std::size_t> done{0};
  std::atomic<bool> timed_out{false};
  std::vector<std::size_t> rows_of(2, 0);
  detail::parallel_rows(rows, 2, grain, [&](unsigned t, std::size_t first, std::size_t last) {
    if (t == 1 && rows_of[1] == 0) {
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (done.load() + (last - first) < rows && !timed_out) {
        timed_out = std::chrono::steady_clock::now() > give_up;
        std::this_thread::yield();
      }
    }
    rows_of[t] += last - first;
    done.fetch_add(last - first);
  });
  EXPECT_FALSE(timed_out);
  EXPECT_EQ(rows_of[0] + rows_of[1], rows);
  EXPECT_LE(rows_of[1], rows / 32);  // its one piece
}

TEST(Threads, ParallelRowsRethrowsTheErrorOfTheLowestPieceThatThrewAfterWorkingTheRest) {
  constexpr std::size_t rows = 10000, grain = 10;
  for (unsigned threads : {2u, 3u, 8u}) {
    std::vector<std::atomic<int>> worked(rows);
    try {
      detail::parallel_rows(rows, threads, grain, [&](unsigned, std::size_t first, std::size_t last) {
        for (std::size_t r = first; r < last; ++r) worked[r].fetch_add(1);
        for (std::size_t bad : {std::size_t{7012}, std::size_t{2503}, std::size_t{9999}})
          if (first <= bad && bad < last) throw InvalidInput("row " + std::to_string(bad));
      });
      ADD_FAILURE() << "no error with " << threads << " threads";
    } catch (const InvalidInput& e) {
      EXPECT_STREQ(e.what(), "row 2503") << threads << " threads";
    }
    for (std::size_t r = 0; r < rows; ++r) ASSERT_EQ(worked[r].load(), 1) << "row " << r;
  }
}
