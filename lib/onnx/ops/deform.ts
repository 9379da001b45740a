/**
 * @internal DeformConv (opset 19) as a composition of layers: one bilinear GridSample fetches the
 * input at every deformed kernel tap, the mask scales the samples, and a 1x1 grouped convolution
 * with the reshaped weights sums over (channel-in-group x taps). 1-D and 2-D spatial inputs, as
 * TensorRT's parser supports.
 */
import { DataType, ElementWiseOperation, InterpolationMode, SampleMode } from '../../enums.js';
import type { ITensor } from '../../Tensor.js';
import { Weights } from '../../Weights.js';
import { ConstTensor, engineType, onnxTypeName } from '../ConstTensor.js';
import { NodeContext, Value, isConst, isFloatDataType, shapeOf } from '../ImportContext.js';
import { OnnxType } from '../model.js';
import { ImportError, ParserErrorCode } from '../ParserError.js';
import { Importer, cast, elementwise, reshape, transpose } from './common.js';

const volume = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

/** A constant's values as conv Weights (DOUBLE narrowed to FLOAT, as for other constants). */
function weightsOf(c: ConstTensor, dims: number[], what: string): Weights {
  const t = c.type === OnnxType.DOUBLE ? ConstTensor.fromNumbers(OnnxType.FLOAT, c.dims, c.toNumbers()) : c;
  const type = engineType(t.type);
  if (type === undefined || !isFloatDataType(type)) {
    throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, `DeformConv: ${what} has type ${onnxTypeName(c.type)}; expected FLOAT, FLOAT16 or BFLOAT16`);
  }
  return new Weights(type, t.reshaped(dims).data);
}

function spatialAttr(ctx: NodeContext, name: string, nsp: number, fallback: number): number[] {
  const v = ctx.ints(name);
  if (v === undefined) return new Array<number>(nsp).fill(fallback);
  if (v.length !== nsp) throw new ImportError(ParserErrorCode.INVALID_NODE, `DeformConv: attribute ${name} has ${v.length} values but the input has ${nsp} spatial dimensions`);
  if (v.some((x) => !(x >= 1))) throw ctx.unsupportedAttr(name, v, 'expected positive values');
  return v;
}

