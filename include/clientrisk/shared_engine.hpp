// An engine that many threads score while others post to it (docs/threading.md).
//
// Scoring a date the engine's state already stands at only reads it, so those scores run under a
// shared lock, side by side; posting, and moving the state to a new date, take the lock alone.
// Every score is the one a single-threaded engine gives after the same events, bit for bit.
#pragma once

#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detail/shared_mutex.hpp"
#include "engine.hpp"

namespace clientrisk {
inline namespace v1 {

// The lock of a SharedEngine: a writer waiting goes before new readers, so a poster is never
// starved by scorers that keep the lock shared between them (std::shared_mutex may prefer readers).
using SharedMutex = detail::WriterFirstMutex;

// f(const Engine&, Date) for the state of e as of as_of (e's default date when omitted): under a
// shared lock of m when e stands at that date already; else e is advanced to it under the lock
// held alone, and f runs before the lock is let go, so no post can slip in between.
template <class Mutex, class F>
auto with_state_at(Mutex& m, Engine& e, std::optional<Date> as_of, F&& f) {
  {
    const std::shared_lock read(m);
    const Date d = as_of ? *as_of : e.default_as_of();
    if (e.stands_at(d)) return f(std::as_const(e), d);
  }
  const std::unique_lock write(m);
  const Date d = e.advance(as_of);
  return f(std::as_const(e), d);
}

class SharedEngine {
 public:
  explicit SharedEngine(Engine engine = Engine{}) : engine_(std::move(engine)) {}

  void post(const Event& e) {
    const std::unique_lock write(mutex_);
    engine_.post(e);
  }
  void post(std::span<const Event> events) {
    const std::unique_lock write(mutex_);
    engine_.post(events);
  }
  std::vector<Rejection> post_lenient(std::span<const Event> events) {
    const std::unique_lock write(mutex_);
    return engine_.post_lenient(events);
  }

  Score score(std::string_view client, std::optional<Date> as_of = std::nullopt) {
    return score_of(mutex_, engine_, client, as_of);
  }
  ScoreTable score_all(std::optional<Date> as_of = std::nullopt) {
    return with_state_at(mutex_, engine_, as_of, [](const Engine& e, Date d) { return e.score_all_at(d); });
  }
  ScoreTable score_clients(std::span<const std::string> ids, std::optional<Date> as_of = std::nullopt) {
    return with_state_at(mutex_, engine_, as_of, [&](const Engine& e, Date d) { return e.score_clients_at(ids, d); });
  }
  // Row `row` of a table scored by this engine, explained; throws InvalidInput once events have
  // been applied since the table was made.
  Score explain(const ScoreTable& t, std::size_t row) const {
    const std::shared_lock read(mutex_);
    return engine_.explain(t, row);
  }

  // Engine::score() of e under m: an unknown client is refused before the state moves.
  template <class Mutex>
  static Score score_of(Mutex& m, Engine& e, std::string_view client, std::optional<Date> as_of) {
    {
      const std::shared_lock read(m);
      if (e.ledger().client_index(client) == Ledger::npos)
        throw InvalidInput("unknown client '" + std::string(client) + "'");
    }
    return with_state_at(m, e, as_of, [&](const Engine& en, Date d) { return en.score_at(client, d); });
  }

  // f(const Engine&) under the shared lock, beside the scorers.
  template <class F>
  decltype(auto) read(F&& f) const {
    const std::shared_lock read(mutex_);
    return std::forward<F>(f)(engine_);
  }
  // f(Engine&) with the lock held alone: for set_model(), set_threads(), save_snapshot() and the like.
  template <class F>
  decltype(auto) write(F&& f) {
    const std::unique_lock write(mutex_);
    return std::forward<F>(f)(engine_);
  }

 private:
  mutable SharedMutex mutex_;
  Engine engine_;
};

}  // namespace v1
}  // namespace clientrisk
