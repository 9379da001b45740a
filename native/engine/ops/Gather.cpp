// GATHER: DEFAULT (ONNX Gather, optionally with one broadcast elementwise leading dim),
// ELEMENT (ONNX GatherElements) and ND (ONNX GatherND with `numElementWiseDims` batch dims), for
// every data type, with INT32/INT64 indices. Negative indices wrap once (i + dim); an index still
// out of range after that reads zeros (the output element or slice is zero-filled), as TensorRT
// documents ("Zero will be stored for OOB access"), so bad indices never read outside the data.
#include "TensorOps.h"

namespace trtn {

namespace {

using namespace tensorops;

enum GatherMode : int64_t { kDefault = 0, kElement = 1, kND = 2 };

void inferGather(InferIO& io) {
  const Dims& data = io.dims(0);
  const Dims& idx = io.dims(1);
  const int64_t r = static_cast<int64_t>(data.size()), q = static_cast<int64_t>(idx.size());
  DataType it = io.type(1);
  if (it != DataType::kINT32 && it != DataType::kINT64)
    io.error("indices (input 1) must be INT32 or INT64, not ", dataTypeName(it));
  const int64_t mode = io.node.getInt("mode", kDefault);
  const int64_t e = io.node.getInt("numElementWiseDims", 0);
  if (r < 1) io.error("data (input 0) must have at least one dimension");
  Dims out;
  if (mode == kDefault) {
    int64_t axis = cpu::normalizeAxis(io, io.node.getInt("axis", 0), r, "axis");
    if (e != 0 && e != 1) io.error("numElementWiseDims ", e, " must be 0 or 1 in DEFAULT mode");
    if (e == 0) {
      out.assign(data.begin(), data.begin() + axis);
      out.insert(out.end(), idx.begin(), idx.end());
      out.insert(out.end(), data.begin() + axis + 1, data.end());
    } else {
      if (axis < 1) io.error("with numElementWiseDims 1 the gather axis must be at least 1, not ", axis);
      if (q < 1) io.error("with numElementWiseDims 1 the indices must have at least one dimension");
      Dims b;
      if (!cpu::broadcastDims({data[0]}, {idx[0]}, b))
        io.error("elementwise dim 0 of data ", dimsToString(data), " and indices ", dimsToString(idx),
                 " do not broadcast");
      out.push_back(b[0]);
      out.insert(out.end(), data.begin() + 1, data.begin() + axis);
      out.insert(out.end(), idx.begin() + 1, idx.end());
      out.insert(out.end(), data.begin() + axis + 1, data.end());
    }
  } else if (mode == kElement) {
    int64_t axis = cpu::normalizeAxis(io, io.node.getInt("axis", 0), r, "axis");
    if (e != 0) io.error("numElementWiseDims must be 0 in ELEMENT mode, not ", e);
    if (q != r)
      io.error("ELEMENT mode needs indices of the data's rank ", r, ", but indices have dims ", dimsToString(idx));
    // addGatherV2 sets the axis after the layer is added (as in TensorRT), so at add time one
    // oversized dim is allowed: it may be the axis still to be set.
    int64_t oversized = 0;
    for (int64_t d = 0; d < r; ++d)
      if (data[d] >= 0 && idx[d] > data[d]) ++oversized;
    for (int64_t d = 0; d < r; ++d)
      if (d != axis && data[d] >= 0 && idx[d] > data[d] && !(io.addTime && oversized == 1))
        io.error("indices dims ", dimsToString(idx), " exceed data dims ", dimsToString(data), " on dim ", d);
    out = idx;
  } else if (mode == kND) {
    if (q < 1) io.error("ND mode needs indices with at least one dimension");
    if (e < 0 || e >= r) io.error("numElementWiseDims ", e, " must be in [0, ", r - 1, "] in ND mode");
    if (e > q - 1) io.error("numElementWiseDims ", e, " exceeds the batch dims of indices ", dimsToString(idx));
    const int64_t k = idx[q - 1];
    if (k < 0) io.error("ND mode needs the last dimension of the indices to be known when the network is built");
    if (k > r - e)
      io.error("index tuples of length ", k, " do not fit data ", dimsToString(data), " with ", e, " batch dims");
    for (int64_t d = 0; d < e; ++d) {
      int64_t m;
      if (!unifyDim(data[d], idx[d], m))
        io.error("batch dim ", d, " differs between data ", dimsToString(data), " and indices ", dimsToString(idx));
    }
    out.assign(idx.begin(), idx.end() - 1);
    for (int64_t d = 0; d < e; ++d) unifyDim(out[d], data[d], out[d]);
    out.insert(out.end(), data.begin() + e + k, data.end());
  } else {
    io.error("mode ", mode, " is not a GatherMode (DEFAULT, ELEMENT, ND)");
  }
  io.setOutput(0, io.type(0), out);
}

inline int64_t loadIndex(const void* p, bool i64, int64_t i) {
  return i64 ? static_cast<const int64_t*>(p)[i] : static_cast<const int32_t*>(p)[i];
}

// Wraps a negative index once; -1 when out of range.
inline int64_t wrapIndex(int64_t v, int64_t dim) {
  if (v < 0) v += dim;
  return v >= 0 && v < dim ? v : -1;
}

template <size_t N>
void copyRun(uint8_t* dst, const uint8_t* src, int64_t count) {
  if (count == 1) copyElement<N>(dst, src);
  else std::memcpy(dst, src, static_cast<size_t>(count) * N);
}

class GatherKernel : public CpuKernel {
 public:
  GatherKernel(const Node& node, DataType type)
      : mode_(node.getInt("mode", kDefault)),
        axis_(node.getInt("axis", 0)),
        e_(node.getInt("numElementWiseDims", 0)),
        elemSize_(dataTypeSize(type)) {}