const importDeformConv: Importer = (ctx) => {
  const model = ctx.model;
  const xIn = ctx.tensor(0);
  const w = ctx.input(1);
  const xDims = xIn.shape;
  const nsp = xDims.length - 2;
  if (nsp !== 1 && nsp !== 2) {
    throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_SHAPE, `DeformConv: input X has rank ${xDims.length}; only 1-D and 2-D spatial inputs (rank 3 or 4) are supported`);
  }
  if (!isFloatDataType(xIn.dtype)) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, 'DeformConv: input X must be FLOAT, FLOAT16 or BFLOAT16');
  const C = xDims[1]!;
  const spatial = xDims.slice(2);
  // The sample grid is a constant built from the spatial sizes.
  if (C < 0 || spatial.some((d) => d < 0)) {
    throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `DeformConv: input X dims [${xDims.join(', ')}]: channels and spatial dims must be known at parse time (only the batch may be dynamic)`);
  }
  const wDims = shapeOf(w);
  if (wDims.length !== nsp + 2 || wDims.some((d) => d < 0)) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `DeformConv: weights W have dims [${wDims.join(', ')}]; a rank-${nsp + 2} tensor of known dims is expected`);
  }
  const kernel = ctx.ints('kernel_shape') ?? wDims.slice(2);
  if (kernel.length !== nsp || kernel.some((k, i) => k !== wDims[2 + i])) {
    throw ctx.unsupportedAttr('kernel_shape', kernel, `it must match the spatial dims of W [${wDims.join(', ')}]`);
  }
  const strides = spatialAttr(ctx, 'strides', nsp, 1);
  const dilations = spatialAttr(ctx, 'dilations', nsp, 1);
  const pads = ctx.ints('pads') ?? new Array<number>(2 * nsp).fill(0);
  if (pads.length !== 2 * nsp) throw new ImportError(ParserErrorCode.INVALID_NODE, `DeformConv: attribute pads has ${pads.length} values; ${2 * nsp} expected`);
  if (pads.some((p) => p < 0)) throw ctx.unsupportedAttr('pads', pads, 'negative padding');
  // As TensorRT's parser: begin and end pads must agree on every axis.
  if (pads.some((p, i) => i < nsp && p !== pads[i + nsp])) throw ctx.unsupportedAttr('pads', pads, 'begin and end pads must be equal on every axis');
  const group = ctx.int('group', 1);
  const offsetGroup = ctx.int('offset_group', 1);
  const M = wDims[0]!;
  const Cg = wDims[1]!;
  if (!(group >= 1) || Cg * group !== C || M % group !== 0) {
    throw ctx.unsupportedAttr('group', group, `X has ${C} channels and W dims [${wDims.join(', ')}]: expected C = W.dim1 * group and W.dim0 divisible by group`);
  }
  if (!(offsetGroup >= 1) || C % offsetGroup !== 0) throw ctx.unsupportedAttr('offset_group', offsetGroup, `it must divide the ${C} input channels`);

  const out = spatial.map((d, i) => Math.floor((d + 2 * pads[i]! - dilations[i]! * (kernel[i]! - 1) - 1) / strides[i]!) + 1);
  if (out.some((d) => d < 1)) throw new ImportError(ParserErrorCode.INVALID_NODE, `DeformConv: the output of input dims [${xDims.join(', ')}] would be empty`);
  const K = volume(kernel);
  const P = volume(out);
  const offsetValue = ctx.input(2);
  const offDims = shapeOf(offsetValue);
  const expectOff = [offsetGroup * K * nsp, ...out];
  if (offDims.length !== nsp + 2 || offDims.slice(1).some((d, i) => d >= 0 && d !== expectOff[i])) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `DeformConv: offset dims [${offDims.join(', ')}] do not fit [N, ${expectOff.join(', ')}]`);
  }
  const maskValue = ctx.optionalInput(4);
  if (maskValue !== undefined) {
    const maskDims = shapeOf(maskValue);
    const expectMask = [offsetGroup * K, ...out];
    if (maskDims.length !== nsp + 2 || maskDims.slice(1).some((d, i) => d >= 0 && d !== expectMask[i])) {
      throw new ImportError(ParserErrorCode.INVALID_NODE, `DeformConv: mask dims [${maskDims.join(', ')}] do not fit [N, ${expectMask.join(', ')}]`);
    }
  }

  // 1-D runs as 2-D with a unit height in front of the length: (h, w) = (0, l).
  const as2d = (v: number[], unit: number): [number, number] => (nsp === 2 ? [v[0]!, v[1]!] : [unit, v[0]!]);
  const [H, Wd] = as2d(spatial, 1);
  const [kh, kw] = as2d(kernel, 1);
  const [sh, sw] = as2d(strides, 1);
  const [dh, dw] = as2d(dilations, 1);
  const [ph, pw] = as2d(pads, 0);
  const [oh, ow] = as2d(out, 1);
  const Cog = C / offsetGroup;

  // Sampling runs in FLOAT whatever X's type: GridSample's normalized coordinates need the precision.
  const xf = cast(model, xIn, DataType.FLOAT);
  // [N, C, H, W] -> [N * offset_group, C / offset_group, H, W]: each offset group gets its own grid.
  const xg = reshape(model, xf, [-1, Cog, H, Wd]);

  // GridSample with alignCorners off maps pixel p to (2p + 1) / size - 1, which stays exact for
  // size 1 (the reference's align-corners form divides by size - 1). The map is affine, so the
  // base grid is a constant and the offsets add in scaled by 2 / size.
  const base = new Float32Array(K * P * 2);
  for (let a = 0; a < kh; a += 1) {
    for (let b = 0; b < kw; b += 1) {
      for (let i = 0; i < oh; i += 1) {
        for (let j = 0; j < ow; j += 1) {
          const e = (((a * kw + b) * oh + i) * ow + j) * 2;
          base[e] = (2 * (j * sw - pw + b * dw) + 1) / Wd - 1;
          base[e + 1] = (2 * (i * sh - ph + a * dh) + 1) / H - 1;
        }
      }
    }
  }
  // offset [N, og*K*nsp, out...] -> [N*og, K, P, nsp]; components are (h, w) in 2-D, (l) in 1-D.
  const off = transpose(model, reshape(model, cast(model, offsetValue, DataType.FLOAT), [-1, K, nsp, P]), [0, 1, 3, 2]);
  // GridSample wants (x, y) = (w, h): swap in 2-D; in 1-D the scale row [2/W, 0] also gives y = 0.
  const swapped = nsp === 2 ? ctx.network.addGather(off, model.tensor(ConstTensor.fromNumbers(OnnxType.INT32, [2], [1, 0])), 3).getOutput(0) : off;
  const scale = ConstTensor.float(nsp === 2 ? [2 / Wd, 2 / H] : [2 / Wd, 0], [1, 1, 1, 2]);
  const grid = elementwise(model, elementwise(model, swapped, scale, ElementWiseOperation.PROD), ConstTensor.fromNumbers(OnnxType.FLOAT, [1, K, P, 2], base), ElementWiseOperation.SUM);

  const gs = ctx.network.addGridSample(xg, grid);
  gs.interpolationMode = InterpolationMode.LINEAR;
  gs.sampleMode = SampleMode.FILL;
  gs.alignCorners = false;
  // [N*og, C/og, K, P]
  let samples: ITensor = gs.getOutput(0);
  if (maskValue !== undefined) {
    const mask = reshape(model, cast(model, maskValue, DataType.FLOAT), [-1, 1, K, P]);
    samples = elementwise(model, samples, mask, ElementWiseOperation.PROD);
  }
  // [N*og, C/og, K, P] is [N, C, K, P] in memory: channel c*K + k meets W[m, c % Cg, k] in a 1x1
  // convolution whose groups are the DeformConv groups.
  const columns = reshape(model, cast(model, samples, xIn.dtype), [-1, C * K, oh, ow]);
  const kdims = [M, Cg * K, 1, 1];
  const bias = ctx.optionalInput(3);
  if (bias !== undefined && (shapeOf(bias).length !== 1 || (shapeOf(bias)[0]! >= 0 && shapeOf(bias)[0] !== M))) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `DeformConv: bias B has dims [${shapeOf(bias).join(', ')}]; [${M}] expected`);
  }
  const conv = ctx.network.addConvolutionNd(
    columns,
    M,
    [1, 1],
    isConst(w) ? weightsOf(w, kdims, 'weights W (input 1)') : undefined,
    bias !== undefined && isConst(bias) ? weightsOf(bias, [M], 'bias B (input 3)') : undefined,
  );
  if (!isConst(w)) conv.setInput(1, cast(model, reshape(model, w, kdims), xIn.dtype));
  if (bias !== undefined && !isConst(bias)) conv.setInput(2, cast(model, bias, xIn.dtype));
  conv.numGroups = group;
  let y: Value = conv.getOutput(0);
  if (nsp === 1) y = reshape(model, y, [-1, M, ow]);
  ctx.setOutput(0, y);
};

export const deformImporters: Record<string, Importer> = {
  DeformConv: importDeformConv,
};
