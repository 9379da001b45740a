// NMS (INMSLayer): per batch item, boxes are ranked by score across classes, only scores above
// ScoreThreshold are candidates, at most `topKBoxLimit` of them per item are considered, and a
// candidate is selected when its IoU with every box already selected for its class is at most
// IoUThreshold, up to MaxOutputBoxesPerClass per class.
//   inputs: boxes [B, N, 4] (shared by the classes) or [B, N, C, 4]; scores [B, N, C];
//           MaxOutputBoxesPerClass (0-D INT32/INT64); IoUThreshold, ScoreThreshold (optional
//           0-D FLOAT, default 0).
//   outputs: SelectedIndices [count, 3] of (batch, class, box), INT32 or INT64 (`indicesType`),
//            data-dependent; NumOutputBoxes (0-D INT32) = count.
// Rows are ordered by batch, then class, then decreasing score (the ONNX order; TensorRT leaves
// the order within an item unspecified). Ties keep the lower box index first.
#include <algorithm>
#include <array>
#include <cmath>

#include "TensorOps.h"

#include "Registration.h"

namespace trtn {

namespace {

using namespace tensorops;

constexpr int64_t kCornerPairs = 0;
constexpr int64_t kCenterSizes = 1;
constexpr int64_t kDefaultTopKBoxLimit = 5000;  // TensorRT's limit on devices other than SM 5.3/6.2

DataType indicesTypeOf(const Node& node) {
  return static_cast<DataType>(node.getInt("indicesType", static_cast<int64_t>(DataType::kINT32)));
}

void inferNms(InferIO& io) {
  const Dims& boxes = io.dims(0);
  const Dims& scores = io.dims(1);
  const DataType t = io.type(0);
  if (t != DataType::kFLOAT && t != DataType::kHALF && t != DataType::kBF16)
    io.error("boxes (input 0) must be FLOAT, HALF or BF16, not ", dataTypeName(t));
  if (io.type(1) != t) io.error("scores (input 1) must have the type of boxes, ", dataTypeName(t), ", not ", dataTypeName(io.type(1)));
  if (scores.size() != 3) io.error("scores (input 1) must be [batch, boxes, classes], not ", dimsToString(scores));
  if (boxes.size() != 3 && boxes.size() != 4)
    io.error("boxes (input 0) must be [batch, boxes, 4] or [batch, boxes, classes, 4], not ", dimsToString(boxes));
  if (boxes.back() >= 0 && boxes.back() != 4) io.error("boxes (input 0) must have 4 coordinates in its last dim, not ", boxes.back());
  auto mismatch = [](int64_t a, int64_t b) { return a >= 0 && b >= 0 && a != b; };
  if (mismatch(boxes[0], scores[0]) || mismatch(boxes[1], scores[1]) || (boxes.size() == 4 && mismatch(boxes[2], scores[2])))
    io.error("boxes ", dimsToString(boxes), " and scores ", dimsToString(scores), " disagree on batch, boxes or classes");
  const DataType mt = io.type(2);
  if (mt != DataType::kINT32 && mt != DataType::kINT64)
    io.error("MaxOutputBoxesPerClass (input 2) must be INT32 or INT64, not ", dataTypeName(mt));
  if (volume(io.dims(2)) >= 0 && volume(io.dims(2)) != 1)
    io.error("MaxOutputBoxesPerClass (input 2) must be a scalar, not ", dimsToString(io.dims(2)));
  for (size_t i = 3; i < 5; ++i) {
    if (!io.has(i)) continue;
    if (io.type(i) != DataType::kFLOAT)
      io.error(i == 3 ? "IoUThreshold" : "ScoreThreshold", " (input ", i, ") must be FLOAT, not ", dataTypeName(io.type(i)));
    if (volume(io.dims(i)) >= 0 && volume(io.dims(i)) != 1)
      io.error(i == 3 ? "IoUThreshold" : "ScoreThreshold", " (input ", i, ") must be a scalar, not ", dimsToString(io.dims(i)));
  }
  const int64_t fmt = io.node.getInt("boundingBoxFormat", kCornerPairs);
  if (fmt != kCornerPairs && fmt != kCenterSizes) io.error("boundingBoxFormat ", fmt, " is not CORNER_PAIRS or CENTER_SIZES");
  const int64_t topK = io.node.getInt("topKBoxLimit", kDefaultTopKBoxLimit);
  if (topK < 0 || topK > kDefaultTopKBoxLimit) io.error("topKBoxLimit ", topK, " must be in [0, ", kDefaultTopKBoxLimit, "]");
  const DataType it = indicesTypeOf(io.node);
  if (it != DataType::kINT32 && it != DataType::kINT64) io.error("indicesType must be INT32 or INT64, not ", dataTypeName(it));
  int64_t count = -1;
  if (io.upperBounds && isFullyKnown(scores)) {
    int64_t perClass = std::min(scores[1], topK);
    if (const auto* v = io.value(2)) perClass = std::min<int64_t>(perClass, std::max<int64_t>(v->at(0), 0));
    count = scores[0] * scores[2] * perClass;
  }
  io.setOutput(0, it, Dims{count, 3});
  io.setOutput(1, DataType::kINT32, Dims{});
}

struct Box {
  float x1, y1, x2, y2, area;
};

Box loadBox(const void* data, DataType t, int64_t at, bool centerSizes) {
  float a = static_cast<float>(loadAsDouble(data, t, at)), b = static_cast<float>(loadAsDouble(data, t, at + 1));
  float c = static_cast<float>(loadAsDouble(data, t, at + 2)), d = static_cast<float>(loadAsDouble(data, t, at + 3));
  Box box;
  if (centerSizes) {
    box = {a - c / 2, b - d / 2, a + c / 2, b + d / 2, 0};
  } else {
    box = {std::min(a, c), std::min(b, d), std::max(a, c), std::max(b, d), 0};
  }
  box.area = (box.x2 - box.x1) * (box.y2 - box.y1);
  return box;
}

float iou(const Box& p, const Box& q) {
  if (p.area <= 0 || q.area <= 0) return 0;
  float w = std::min(p.x2, q.x2) - std::max(p.x1, q.x1), h = std::min(p.y2, q.y2) - std::max(p.y1, q.y1);
  if (w <= 0 || h <= 0) return 0;
  float inter = w * h;
  return inter / (p.area + q.area - inter);
}

class NmsKernel : public CpuKernel {
 public:
  explicit NmsKernel(const Node& node)
      : centerSizes_(node.getInt("boundingBoxFormat", kCornerPairs) == kCenterSizes),
        topK_(node.getInt("topKBoxLimit", kDefaultTopKBoxLimit)),
        indicesType_(indicesTypeOf(node)) {}

