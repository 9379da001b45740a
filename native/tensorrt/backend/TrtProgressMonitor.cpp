#include "TrtProgressMonitor.h"

namespace trtn::trt {

bool TrtProgressMonitor::cancelRequested() noexcept {
  if (stopped_.load()) return true;
  bool cancel = false;
  try {
    cancel = cancelled_ && cancelled_();
  } catch (...) {
    cancel = false;
  }
  if (cancel) stopped_.store(true);
  return cancel;
}

void TrtProgressMonitor::report(const std::string& phase, int step, int total) noexcept {
  if (!progress_) return;
  try {
    progress_(phase, step, total);
  } catch (...) {
    // Progress is advisory; a failed delivery must not throw into TensorRT.
  }
}

void TrtProgressMonitor::phaseStart(char const* phaseName, char const* parentPhase, int32_t nbSteps) noexcept {
  try {
    std::string name = phaseName ? phaseName : "";
    // Nested phases are reported as "parent/child" (the parent as it is shown, so deeper nesting
    // reads "a/b/c"), by phaseStart and every stepComplete alike, so JS sees where a phase belongs.
    std::string shown = name;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (parentPhase && *parentPhase) {
        auto parent = phases_.find(parentPhase);
        shown = (parent != phases_.end() ? parent->second.shown : std::string(parentPhase)) + "/" + name;
      }
      phases_[name] = Phase{shown, nbSteps};
    }
    report(shown, 0, nbSteps);
  } catch (...) {
  }
}

bool TrtProgressMonitor::stepComplete(char const* phaseName, int32_t step) noexcept {
  if (cancelRequested()) return false;
  try {
    std::string name = phaseName ? phaseName : "";
    std::string shown = name;
    int32_t total = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = phases_.find(name);
      if (it != phases_.end()) {
        shown = it->second.shown;
        total = it->second.steps;
      }
    }
    // TensorRT numbers steps from 0; JS sees how many are done.
    report(shown, step + 1, total);
  } catch (...) {
  }
  return !cancelRequested();
}

void TrtProgressMonitor::phaseFinish(char const* phaseName) noexcept {
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    phases_.erase(phaseName ? phaseName : "");
  } catch (...) {
  }
}

}  // namespace trtn::trt
