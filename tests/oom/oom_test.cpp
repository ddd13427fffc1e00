// Out of memory at every allocation in turn: loading, importing and scoring with the Nth
// allocation failing, for N = 1, 2, ... until the operation succeeds. Each failure must surface as
// std::bad_alloc (CR_ERROR_OUT_OF_MEMORY through the C ABI), leave nothing allocated behind and
// leave the engine as it was. This binary replaces the global operator new to fail on demand.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "clientrisk/clientrisk.h"
#include "clientrisk/csv.hpp"
#include "clientrisk/engine.hpp"
#include "clientrisk/persist.hpp"
#include "clientrisk/snapshot.hpp"

namespace {

std::atomic<long> countdown{-1};  // -1: no failure; else allocations left before one fails
std::atomic<long> live{0};        // blocks from operator new not yet deleted
long failing = -1;                // the allocation that fails in this run, for the messages

void* allocate(std::size_t n, std::size_t align = 0) {
  if (countdown.load(std::memory_order_relaxed) >= 0 && countdown.fetch_sub(1) == 0) throw std::bad_alloc();
  void* p = align ? std::aligned_alloc(align, (n + align - 1) / align * align) : std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  live.fetch_add(1, std::memory_order_relaxed);
  return p;
}
void release(void* p) noexcept {
  if (!p) return;
  live.fetch_sub(1, std::memory_order_relaxed);
  std::free(p);
}

}  // namespace

