// A progress bar on standard error, with the rate and the time left, for the long steps of the
// command line (importing an event file, explaining every client). Only when standard error is a
// terminal and --quiet is not given: pipes and logs get nothing extra.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace clientrisk::cli {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;

  // unit: "B" counts bytes (shown as MB/s), anything else is a count of that unit.
  Progress(bool enabled, std::string label, std::string unit)
      : enabled_(enabled), label_(std::move(label)), unit_(std::move(unit)), start_(Clock::now()) {}
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress() { finish(); }

  // Shows done of total, at most ten times a second, and always the first and the last time.
  void update(std::size_t done, std::size_t total) {
    if (!enabled_ || total == 0) return;
    const auto now = Clock::now();
    if (shown_ && done < total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    shown_ = true;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double fraction = static_cast<double>(done) / static_cast<double>(total);
    constexpr int width = 24;
    const int filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    char rate[48] = "";
    char left[32] = "";
    if (seconds > 0.05 && done > 0) {
      const double per_second = static_cast<double>(done) / seconds;
      if (unit_ == "B")
        std::snprintf(rate, sizeof rate, "%.1f MB/s", per_second / 1e6);
      else
        std::snprintf(rate, sizeof rate, "%.0f %s/s", per_second, unit_.c_str());
      std::snprintf(left, sizeof left, "%.0f s left", static_cast<double>(total - done) / per_second);
    }
    std::fprintf(stderr, "\r\033[K%s [%s] %3.0f%%  %s  %s", label_.c_str(), bar.c_str(), 100 * fraction, rate, left);
    std::fflush(stderr);
  }

  // Clears the bar's line, so that what follows starts on a clean one.
  void finish() {
    if (!shown_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    shown_ = false;
  }

  static bool wanted(bool quiet) { return !quiet && isatty(STDERR_FILENO) == 1; }

 private:
  bool enabled_;
  std::string label_, unit_;
  Clock::time_point start_, last_{};
  bool shown_ = false;
};

}  // namespace clientrisk::cli
