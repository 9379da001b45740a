#include "ThreadPool.h"

#include "PoolScope.h"

#include <algorithm>
#include <chrono>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace trtn {

namespace {
std::mutex gPoolMutex;
// Never destroyed: at process exit, stream threads may still be running kernels that use the
// pool, and static destructors run while they do (process.exit with work in flight).
ThreadPool* gPool = nullptr;
int gConfiguredSize = 0;
}  // namespace

void lowerCurrentThreadPriority() {
#if defined(__linux__)
  // On Linux, setpriority with a thread id affects only that thread.
  pid_t tid = static_cast<pid_t>(syscall(SYS_gettid));
  int current = getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
  setpriority(PRIO_PROCESS, static_cast<id_t>(tid), std::min(19, current + 5));
#endif
}

ThreadPool::ThreadPool(int threads) {
  threads = std::max(1, threads);
  workers_.reserve(threads);
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::submit(std::function<void()> task) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_.push_back(std::move(task));
    ++pending_;
    wake = sleepers_ > 0;
  }
  if (wake) cv_.notify_one();
}

int64_t ThreadPool::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int64_t>(tasks_.size());
}

void ThreadPool::workerLoop() {
  lowerCurrentThreadPriority();
  for (;;) {
    // Spin for up to ~50 us watching the pending counter, then sleep on the condition variable.
    auto spinUntil = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
    while (pending_.load(std::memory_order_acquire) == 0 && std::chrono::steady_clock::now() < spinUntil) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ++sleepers_;
      cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      --sleepers_;
      if (tasks_.empty()) return;  // stopping and nothing left
      task = std::move(tasks_.front());
      tasks_.pop_front();
      --pending_;
    }
    ++active_;
    task();  // tasks are noexcept by contract (see parallelFor and SerialQueue)
    --active_;
    ++completed_;
  }
}

namespace {
struct ForState {
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  int64_t chunks = 0;
  int64_t chunkSize = 0;
  int64_t n = 0;
  const std::function<void(int64_t, int64_t)>* fn = nullptr;
  std::mutex mutex;
  std::condition_variable cv;
  std::exception_ptr error;

  // Runs chunks until none remain; returns when this thread can take no more.
  void work() {
    for (;;) {
      int64_t c = next.fetch_add(1);
      if (c >= chunks) return;
      int64_t begin = c * chunkSize;
      int64_t end = std::min(n, begin + chunkSize);
      try {
        (*fn)(begin, end);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
      }
      if (done.fetch_add(1) + 1 == chunks) {
        std::lock_guard<std::mutex> lock(mutex);
        cv.notify_all();
      }
    }
  }
};
}  // namespace

void ThreadPool::parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  int64_t maxChunks = (n + grain - 1) / grain;
  int64_t threads = static_cast<int64_t>(workers_.size()) + 1;
  // A few chunks per thread balances uneven work without much scheduling overhead.
  int64_t chunks = std::min(maxChunks, threads * 4);
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  auto state = std::make_shared<ForState>();
  state->n = n;
  state->chunkSize = (n + chunks - 1) / chunks;
  state->chunks = (n + state->chunkSize - 1) / state->chunkSize;
  state->fn = &fn;
  int64_t helpers = std::min<int64_t>(static_cast<int64_t>(workers_.size()), state->chunks - 1);
  // Helpers hold the state by shared_ptr: one that starts after all chunks are taken touches
  // only the counters, never fn.
  for (int64_t i = 0; i < helpers; ++i) submit([state] { state->work(); });
  state->work();
  std::unique_lock<std::mutex> lock(state->mutex);
  state->cv.wait(lock, [&] { return state->done.load() == state->chunks; });
  if (state->error) std::rethrow_exception(state->error);
}

int ThreadPool::defaultSize() {
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 2 : static_cast<int>(hc);
}

ThreadPool& ThreadPool::global() {
  std::lock_guard<std::mutex> lock(gPoolMutex);
  if (!gPool) {
    int size = gConfiguredSize > 0 ? gConfiguredSize : defaultSize();
    // The caller of parallelFor works too, so size-1 helpers keep every core busy.
    gPool = new ThreadPool(std::max(1, size - 1));
    gConfiguredSize = size;
  }
  return *gPool;
}

namespace {
thread_local ThreadPool* tCurrentPool = nullptr;
}  // namespace

ThreadPool& currentPool() { return tCurrentPool ? *tCurrentPool : ThreadPool::global(); }

PoolScope::PoolScope(ThreadPool* pool) : previous_(tCurrentPool) { tCurrentPool = pool; }

PoolScope::~PoolScope() { tCurrentPool = previous_; }

bool ThreadPool::configure(int threads) {
  std::lock_guard<std::mutex> lock(gPoolMutex);
  if (gPool) return gConfiguredSize == threads;
  gConfiguredSize = threads;
  return true;
}

SerialQueue::SerialQueue() : thread_([this] { loop(); }) {}

SerialQueue::~SerialQueue() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SerialQueue::push(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(job));
    ++queued_;
  }
  cv_.notify_one();
}

void SerialQueue::loop() {
  lowerCurrentThreadPriority();
  for (;;) {
    // Back-to-back enqueues (await run; run again) arrive within tens of microseconds: spin
    // briefly so the next job does not pay a thread wake-up.
    auto spinUntil = std::chrono::steady_clock::now() + std::chrono::microseconds(100);
    while (queued_.load(std::memory_order_acquire) == 0 && std::chrono::steady_clock::now() < spinUntil) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
      --queued_;
      running_ = true;
    }
    job();  // jobs are noexcept by contract
    {
      std::lock_guard<std::mutex> lock(mutex_);
      running_ = false;
      if (jobs_.empty()) idleCv_.notify_all();
    }
  }
}

void SerialQueue::drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  idleCv_.wait(lock, [this] { return !running_ && jobs_.empty(); });
}

bool SerialQueue::idle() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !running_ && jobs_.empty();
}

int64_t SerialQueue::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int64_t>(jobs_.size()) + (running_ ? 1 : 0);
}

}  // namespace trtn
