// Running an engine of the CUDA backend: the snapshot a context prepared is launched kernel by
// kernel on a stream from the calling thread. Only runWithHostSync waits for the GPU.
#pragma once

#include <cuda_runtime_api.h>

#include <memory>
#include <vector>

#include "../../engine/ExecutionContext.h"
#include "CudaLibraries.h"

namespace trtn::cuda {

// Queues every layer of `snapshot` on `stream` (throws EngineError naming the layer when a launch
// is refused; work queued before it stays queued). The snapshot's memory must stay alive until
// the stream has run the work (the caller holds it until a host callback fires).
void enqueueRun(const ExecutionSnapshot& snapshot, cudaStream_t stream, CudaLibraries& libs);

// Whether the run reads device values on the host while it runs (data-dependent shapes: NonZero,
// NMS and what follows them; a loop's WHILE condition or a trip count computed on the device).
// Such runs go through runWithHostSync on a thread that may block, never enqueueRun.
bool needsHostSync(const ExecutionSnapshot& snapshot);

// Launches every layer of `snapshot` on `stream` from the calling thread, waiting for the stream
// where the host needs values it computed (so never on the JS thread), and sizing data-dependent
// tensors from the context's run memory. Returns the outputs found (RunResult); `holds` receives
// the memory the queued work uses, which must stay alive until the stream has run it. Throws
// EngineError naming the layer (work queued before it stays queued; its memory is in `holds`).
RunResult runWithHostSync(const ExecutionSnapshot& snapshot, cudaStream_t stream, CudaLibraries& libs,
                          std::vector<std::shared_ptr<void>>& holds);

}  // namespace trtn::cuda
