// A reader-writer lock that lets a waiting writer in before new readers.
//
// std::shared_mutex on glibc prefers readers: eight threads that score back to back always leave
// one of them holding the lock shared, and a poster waiting for it alone would wait for ever.
// Here a writer that waits stops new readers, and gets the lock once the readers inside leave.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace clientrisk {
inline namespace v1 {
namespace detail {

class WriterFirstMutex {
 public:
  void lock() {
    std::unique_lock l(m_);
    ++writers_waiting_;
    writer_cv_.wait(l, [&] { return !writer_inside_ && readers_inside_ == 0; });
    --writers_waiting_;
    writer_inside_ = true;
  }
  bool try_lock() {
    const std::lock_guard l(m_);
    if (writer_inside_ || readers_inside_ != 0) return false;
    writer_inside_ = true;
    return true;
  }
  void unlock() {
    {
      const std::lock_guard l(m_);
      writer_inside_ = false;
    }
    writer_cv_.notify_one();
    reader_cv_.notify_all();
  }

  void lock_shared() {
    std::unique_lock l(m_);
    reader_cv_.wait(l, [&] { return !writer_inside_ && writers_waiting_ == 0; });
    ++readers_inside_;
  }
  bool try_lock_shared() {
    const std::lock_guard l(m_);
    if (writer_inside_ || writers_waiting_ != 0) return false;
    ++readers_inside_;
    return true;
  }
  void unlock_shared() {
    bool last = false;
    {
      const std::lock_guard l(m_);
      last = --readers_inside_ == 0;
    }
    if (last) writer_cv_.notify_one();
  }

 private:
  std::mutex m_;
  std::condition_variable writer_cv_, reader_cv_;
  std::size_t readers_inside_ = 0, writers_waiting_ = 0;
  bool writer_inside_ = false;
};

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
