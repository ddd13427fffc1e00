// The C ABI seen from C++: the header compiles as C++, and what C callers cannot easily check.
#include "clientrisk/clientrisk.h"

#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <string>
#include <thread>
#include <vector>

#include "clientrisk/generate.hpp"

namespace {

TEST(CApi, TheLastErrorBelongsToTheCallingThread) {
  cr_model* m = nullptr;
  ASSERT_EQ(cr_model_default(&m), CR_OK);
  double v = 0;
  EXPECT_EQ(cr_model_get(m, "nope", &v), CR_ERROR_INVALID_ARGUMENT);
  const std::string here = cr_last_error();
  EXPECT_NE(here.find("'nope'"), std::string::npos) << here;
  std::string there = "unset";
  std::thread([&] { there = cr_last_error(); }).join();
  EXPECT_EQ(there, "");
  EXPECT_EQ(cr_last_error(), here);
  // A success clears the thread's message.
  EXPECT_EQ(cr_model_get(m, "band_high", &v), CR_OK);
  EXPECT_STREQ(cr_last_error(), "");
  cr_model_free(m);
}

TEST(CApi, AnEngineScoresWithACopyOfItsModel) {
  cr_model* m = nullptr;
  ASSERT_EQ(cr_model_default(&m), CR_OK);
  cr_engine* e = nullptr;
  ASSERT_EQ(cr_engine_new(m, &e), CR_OK);
  cr_model_free(m);  // the engine keeps its own copy
  cr_event ev{};
  ev.struct_size = sizeof ev;
  ev.date = 19723;
  ev.client = "A";
  ev.kind = CR_REVIEW;
  ev.amount = CR_NO_AMOUNT;
  ev.due = CR_NO_DATE;
  ev.detail = "2";
  EXPECT_EQ(cr_engine_post(e, &ev), CR_OK) << cr_last_error();
  std::size_t n = 0;
  EXPECT_EQ(cr_engine_client_count(e, &n), CR_OK);
  EXPECT_EQ(n, 1u);
  cr_engine_free(e);
}

}  // namespace

namespace {

// The cr_event of an event; its strings point into e.
cr_event to_c(const clientrisk::Event& e) {
  cr_event c{};
  c.struct_size = sizeof c;
  c.date = e.date.days();
  c.client = e.client.c_str();
  c.kind = static_cast<std::uint32_t>(e.kind);
  c.ref = e.ref.c_str();
  c.amount = e.amount ? e.amount->cents() : CR_NO_AMOUNT;
  c.due = e.due ? e.due->days() : CR_NO_DATE;
  c.detail = e.detail.c_str();
  return c;
}

std::uint64_t bits_of(double x) { return std::bit_cast<std::uint64_t>(x); }

// Eight threads score one engine while a ninth posts to it: every score is the one a single
// thread gets, and the last state is that of posting everything in one thread.
TEST(CApi, ManyThreadsScoreOneEngineWhileOnePosts) {
  clientrisk::GenerateOptions o;
  o.clients = 60;
  o.months = 24;
  o.seed = 9;
  const std::vector<clientrisk::Event> events = clientrisk::generate_events(o);
  const clientrisk::Date cut = *clientrisk::Date::parse("2023-12-31");
  std::vector<cr_event> before, after;
  for (const auto& e : events) (e.date <= cut ? before : after).push_back(to_c(e));

  auto build = [&](bool everything) {
    cr_engine* e = nullptr;
    EXPECT_EQ(cr_engine_new(nullptr, &e), CR_OK);
    EXPECT_EQ(cr_engine_post_many(e, before.data(), before.size()), CR_OK) << cr_last_error();
    if (everything) {
      EXPECT_EQ(cr_engine_post_many(e, after.data(), after.size()), CR_OK) << cr_last_error();
    }
    return e;
  };
  // The reference: one thread, scores as of the cut, then everything as of the end.
  cr_engine* reference = build(false);
  std::size_t n = 0;
  ASSERT_EQ(cr_engine_client_count(reference, &n), CR_OK);
  std::vector<std::string> ids(n);
  std::vector<std::uint64_t> expected(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const char* id = nullptr;
    ASSERT_EQ(cr_engine_client_id(reference, i, &id), CR_OK);
    ids[i] = id;
    cr_score s{};
    s.struct_size = sizeof s;
    ASSERT_EQ(cr_engine_score(reference, id, cut.days(), &s), CR_OK) << cr_last_error();
    expected[i] = bits_of(s.score);
  }
  cr_engine_free(reference);

  cr_engine* shared = build(false);
  std::atomic<bool> posting{true};
  std::atomic<int> mismatches{0}, errors{0}, scored{0};
  std::vector<std::thread> scorers;
  for (int t = 0; t < 8; ++t)
    scorers.emplace_back([&, t] {
      std::uint32_t i = static_cast<std::uint32_t>(t);
      do {
        cr_score s{};
        s.struct_size = sizeof s;
        i = (i * 7 + 3) % static_cast<std::uint32_t>(n);
        if (cr_engine_score(shared, ids[i].c_str(), cut.days(), &s) != CR_OK) {
          ++errors;
        } else if (bits_of(s.score) != expected[i]) {
          ++mismatches;
        }
        ++scored;
      } while (posting || scored < 2000);
    });
  // Events after the cut, a month at a time: they wait for their date and change no score as of the cut.
  for (std::size_t b = 0; b < after.size(); b += 500)
    EXPECT_EQ(cr_engine_post_many(shared, after.data() + b, std::min<std::size_t>(500, after.size() - b)), CR_OK)
        << cr_last_error();
  posting = false;
  for (auto& t : scorers) t.join();
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(mismatches, 0);

  // And the state reached equals posting everything in one thread.
  cr_engine* one = build(true);
  ASSERT_EQ(cr_engine_client_count(one, &n), CR_OK);
  std::vector<std::uint32_t> ca(n), cb(n);
  std::vector<double> sa(n), sb(n);
  std::vector<std::uint8_t> ba(n), bb(n);
  std::size_t ra = 0, rb = 0;
  ASSERT_EQ(cr_engine_score_all(shared, CR_NO_DATE, n, &ra, ca.data(), sa.data(), ba.data(), nullptr, nullptr), CR_OK)
      << cr_last_error();
  ASSERT_EQ(cr_engine_score_all(one, CR_NO_DATE, n, &rb, cb.data(), sb.data(), bb.data(), nullptr, nullptr), CR_OK);
  ASSERT_EQ(ra, rb);
  for (std::size_t r = 0; r < ra; ++r) {
    EXPECT_EQ(ca[r], cb[r]);
    EXPECT_EQ(bits_of(sa[r]), bits_of(sb[r]));
  }
  cr_engine_free(one);
  cr_engine_free(shared);
}

}  // namespace