  void run(KernelIO& io) override {
    const TensorRef& boxes = io.in[0];
    const TensorRef& scores = io.in[1];
    const int64_t B = scores.dims[0], N = scores.dims[1], C = scores.dims[2];
    const bool perClassBoxes = boxes.dims.size() == 4;
    const int64_t maxPerClass = std::max<int64_t>(loadAsInt64(io.in[2].data, io.in[2].type, 0), 0);
    const float iouThreshold = io.in.size() > 3 && io.in[3].data ? static_cast<float>(loadAsDouble(io.in[3].data, DataType::kFLOAT, 0)) : 0.f;
    const float scoreThreshold = io.in.size() > 4 && io.in[4].data ? static_cast<float>(loadAsDouble(io.in[4].data, DataType::kFLOAT, 0)) : 0.f;

    struct Candidate {
      float score;
      int64_t box, cls;
    };
    std::vector<std::array<int64_t, 3>> selected;
    for (int64_t b = 0; b < B; ++b) {
      std::vector<Candidate> candidates;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t c = 0; c < C; ++c) {
          float s = static_cast<float>(loadAsDouble(scores.data, scores.type, (b * N + n) * C + c));
          if (s > scoreThreshold) candidates.push_back({s, n, c});
        }
      std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& p, const Candidate& q) { return p.score > q.score; });
      if (static_cast<int64_t>(candidates.size()) > topK_) candidates.resize(static_cast<size_t>(topK_));
      std::vector<std::vector<std::pair<int64_t, Box>>> kept(static_cast<size_t>(C));
      for (const Candidate& cand : candidates) {
        auto& mine = kept[cand.cls];
        if (static_cast<int64_t>(mine.size()) >= maxPerClass) continue;
        int64_t at = perClassBoxes ? ((b * N + cand.box) * C + cand.cls) * 4 : (b * N + cand.box) * 4;
        Box box = loadBox(boxes.data, boxes.type, at, centerSizes_);
        bool keep = true;
        for (const auto& [index, other] : mine)
          if (iou(box, other) > iouThreshold) {
            keep = false;
            break;
          }
        if (keep) mine.emplace_back(cand.box, box);
      }
      for (int64_t c = 0; c < C; ++c)
        for (const auto& [index, box] : kept[c]) selected.push_back({b, c, index});
    }
    const int64_t count = static_cast<int64_t>(selected.size());
    void* out = io.out[0].data;
    if (!out) out = io.allocateOutput(0, Dims{count, 3});
    for (int64_t r = 0; r < count; ++r)
      for (int64_t k = 0; k < 3; ++k) storeFromInt64(out, indicesType_, r * 3 + k, selected[r][k]);
    storeFromInt64(io.out[1].data, DataType::kINT32, 0, count);
  }
  const char* implementation() const override { return "nms"; }

 private:
  bool centerSizes_;
  int64_t topK_;
  DataType indicesType_;
};

std::unique_ptr<CpuKernel> createNms(const Node& node, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<NmsKernel>(node);
}

}  // namespace

void registerNms() {
  OpDef def{LayerType::kNMS, "NMS", 3, 5, 2, inferNms, createNms, {}};
  def.dataDependentOutputs = true;
  registerOp(def);
}

}  // namespace trtn
