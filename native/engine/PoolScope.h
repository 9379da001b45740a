// Which pool a run's kernels spread over. A stream may carry a pool of its own (ThreadPool
// instances in JS, so one model's runs do not compete with another's for workers); runs on that
// stream's thread use it, everything else the process-wide pool.
#pragma once

#include "ThreadPool.h"

namespace trtn {

// The pool set by the innermost PoolScope on this thread, else ThreadPool::global().
ThreadPool& currentPool();

// Sets this thread's pool for its lifetime (nullptr: the global pool).
class PoolScope {
 public:
  explicit PoolScope(ThreadPool* pool);
  ~PoolScope();
  PoolScope(const PoolScope&) = delete;
  PoolScope& operator=(const PoolScope&) = delete;

 private:
  ThreadPool* previous_;
};

}  // namespace trtn
