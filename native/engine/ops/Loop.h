// The LOOP node's input layout, shared by the loop kernel (ops/Loop.cpp) and the pass that makes
// LOOP nodes (passes/LoopOutlining.cpp); ops/Loop.cpp describes the whole layout.
#pragma once

namespace trtn::loop {

// Stacked (CONCATENATE/REVERSE) outputs per loop: their lengths have fixed input slots, so that
// OpDef::shapeInputs can name them.
constexpr int kMaxOutputs = 32;
// Input 0 is the COUNT trip limit, inputs 1..kMaxOutputs the output lengths, then the state.
constexpr int kFirstStateInput = 1 + kMaxOutputs;

enum OutputKind : int64_t { kLastValue = 0, kConcatenate = 1, kReverse = 2 };
enum TripLimitKind : int64_t { kCount = 0, kWhile = 1 };

}  // namespace trtn::loop
