#include <mutex>
#include <unordered_map>

#include "Ops.h"
#include "ops/Registration.h"

namespace trtn {

namespace {

std::unordered_map<int32_t, OpDef>& table() {
  // Never destroyed, for the same reason as the thread pool: kernels may still look ops up
  // while static destructors run at process exit.
  static auto* t = new std::unordered_map<int32_t, OpDef>();
  return *t;
}

// Ops register explicitly (not through static initialisers, which a linker may drop).
void registerAll() {
  registerBasicOps();
  registerConvolution();
  registerDeconvolution();
  registerPooling();
  registerElementwiseOps();
  registerTensorOps();
  registerCumulative();
  registerScatter();
  registerOneHot();
  registerNonZero();
  registerNms();
  registerReverseSequence();
  registerGridSample();
  registerLoopOps();
#ifdef TRTN_WITH_CUDA
  registerCudaKernels();
#endif
}

void ensureRegistered() {
  static std::once_flag once;
  std::call_once(once, registerAll);
}

}  // namespace

void registerOp(OpDef def) { table()[static_cast<int32_t>(def.type)] = std::move(def); }

void setCudaKernel(LayerType type, CreateCudaKernelFn create) {
  auto it = table().find(static_cast<int32_t>(type));
  if (it != table().end()) it->second.createCuda = create;
}

const OpDef* findOpDef(LayerType type) {
  ensureRegistered();
  auto it = table().find(static_cast<int32_t>(type));
  return it == table().end() ? nullptr : &it->second;
}

const OpDef& opDef(LayerType type) {
  const OpDef* d = findOpDef(type);
  if (!d) fail(StatusCode::kUnsupported, "layer type ", layerTypeName(type), " is not implemented by the built-in engine");
  return *d;
}

const char* layerTypeName(LayerType t) {
  switch (t) {
#define TRTN_LAYER_NAME(x) \
  case LayerType::k##x: return #x;
    TRTN_LAYER_NAME(CONVOLUTION)
    TRTN_LAYER_NAME(CAST)
    TRTN_LAYER_NAME(ACTIVATION)
    TRTN_LAYER_NAME(POOLING)
    TRTN_LAYER_NAME(LRN)
    TRTN_LAYER_NAME(SCALE)
    TRTN_LAYER_NAME(SOFTMAX)
    TRTN_LAYER_NAME(DECONVOLUTION)
    TRTN_LAYER_NAME(CONCATENATION)
    TRTN_LAYER_NAME(ELEMENTWISE)
    TRTN_LAYER_NAME(PLUGIN)
    TRTN_LAYER_NAME(UNARY)
    TRTN_LAYER_NAME(PADDING)
    TRTN_LAYER_NAME(SHUFFLE)
    TRTN_LAYER_NAME(REDUCE)
    TRTN_LAYER_NAME(TOPK)
    TRTN_LAYER_NAME(GATHER)
    TRTN_LAYER_NAME(MATRIX_MULTIPLY)
    TRTN_LAYER_NAME(RAGGED_SOFTMAX)
    TRTN_LAYER_NAME(CONSTANT)
    TRTN_LAYER_NAME(IDENTITY)
    TRTN_LAYER_NAME(SLICE)
    TRTN_LAYER_NAME(SHAPE)
    TRTN_LAYER_NAME(PARAMETRIC_RELU)
    TRTN_LAYER_NAME(RESIZE)
    TRTN_LAYER_NAME(TRIP_LIMIT)
    TRTN_LAYER_NAME(RECURRENCE)
    TRTN_LAYER_NAME(ITERATOR)
    TRTN_LAYER_NAME(LOOP_OUTPUT)
    TRTN_LAYER_NAME(SELECT)
    TRTN_LAYER_NAME(FILL)
    TRTN_LAYER_NAME(QUANTIZE)
    TRTN_LAYER_NAME(DEQUANTIZE)
    TRTN_LAYER_NAME(CONDITION)
    TRTN_LAYER_NAME(CONDITIONAL_INPUT)
    TRTN_LAYER_NAME(CONDITIONAL_OUTPUT)
    TRTN_LAYER_NAME(SCATTER)
    TRTN_LAYER_NAME(EINSUM)
    TRTN_LAYER_NAME(ASSERTION)
    TRTN_LAYER_NAME(ONE_HOT)
    TRTN_LAYER_NAME(NON_ZERO)
    TRTN_LAYER_NAME(GRID_SAMPLE)
    TRTN_LAYER_NAME(NMS)
    TRTN_LAYER_NAME(REVERSE_SEQUENCE)
    TRTN_LAYER_NAME(NORMALIZATION)
    TRTN_LAYER_NAME(SQUEEZE)
    TRTN_LAYER_NAME(UNSQUEEZE)
    TRTN_LAYER_NAME(CUMULATIVE)
    TRTN_LAYER_NAME(DYNAMIC_QUANTIZE)
    TRTN_LAYER_NAME(ATTENTION_INPUT)
    TRTN_LAYER_NAME(ATTENTION_OUTPUT)
    TRTN_LAYER_NAME(ROTARY_EMBEDDING)
    TRTN_LAYER_NAME(KVCACHE_UPDATE)
    TRTN_LAYER_NAME(MOE)
    TRTN_LAYER_NAME(DIST_COLLECTIVE)
    TRTN_LAYER_NAME(LOOP)
#undef TRTN_LAYER_NAME
  }
  return "UNKNOWN";
}

}  // namespace trtn
