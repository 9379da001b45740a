#pragma once

#include <memory>
#include <vector>

#include "../Ops.h"

namespace trtn::ops {

// True when the direct depthwise kernel can run this convolution node.
bool isDepthwiseCandidate(const Node& node, const std::vector<DataType>& inTypes);
// Null when not a candidate.
std::unique_ptr<CpuKernel> createDepthwiseConvolution(const Node& node, const std::vector<DataType>& inTypes);

}  // namespace trtn::ops
