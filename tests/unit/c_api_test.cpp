// The C ABI seen from C++: the header compiles as C++, and what C callers cannot easily check.
#include "clientrisk/clientrisk.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

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