  void run(KernelIO& io) override {
    if (io.out[0].count() <= 0) return;
    dispatchBySize(elemSize_, [&](auto n) { runSized<decltype(n)::value>(io); });
  }
  const char* implementation() const override { return "gather"; }

 private:
  template <size_t N>
  void runSized(KernelIO& io) {
    const TensorRef& data = io.in[0];
    const TensorRef& ind = io.in[1];
    const TensorRef& out = io.out[0];
    const auto* src = static_cast<const uint8_t*>(data.data);
    auto* dst = static_cast<uint8_t*>(out.data);
    const bool i64 = ind.type == DataType::kINT64;
    const Dims& D = data.dims;
    const Dims& I = ind.dims;
    const int64_t r = static_cast<int64_t>(D.size());
    const int64_t q = static_cast<int64_t>(I.size());
    const int64_t axis = axis_ < 0 ? axis_ + r : axis_;
    if (mode_ == kDefault) {
      // out [B, outer, N, inner] from data [B?, outer, A, inner] and indices [B?, N].
      const int64_t B = e_ == 1 ? out.dims[0] : 1;
      const int64_t dataB = e_ == 1 && D[0] != 1 ? product(D, 1, D.size()) : 0;
      const int64_t idxB = e_ == 1 && I[0] != 1 ? product(I, 1, I.size()) : 0;
      const int64_t outer = product(D, static_cast<size_t>(e_), static_cast<size_t>(axis));
      const int64_t A = D[axis];
      const int64_t inner = product(D, static_cast<size_t>(axis) + 1, D.size());
      const int64_t Nn = product(I, static_cast<size_t>(e_), I.size());
      parallelFor(io.pool, B * outer * Nn, cpu::grainFor(inner), [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) {
          const int64_t j = t % Nn, bo = t / Nn, o = bo % outer, b = bo / outer;
          const int64_t v = wrapIndex(loadIndex(ind.data, i64, b * idxB + j), A);
          uint8_t* d = dst + t * inner * N;
          if (v < 0) std::memset(d, 0, static_cast<size_t>(inner) * N);
          else copyRun<N>(d, src + (b * dataB + (o * A + v) * inner) * N, inner);
        }
      });
    } else if (mode_ == kElement) {
      std::vector<int64_t> ds = cpu::stridesOf(D);
      const int64_t axisStride = ds[axis];
      const int64_t A = D[axis];
      ds[axis] = 0;
      const int64_t total = out.count();
      parallelFor(io.pool, total, 4096, [&](int64_t begin, int64_t end) {
        cpu::MultiIndex mi(I, {ds});
        mi.seek(begin);
        for (int64_t t = begin; t < end; ++t, mi.next()) {
          const int64_t v = wrapIndex(loadIndex(ind.data, i64, t), A);
          if (v < 0) std::memset(dst + t * N, 0, N);
          else copyElement<N>(dst + t * N, src + (mi.offsets[0] + v * axisStride) * N);
        }
      });
    } else {
      const int64_t k = I[q - 1];
      for (int64_t d = 0; d < e_; ++d)
        TRTN_CHECK(I[d] == D[d], StatusCode::kInvalidArgument, "gather: batch dim ", d, " of indices ",
                   dimsToString(I), " differs from data ", dimsToString(D));
      TRTN_CHECK(e_ + k <= r, StatusCode::kInvalidArgument, "gather: index tuples of length ", k, " do not fit data ",
                 dimsToString(D));
      const int64_t B = product(I, 0, static_cast<size_t>(e_));
      const int64_t M = product(I, static_cast<size_t>(e_), static_cast<size_t>(q - 1));
      const int64_t slice = product(D, static_cast<size_t>(e_ + k), D.size());
      const int64_t dataB = product(D, static_cast<size_t>(e_), D.size());
      std::vector<int64_t> ds = cpu::stridesOf(D);
      parallelFor(io.pool, B * M, cpu::grainFor(slice + k), [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) {
          const int64_t b = t / M;
          int64_t off = b * dataB;
          bool oob = false;
          for (int64_t c = 0; c < k; ++c) {
            const int64_t v = wrapIndex(loadIndex(ind.data, i64, t * k + c), D[e_ + c]);
            if (v < 0) oob = true;
            else off += v * ds[e_ + c];
          }
          uint8_t* d = dst + t * slice * N;
          if (oob) std::memset(d, 0, static_cast<size_t>(slice) * N);
          else if (slice > 0) copyRun<N>(d, src + off * N, slice);
        }
      });
    }
  }

  int64_t mode_, axis_, e_;
  size_t elemSize_;
};

std::unique_ptr<CpuKernel> createGather(const Node& node, const std::vector<DataType>& inTypes,
                                        const std::vector<DataType>&) {
  return std::make_unique<GatherKernel>(node, inTypes.at(0));
}

}  // namespace

void registerGather() { registerOp({LayerType::kGATHER, "Gather", 2, 2, 1, inferGather, createGather, {}}); }

}  // namespace trtn
