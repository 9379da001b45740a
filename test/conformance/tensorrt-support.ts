/**
 * What TensorRT's own ONNX parser supports, for the operators whose in-scope conformance cases do
 * not all pass here. Source: the parser's published operator matrix (onnx-tensorrt
 * docs/operators.md, TensorRT 10.x; the TensorRT 11 parser's matrix is not published in a form
 * we can read). The report prints it beside each such operator, and test/83 fails when an
 * operator the parser supports has a case that does not pass and is not explained by one of the
 * parser's documented restrictions below: every operator TensorRT's parser supports must pass.
 */
export interface ParserSupport {
  /** Whether the operator is in TensorRT's ONNX parser at all. */
  supported: boolean;
  /** For supported operators: the parser's documented restriction, in our words. */
  restriction?: string;
  /** Cases of a supported operator that the restriction covers (by case name). */
  restrictedCases?: RegExp;
}

const NOT_IN_PARSER: ParserSupport = { supported: false };

export const TENSORRT_PARSER: Record<string, ParserSupport> = {
  AffineGrid: NOT_IN_PARSER,
  BitCast: NOT_IN_PARSER,
  BitShift: NOT_IN_PARSER,
  BitwiseAnd: NOT_IN_PARSER,
  BitwiseNot: NOT_IN_PARSER,
  BitwiseOr: NOT_IN_PARSER,
  BitwiseXor: NOT_IN_PARSER,
  Col2Im: NOT_IN_PARSER,
  Det: NOT_IN_PARSER,
  MaxUnpool: NOT_IN_PARSER,
  MelWeightMatrix: NOT_IN_PARSER,
  STFT: NOT_IN_PARSER,
  Unique: NOT_IN_PARSER,
  MaxPool: {
    supported: true,
    restriction: 'the Indices output is not supported, and dilations must be all ones',
    restrictedCases: /^test_maxpool_with_argmax_|^test_MaxPool\d?d_.*dilation/,
  },
  Resize: {
    supported: true,
    restriction:
      'coordinate transformations half_pixel, pytorch_half_pixel, tf_half_pixel_for_nn, asymmetric and align_corners only (no half_pixel_symmetric or tf_crop_and_resize); keep_aspect_ratio_policy stretch only; no antialiasing',
    restrictedCases: /half_pixel_symmetric|tf_crop_and_resize|antialias|not_larger|not_smaller/,
  },
};

/** The support entry of an operator as the report names it (`domain:Op` for other domains). */
export function parserSupport(op: string): ParserSupport | undefined {
  // The parser handles the default ONNX domain only (and a few listed operators elsewhere).
  if (op.startsWith('ai.onnx.ml:')) return NOT_IN_PARSER;
  return TENSORRT_PARSER[op];
}

/**
 * Problems with the claim "every operator TensorRT's parser supports passes": one line per
 * operator with a non-passing in-scope case that is neither outside the parser nor covered by a
 * listed restriction.
 */
export function unexplainedGaps(failingByOp: Map<string, string[]>): string[] {
  const problems: string[] = [];
  for (const [op, cases] of failingByOp) {
    const support = parserSupport(op);
    if (!support) {
      problems.push(`${op}: ${cases.join(', ')} do not pass and TensorRT's parser support for ${op} is not recorded`);
      continue;
    }
    if (!support.supported) continue;
    const unexplained = cases.filter((c) => !support.restrictedCases?.test(c));
    if (unexplained.length > 0) problems.push(`${op} (supported by TensorRT's parser): ${unexplained.join(', ')} do not pass`);
  }
  return problems;
}
