// The engine's own worker pool. Kernels split work with parallelFor; the calling thread always
// takes part, so a task running on the pool can itself call parallelFor without deadlocking.
// Build and enqueue jobs also run here (through SerialQueue), never on the libuv pool.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace trtn {

// Lowers the calling thread's scheduling priority (Linux: nice +5 for this thread only), so the
// JS thread keeps the CPU it needs to run the event loop while engine threads saturate the cores.
void lowerCurrentThreadPriority();

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void submit(std::function<void()> task);

  // Calls fn(begin, end) over [0, n) in chunks of at least `grain` items.
  void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

  int size() const { return static_cast<int>(workers_.size()); }
  int64_t queued() const;
  int64_t active() const { return active_.load(); }
  int64_t completed() const { return completed_.load(); }

  // The process-wide pool. Its size is fixed by the first call to configure() or by first use
  // (default: hardware threads).
  static ThreadPool& global();
  // Returns false if the pool already exists with another size.
  static bool configure(int threads);
  static int defaultSize();

 private:
  void workerLoop();

  std::vector<std::thread> workers_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  // Idle workers spin briefly before sleeping: a parallelFor from a kernel of a few tens of
  // microseconds otherwise finishes before a sleeping worker has even woken up.
  std::atomic<int64_t> pending_{0};
  int sleepers_ = 0;  // guarded by mutex_
  std::atomic<int64_t> active_{0};
  std::atomic<int64_t> completed_{0};
};

// Runs submitted jobs one at a time, in submission order, on a thread of its own: the CPU
// analogue of a CUDA stream. Kernels inside a job still spread over the global pool, with this
// thread taking part, so one stream uses every core.
class SerialQueue {
 public:
  SerialQueue();
  ~SerialQueue();  // finishes queued jobs, then joins
  SerialQueue(const SerialQueue&) = delete;
  SerialQueue& operator=(const SerialQueue&) = delete;

  void push(std::function<void()> job);
  // Blocks until every job pushed so far has finished.
  void drain();
  bool idle() const;
  int64_t pending() const;

 private:
  void loop();

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::condition_variable idleCv_;
  std::deque<std::function<void()>> jobs_;
  std::atomic<int64_t> queued_{0};  // jobs_.size(), readable without the lock while spinning
  bool running_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace trtn
