// nvinfer1::IProgressMonitor over the build's ProgressFn and CancelFn. TensorRT calls it from its
// build threads (possibly several at once), so it only forwards to the thread-safe sinks the
// build worker provides and never touches JS. Returning false from stepComplete() is how an
// AbortSignal stops a TensorRT build; the build then reports CANCELLED.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "../../engine/Builder.h"
#include "TrtObjects.h"

namespace trtn::trt {

class TrtProgressMonitor final : public nvinfer1::IProgressMonitor {
 public:
  TrtProgressMonitor(ProgressFn progress, CancelFn cancelled)
      : progress_(std::move(progress)), cancelled_(std::move(cancelled)) {}

  void phaseStart(char const* phaseName, char const* parentPhase, int32_t nbSteps) noexcept override;
  bool stepComplete(char const* phaseName, int32_t step) noexcept override;
  void phaseFinish(char const* phaseName) noexcept override;

  // Whether stepComplete() has told TensorRT to stop.
  bool stopped() const noexcept { return stopped_.load(); }

 private:
  bool cancelRequested() noexcept;
  void report(const std::string& phase, int step, int total) noexcept;

  ProgressFn progress_;
  CancelFn cancelled_;
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;
  struct Phase {
    std::string shown;  // "parent/child" for nested phases, as every report names it
    int32_t steps = 0;  // nbSteps of its phaseStart
  };
  std::map<std::string, Phase> phases_;  // by TensorRT's phase name
};

}  // namespace trtn::trt
