// A saving process killed at random moments: the file it was replacing is always either the old
// one or the new one, whole, never a torn file that passes its checksum (docs/reliability.md).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "clientrisk/generate.hpp"
#include "clientrisk/persist.hpp"
#include "clientrisk/snapshot.hpp"
#include "test_files.hpp"

using namespace clientrisk;

namespace {

Engine engine_of(unsigned clients, unsigned seed) {
  GenerateOptions o;
  o.clients = clients;
  o.months = 6;
  o.seed = seed;
  Engine e;
  e.post(generate_events(o));
  (void)e.score_all();
  return e;
}

}  // namespace

TEST(CrashSafety, ASaverKilledAt200RandomMomentsLeavesTheOldOrTheNewFileWhole) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("clientrisk_crash_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "state.crs").string();
  // Two states of different sizes, about a megabyte each, so that kills land inside the writes too.
  const Engine a = engine_of(1000, 1), b = engine_of(1200, 2);
  const std::string bytes_a = snapshot_bytes(a), bytes_b = snapshot_bytes(b);
  ASSERT_NE(bytes_a, bytes_b);
  // Kills land within twice the time a forked saver takes to finish its first save, measured here:
  // a loaded machine or a sanitizer build saves slower, and the kills must still come before,
  // during and after a save.
  std::vector<std::chrono::microseconds> took;
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      save_snapshot(i % 2 ? a : b, path);
      ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    took.push_back(std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start));
  }
  save_snapshot(a, path);
  std::sort(took.begin(), took.end());
  const int window = static_cast<int>(std::max<std::int64_t>(2 * took[1].count(), 2000));

  std::mt19937 rng(2026);
  int old_file = 0, new_file = 0;
  for (int kill = 0; kill < 200; ++kill) {
    const std::string before = test::read_bytes(path);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // Saves the other state than the one in place, then the first again, for ever.
      for (bool other = before == bytes_a;; other = !other) save_snapshot(other ? b : a, path);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, window)(rng)));
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the saver stopped by itself";

    const std::string after = test::read_bytes(path);
    ASSERT_TRUE(after == bytes_a || after == bytes_b) << "kill " << kill << ": a file of " << after.size()
                                                      << " bytes that is neither state";
    (after == before ? old_file : new_file) += 1;
    // And it loads, its checksum whole, as the state it holds.
    EXPECT_EQ(load_snapshot(path).client_count(), (after == bytes_a ? a : b).client_count());
  }
  // A kill may leave a temporary file (path.tmp.*) or a link to the previous one (path.old.*)
  // beside it: each is a whole state, or torn and refused by its checks, never torn and loaded.
  std::size_t leftovers = 0, torn = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename() == "state.crs") continue;
    ++leftovers;
    const std::string bytes = test::read_bytes(entry.path().string());
    if (bytes == bytes_a || bytes == bytes_b) continue;
    ++torn;
    EXPECT_THROW((void)load_snapshot(entry.path().string()), FileFormatError) << entry.path();
  }
  RecordProperty("old_file", old_file);
  RecordProperty("new_file", new_file);
  RecordProperty("leftover_files", static_cast<int>(leftovers));
  RecordProperty("torn_leftovers_refused", static_cast<int>(torn));
  std::printf("200 kills within %d us (twice a forked save): %d left the old file, %d the new one; %zu leftover files, "
              "%zu of them torn and refused\n",
              window, old_file, new_file, leftovers, torn);
  EXPECT_GT(new_file, 0) << "no kill came after a save completed";
  std::filesystem::remove_all(dir);
}
