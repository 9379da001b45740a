{
  "targets": [
    {
      "target_name": "tensorrt_node",
      "sources": [
        "native/addon/AddonBuilder.cpp",
        "native/addon/AddonData.cpp",
        "native/addon/AddonEngine.cpp",
        "native/addon/AddonExecutionContext.cpp",
        "native/addon/AddonHostBuffer.cpp",
        "native/addon/AddonNetwork.cpp",
        "native/addon/AddonStream.cpp",
        "native/addon/AddonThreadPool.cpp",
        "native/addon/NativeBuffer.cpp",
        "native/addon/addon.cpp",
        "native/addon/globals/runtimeInfo.cpp",
        "native/addon/globals/tensorrtInfo.cpp",
        "native/engine/Autotuner.cpp",
        "native/engine/Builder.cpp",
        "native/engine/DataType.cpp",
        "native/engine/Engine.cpp",
        "native/engine/ExecutionContext.cpp",
        "native/engine/Graph.cpp",
        "native/engine/Inference.cpp",
        "native/engine/MemoryPlanner.cpp",
        "native/engine/OpRegistry.cpp",
        "native/engine/Passes.cpp",
        "native/engine/Plan.cpp",
        "native/engine/Status.cpp",
        "native/engine/ThreadPool.cpp",
        "native/engine/cpu/Gemm.cpp",
        "native/engine/cpu/KernelUtil.cpp",
        "native/engine/ops/Activation.cpp",
        "native/engine/ops/Basic.cpp",
        "native/engine/ops/Concatenation.cpp",
        "native/engine/ops/Convolution.cpp",
        "native/engine/ops/Cumulative.cpp",
        "native/engine/ops/Deconvolution.cpp",
        "native/engine/ops/DepthwiseConvolution.cpp",
        "native/engine/ops/ElementWise.cpp",
        "native/engine/ops/ElementwiseOps.cpp",
        "native/engine/ops/Fill.cpp",
        "native/engine/ops/Gather.cpp",
        "native/engine/ops/GridSample.cpp",
        "native/engine/ops/Loop.cpp",
        "native/engine/ops/MatrixMultiply.cpp",
        "native/engine/ops/Nms.cpp",
        "native/engine/ops/NonZero.cpp",
        "native/engine/ops/Normalization.cpp",
        "native/engine/ops/OneHot.cpp",
        "native/engine/ops/Padding.cpp",
        "native/engine/ops/Pooling.cpp",
        "native/engine/ops/Quantize.cpp",
        "native/engine/ops/Reduce.cpp",
        "native/engine/ops/Resize.cpp",
        "native/engine/ops/ReverseSequence.cpp",
        "native/engine/ops/Scale.cpp",
        "native/engine/ops/Scatter.cpp",
        "native/engine/ops/Select.cpp",
        "native/engine/ops/Shuffle.cpp",
        "native/engine/ops/Slice.cpp",
        "native/engine/ops/SoftMax.cpp",
        "native/engine/ops/TensorOps.cpp",
        "native/engine/ops/TopK.cpp",
        "native/engine/ops/Unary.cpp",
        "native/engine/ops/WindowGeometry.cpp",
        "native/engine/ops/WinogradConvolution.cpp",
        "native/engine/passes/ConstantFolding.cpp",
        "native/engine/passes/DeadLayerElimination.cpp",
        "native/engine/passes/Fusion.cpp",
        "native/engine/passes/GraphSurgery.cpp",
        "native/engine/passes/LoopOutlining.cpp",
        "native/engine/passes/ShuffleSimplification.cpp",
        "native/tensorrt/common/TrtAvailability.cpp",
        "native/tensorrt/common/TrtLibrary.cpp",
        "native/tensorrt/common/TrtPlan.cpp"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      "cflags!": [
        "-fno-exceptions"
      ],
      "cflags_cc!": [
        "-fno-exceptions",
        "-fno-rtti",
        "-std=gnu++14",
        "-std=gnu++17"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-fexceptions",
        "-frtti",
        "-O3",
        "-fvisibility=hidden"
      ],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17"
      },
      "conditions": [
        [
          "OS=='linux'",
          {
            "libraries": [
              "-ldl"
            ]
          }
        ]
      ]
    }
  ]
}