void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void* operator new(std::size_t n, std::align_val_t a) { return allocate(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocate(n, static_cast<std::size_t>(a)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }

namespace {

using namespace clientrisk;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The first lines of the bundled ledger: every kind of event, in few allocations.
std::string small_ledger() {
  std::istringstream in(read_file(std::string(CLIENTRISK_SOURCE_DIR) + "/examples/ledger.csv"));
  std::string out, line;
  for (int n = 0; n < 80 && std::getline(in, line); ++n) out += line + "\n";
  return out;
}

struct Outcome {
  long failures = 0;  // runs stopped by the injected failure
  long leaked = 0;    // runs after which a block stayed allocated
};

// Runs op(state) with the Nth allocation failing, N = 1, 2, ..., until op completes without the
// failure firing; state is made by setup(), before the failure is armed, and after op by check(state,
// failed) with nothing failing any more. op returns normally or throws std::bad_alloc; anything
// else fails the test. A leak is a block allocated in the run and not freed once state is gone.
template <class Setup, class Op, class Check>
Outcome each_allocation_failing(Setup setup, Op op, Check check) {
  Outcome o;
  for (long n = 0;; ++n) {
    const long before = live.load();
    bool failed = false, fired = false;
    {
      auto state = setup();
      countdown = n;
      failing = n;
      try {
        op(state);
      } catch (const std::bad_alloc&) {
        failed = true;
      }
      fired = countdown.load() < 0;
      countdown = -1;
      check(state, failed);
    }
    if (live.load() != before) ++o.leaked;
    if (!failed && !fired) return o;  // every allocation it makes succeeded
    EXPECT_TRUE(failed) << "allocation " << n << " failed and the operation still reported success";
    ++o.failures;
    if (n > 200000) {
      ADD_FAILURE() << "no end in sight";
      return o;
    }
  }
}

template <class Op>
Outcome each_allocation_failing(Op op) {
  return each_allocation_failing([] { return 0; }, [&](int&) { op(); }, [](int&, bool) {});
}

}  // namespace

TEST(OutOfMemory, LoadingAModelFileFailsCleanlyAtEveryAllocation) {
  for (const ArchiveFormat format : {ArchiveFormat::binary, ArchiveFormat::xml}) {
    const std::string bytes = model_file_bytes(Model{}, format);
    const Outcome o = each_allocation_failing([&] { (void)model_from_file_bytes(bytes, "m.crm"); });
    EXPECT_GT(o.failures, 10);
    EXPECT_EQ(o.leaked, 0);
    std::printf("%s model file: %ld allocations failed in turn\n", format == ArchiveFormat::xml ? "XML" : "binary",
                o.failures);
  }
}

TEST(OutOfMemory, ImportingAndScoringFailCleanlyAndLeaveTheEngineAsItWas) {
  const std::string csv = small_ledger();
  const std::string empty = snapshot_bytes(Engine{});
  const Outcome o = each_allocation_failing([] { return Engine{}; },
                                            [&](Engine& e) { import_csv_text(e, csv, "small.csv"); },
                                            [&](Engine& e, bool failed) {
                                              if (failed) {
                                                EXPECT_EQ(snapshot_bytes(e), empty)
                                                    << "a failed import changed the engine, allocation " << failing;
                                              }
                                            });
  EXPECT_GT(o.failures, 20);
  EXPECT_EQ(o.leaked, 0);

  // Scoring: a failure leaves the engine scoring the same bits afterwards.
  Engine imported;
  import_csv_text(imported, csv, "small.csv");
  Engine reference = imported;
  const ScoreTable expected = reference.score_all();
  const Outcome s = each_allocation_failing([&] { return imported; }, [](Engine& e) { (void)e.score_all(); },
                                            [&](Engine& e, bool) {
                                              const ScoreTable t = e.score_all();
                                              ASSERT_EQ(t.size(), expected.size());
                                              for (std::size_t r = 0; r < t.size(); ++r)
                                                EXPECT_EQ(t.score(static_cast<Eigen::Index>(r)),
                                                          expected.score(static_cast<Eigen::Index>(r)))
                                                    << "allocation " << failing;
                                            });
  EXPECT_GT(s.failures, 3);
  EXPECT_EQ(s.leaked, 0);
  std::printf("CSV import: %ld allocations failed in turn; scoring: %ld\n", o.failures, s.failures);
}

TEST(OutOfMemory, LoadingASnapshotFailsCleanlyAtEveryAllocation) {
  Engine e;
  import_csv_text(e, small_ledger(), "small.csv");
  (void)e.score_all();
  const std::string bytes = snapshot_bytes(e);
  const Outcome o = each_allocation_failing([&] {
    Engine loaded = engine_from_snapshot_bytes(bytes, "s.crs");
    (void)loaded.score_all();
  });
  EXPECT_GT(o.failures, 10);
  EXPECT_EQ(o.leaked, 0);
  std::printf("snapshot load and score: %ld allocations failed in turn\n", o.failures);
}

TEST(OutOfMemory, TheCAbiReturnsOutOfMemoryAndNeverThrows) {
  const std::string path = std::string(CLIENTRISK_BINARY_DIR) + "/oom-small.csv";
  std::ofstream(path) << small_ledger();
  long statuses[CR_ERROR_INTERNAL + 1] = {};
  const Outcome o = each_allocation_failing([&] {
    cr_engine* e = nullptr;
    cr_status s = cr_engine_new(nullptr, &e);
    if (s == CR_OK) {
      s = cr_engine_import_csv(e, path.c_str(), 0, nullptr);
      if (s == CR_OK) {
        std::size_t rows = 0;
        std::uint32_t client[64];
        double score[64];
        std::uint8_t band[64];
        s = cr_engine_score_all(e, CR_NO_DATE, 64, &rows, client, score, band, nullptr, nullptr);
      }
      cr_engine_free(e);
    }
    ++statuses[s];
    if (s == CR_ERROR_OUT_OF_MEMORY) throw std::bad_alloc();  // for the count: the call saw the failure
    EXPECT_EQ(s, CR_OK) << cr_last_error();
  });
  EXPECT_GT(o.failures, 50);
  EXPECT_EQ(o.leaked, 0);
  EXPECT_EQ(statuses[CR_ERROR_INTERNAL], 0);
  std::printf("C ABI import and score: %ld allocations failed in turn, each CR_ERROR_OUT_OF_MEMORY\n", o.failures);
  std::remove(path.c_str());
}
