// libFuzzer target: the C ABI driven by the input, as a program of calls on one engine: posts of
// events whose every field comes from the input, single and batched, scores, tables with any
// capacity, client ids past the end, thread counts, languages and reviews. Every call must
// return a status; none may crash, leak or race.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "clientrisk/clientrisk.h"

namespace {

struct Input {
  const std::uint8_t* p;
  std::size_t n;
  bool empty() const { return n == 0; }
  std::uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | byte();
    return v;
  }
  // A short string from the input, often one of a few ids so that events refer to each other.
  std::string text() {
    const std::uint8_t b = byte();
    if (b < 160) return std::string(1, static_cast<char>('A' + b % 4)) + std::to_string(b % 8);
    std::string s;
    for (std::size_t len = b % 24; len > 0 && n > 0; --len) s += static_cast<char>(byte());
    return s;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in{data, size};
  cr_engine* engine = nullptr;
  if (cr_engine_new(nullptr, &engine) != CR_OK) return 0;
  std::vector<std::string> strings;
  strings.reserve(3 * 64);
  std::vector<cr_event> batch;
  const std::int32_t base = 19723;  // 2024-01-01
  for (int step = 0; step < 64 && !in.empty(); ++step) {
    const std::uint8_t op = in.byte();
    switch (op % 8) {
      case 0:
      case 1:
      case 2: {  // an event, posted alone or kept for a batch
        cr_event e{};
        e.struct_size = op & 0x40 ? static_cast<std::uint32_t>(in.byte()) : sizeof(cr_event);
        e.date = base + static_cast<std::int32_t>(in.byte()) * (op & 0x20 ? 1000 : 3) - 64;
        strings.push_back(in.text());
        e.client = in.byte() % 16 ? strings.back().c_str() : nullptr;
        e.kind = in.byte() % 14;
        const std::uint8_t due = in.byte();
        e.due = due < 32 ? CR_NO_DATE : e.date + due - 64;
        strings.push_back(in.text());
        e.ref = strings.back().c_str();
        const std::uint32_t amount = in.u32();
        e.amount = amount % 5 == 0 ? CR_NO_AMOUNT : static_cast<std::int64_t>(amount) - 1000;
        strings.push_back(in.text());
        e.detail = strings.back().c_str();
        if (op % 8 == 2 && batch.size() < 32) {
          batch.push_back(e);
        } else {
          cr_engine_post(engine, &e);
        }
        break;
      }
      case 3:
        cr_engine_post_many(engine, batch.data(), batch.size());
        batch.clear();
        break;
      case 4: {
        cr_score s{};
        s.struct_size = in.byte() % 8 ? sizeof s : in.byte();
        strings.push_back(in.text());
        cr_engine_score(engine, strings.back().c_str(), in.byte() % 4 ? CR_NO_DATE : base + in.byte(), &s);
        break;
      }
      case 5: {
        std::size_t count = 0, rows = 0;
        cr_engine_client_count(engine, &count);
        const std::size_t capacity = in.byte() % 3 ? count : count / 2;
        std::vector<std::uint32_t> client(capacity + 1);
        std::vector<double> score(capacity + 1), sub((capacity + 1) * CR_FACTOR_COUNT);
        std::vector<std::uint8_t> band(capacity + 1);
        cr_engine_score_all(engine, in.byte() % 4 ? CR_NO_DATE : base + 4 * in.byte(), capacity, &rows, client.data(),
                            score.data(), band.data(), in.byte() % 2 ? sub.data() : nullptr, nullptr);
        const char* id = nullptr;
        cr_engine_client_id(engine, in.u32() % (count + 2), &id);
        break;
      }
      case 6: {
        cr_engine_set_threads(engine, in.byte() % 5);
        cr_engine_set_language(engine, in.byte() % 3 ? "fr" : "xx");
        cr_limits l{};
        l.struct_size = in.byte() % 8 ? sizeof l : in.byte();
        if (cr_engine_limits(engine, &l) == CR_OK && in.byte() % 2) {
          l.max_clients = in.byte() % 3 ? 0 : in.byte() % 8;
          l.max_events_per_client = in.byte() % 3 ? 0 : in.byte() % 16;
          cr_engine_set_limits(engine, &l);
        }
        break;
      }
      default: {
        cr_review* review = nullptr;
        if (cr_engine_review(engine, CR_NO_DATE, nullptr, 0, nullptr, 0, &review) == CR_OK) {
          std::size_t actions = 0, worklist = 0, credit = 0;
          std::int32_t as_of = 0;
          cr_review_counts(review, &as_of, &actions, &worklist, &credit);
          cr_action a{};
          a.struct_size = sizeof a;
          cr_review_action(review, in.byte(), &a);
          cr_review_free(review);
        }
        break;
      }
    }
  }
  cr_engine_free(engine);
  return 0;
}
