// Running an engine of the CUDA backend: the snapshot a context prepared is launched kernel by
// kernel on a stream from the calling thread. Nothing here waits for the GPU.
#pragma once

#include <cuda_runtime_api.h>

#include "../../engine/ExecutionContext.h"
#include "CudaLibraries.h"

namespace trtn::cuda {

// Queues every layer of `snapshot` on `stream` (throws EngineError naming the layer when a launch
// is refused; work queued before it stays queued). The snapshot's memory must stay alive until
// the stream has run the work (the caller holds it until a host callback fires).
void enqueueRun(const ExecutionSnapshot& snapshot, cudaStream_t stream, CudaLibraries& libs);

}  // namespace trtn::cuda
