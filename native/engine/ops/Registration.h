// One registration function per op file (or op family file), called once by OpRegistry.cpp.
#pragma once

namespace trtn {

void registerBasicOps();        // ops/Basic.cpp: CONSTANT, IDENTITY, CAST, SHAPE
void registerConvolution();     // ops/Convolution.cpp
void registerDeconvolution();   // ops/Deconvolution.cpp
void registerPooling();         // ops/Pooling.cpp
void registerElementwiseOps();  // ops/Activation.cpp, ops/ElementWise.cpp, ops/Unary.cpp, ... (see ops/ElementwiseOps.cpp)
void registerTensorOps();       // ops/TensorOps.cpp: matmul, shuffle, concat, softmax, reduce, ...
void registerCumulative();      // ops/Cumulative.cpp
void registerScatter();         // ops/Scatter.cpp
void registerOneHot();          // ops/OneHot.cpp
void registerReverseSequence(); // ops/ReverseSequence.cpp
void registerGridSample();      // ops/GridSample.cpp
void registerLoopOps();         // ops/Loop.cpp: TRIP_LIMIT, RECURRENCE, ITERATOR, LOOP_OUTPUT, LOOP (internal)
void registerNonZero();         // ops/NonZero.cpp
void registerNms();             // ops/Nms.cpp
// native/cuda/engine/CudaOps.cpp: attaches CUDA kernels (only in builds with CUDA).
void registerCudaKernels();

}  // namespace trtn
