// SHUFFLE: transpose -> reshape -> transpose, for every element type.
//
// Permutations follow TensorRT: out.d[i] = in.d[perm[i]]. An absent or empty permutation is the
// identity; a permutation longer than the rank is accepted when its extra entries are the
// identity (TensorRT's Permutation always has MAX_DIMS entries). The reshape dims come from
// input 1 (a 1-D INT32/INT64 shape tensor) or the `reshapeDims` attribute; 0 copies the input
// dim at the same index when `zeroIsPlaceholder` (default 1), and one -1 is inferred.
#include <numeric>

#include "TensorOps.h"

namespace trtn {

namespace {

using namespace tensorops;

std::vector<int64_t> identityPerm(size_t rank) {
  std::vector<int64_t> p(rank);
  std::iota(p.begin(), p.end(), 0);
  return p;
}

// Permutation attribute normalised to `rank` entries (see the file comment); unchecked.
std::vector<int64_t> permFor(const std::vector<int64_t>& attr, size_t rank) {
  if (attr.empty()) return identityPerm(rank);
  std::vector<int64_t> p = attr;
  while (p.size() > rank && p.back() == static_cast<int64_t>(p.size()) - 1) p.pop_back();
  return p;
}

bool isIdentity(const std::vector<int64_t>& p) {
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != static_cast<int64_t>(i)) return false;
  return true;
}

Dims applyPerm(const Dims& d, const std::vector<int64_t>& p) {
  Dims out(p.size());
  for (size_t i = 0; i < p.size(); ++i) out[i] = d[p[i]];
  return out;
}

Dims resolveReshape(const InferIO& io, const Dims& in, const std::vector<int64_t>& spec, bool zeroIsPlaceholder) {
  Dims out(spec.size());
  int64_t inferIdx = -1;
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t v = spec[i];
    if (v == -1) {
      if (inferIdx >= 0)
        io.error("reshape dimensions ", dimsToString(spec), " have more than one -1 (dims ", inferIdx, " and ", i, ")");
      inferIdx = static_cast<int64_t>(i);
      out[i] = -1;
    } else if (v == 0 && zeroIsPlaceholder) {
      if (i >= in.size())
        io.error("reshape dimension ", i, " is 0 (copy the input dim) but the transposed input ", dimsToString(in),
                 " has only ", in.size(), " dims");
      out[i] = in[i];
    } else if (v < 0) {
      io.error("reshape dimensions ", dimsToString(spec), " contain the invalid value ", v);
    } else {
      out[i] = v;
    }
  }
  const int64_t inVol = volume(in);
  if (inferIdx >= 0) {
    int64_t rest = 1;
    bool restKnown = true;
    for (size_t i = 0; i < out.size(); ++i) {
      if (static_cast<int64_t>(i) == inferIdx) continue;
      if (out[i] < 0) restKnown = false;
      else rest *= out[i];
    }
    if (inVol >= 0 && restKnown) {
      if (rest == 0)
        io.error("cannot infer the -1 in reshape dimensions ", dimsToString(spec), " for input ", dimsToString(in),
                 ": the other dimensions have zero volume");
      if (inVol % rest != 0)
        io.error("cannot reshape ", dimsToString(in), " (", inVol, " elements) to ", dimsToString(spec),
                 ": the volume is not divisible by ", rest);
      out[inferIdx] = inVol / rest;
    }
  } else if (inVol >= 0 && isFullyKnown(out) && volume(out) != inVol) {
    io.error("cannot reshape ", dimsToString(in), " (", inVol, " elements) to ", dimsToString(out), " (", volume(out),
             " elements)");
  }
  return out;
}

void inferShuffle(InferIO& io) {
  const Dims& in = io.dims(0);
  std::vector<int64_t> p1 = permFor(io.node.getInts("firstTranspose"), in.size());
  checkPermutation(io, p1, in.size(), "firstTranspose");
  Dims reshaped = applyPerm(in, p1);
  if (io.has(1) || io.node.has("reshapeDims")) {
    bool found = false;
    std::optional<std::vector<int64_t>> spec = shapeInputOrAttr(io, 1, "reshapeDims", found, "reshape dimensions");
    bool zeroIsPlaceholder = io.node.getInt("zeroIsPlaceholder", 1) != 0;
    if (spec) {
      reshaped = resolveReshape(io, reshaped, *spec, zeroIsPlaceholder);
    } else {
      int64_t n = io.dims(1)[0];
      if (n < 0) io.error("the reshape dimensions tensor (input 1) must have a static length");
      reshaped = unknownDims(static_cast<size_t>(n));
    }
  }
  std::vector<int64_t> p2 = permFor(io.node.getInts("secondTranspose"), reshaped.size());
  checkPermutation(io, p2, reshaped.size(), "secondTranspose");
  io.setOutput(0, io.type(0), applyPerm(reshaped, p2));
}

class ShuffleKernel : public CpuKernel {
 public:
  ShuffleKernel(const Node& node, DataType type)
      : first_(node.getInts("firstTranspose")),
        second_(node.getInts("secondTranspose")),
        elemSize_(dataTypeSize(type)) {}

  size_t workspaceBytes(const std::vector<Dims>& inDims, const std::vector<Dims>& outDims) const override {
    std::vector<int64_t> p1 = permFor(first_, inDims[0].size());
    std::vector<int64_t> p2 = permFor(second_, outDims[0].size());
    if (isIdentity(p1) || isIdentity(p2)) return 0;
    int64_t n = volume(inDims[0]);
    return n > 0 ? static_cast<size_t>(n) * elemSize_ : 0;
  }

  void run(KernelIO& io) override {
    const TensorRef& in = io.in[0];
    const TensorRef& out = io.out[0];
    if (in.count() <= 0) return;
    std::vector<int64_t> p1 = permFor(first_, in.dims.size());
    std::vector<int64_t> p2 = permFor(second_, out.dims.size());
    bool id1 = isIdentity(p1), id2 = isIdentity(p2);
    // The reshaped dims, recovered from the output: out.d[i] = reshaped.d[p2[i]].
    Dims reshaped(out.dims.size());
    for (size_t i = 0; i < p2.size(); ++i) reshaped[p2[i]] = out.dims[i];
    if (id1 && id2) {
      if (out.data != in.data) permuteCopy(in.data, out.data, {in.count()}, {0}, elemSize_, io.pool);
    } else if (id2) {
      permuteCopy(in.data, out.data, in.dims, p1, elemSize_, io.pool);
    } else if (id1) {
      permuteCopy(in.data, out.data, reshaped, p2, elemSize_, io.pool);
    } else {
      TRTN_CHECK(io.workspace && io.workspaceBytes >= static_cast<size_t>(in.count()) * elemSize_,
                 StatusCode::kInternal, "shuffle: workspace too small");
      permuteCopy(in.data, io.workspace, in.dims, p1, elemSize_, io.pool);
      permuteCopy(io.workspace, out.data, reshaped, p2, elemSize_, io.pool);
    }
  }
  const char* implementation() const override { return "permute"; }

 private:
  std::vector<int64_t> first_, second_;
  size_t elemSize_;
};

std::unique_ptr<CpuKernel> createShuffle(const Node& node, const std::vector<DataType>& inTypes,
                                         const std::vector<DataType>&) {
  return std::make_unique<ShuffleKernel>(node, inTypes.at(0));
}

}  // namespace

void registerShuffle() {
  registerOp({LayerType::kSHUFFLE, "Shuffle", 1, 2, 1, inferShuffle, createShuffle, {1}});
}

}  // namespace trtn
