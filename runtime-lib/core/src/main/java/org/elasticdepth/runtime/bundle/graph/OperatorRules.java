package org.elasticdepth.runtime.bundle.graph;

import java.util.Arrays;
import org.elasticdepth.runtime.bundle.graph.GraphValidator.TensorInfo;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException.Rule;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.AddOptions;
import org.tensorflow.lite.schema.BatchMatMulOptions;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.ConcatenationOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.FullyConnectedOptionsWeightsFormat;
import org.tensorflow.lite.schema.GeluOptions;
import org.tensorflow.lite.schema.MulOptions;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.ReducerOptions;
import org.tensorflow.lite.schema.ReshapeOptions;
import org.tensorflow.lite.schema.SoftmaxOptions;
import org.tensorflow.lite.schema.SubOptions;
import org.tensorflow.lite.schema.TensorType;

/**
 * The operator vocabulary of the bundle format (what the exporter's {@code GraphBuilder} emits,
 * fp32 and fp16) and, per operator, its arity, operand types, options and shape inference: the
 * output shape is recomputed from the inputs and must equal the declared one, so a weight declared
 * [64,2] over a buffer for [64,128], or a reshape to a huge shape, is refused here.
 *
 * <p>Returns for each operator the bytes of the temporaries its TFLite kernel allocates (counted in
 * the activation bound).
 */
final class OperatorRules {
  private final String file;
  private final TensorInfo[] tensors;
  /** Outputs of DEQUANTIZE over a float16 constant: weights in fp16 graphs. */
  private final boolean[] dequantizedConstant;
  private int index;

  OperatorRules(String file, TensorInfo[] tensors) {
    this.file = file;
    this.tensors = tensors;
    this.dequantizedConstant = new boolean[tensors.length];
  }

  /** The version the exporter writes for {@code builtin}, or 0 when the operator is not in the vocabulary. */
  static int emittedVersion(int builtin) {
    switch (builtin) {
      case BuiltinOperator.FULLY_CONNECTED:
        return 5; // keep_num_dims
      case BuiltinOperator.DEQUANTIZE:
        return 3; // float16 input
      case BuiltinOperator.CONV_2D:
      case BuiltinOperator.ADD:
      case BuiltinOperator.SUB:
      case BuiltinOperator.MUL:
      case BuiltinOperator.SQUARED_DIFFERENCE:
      case BuiltinOperator.RSQRT:
      case BuiltinOperator.MEAN:
      case BuiltinOperator.RESHAPE:
      case BuiltinOperator.TRANSPOSE:
      case BuiltinOperator.BATCH_MATMUL:
      case BuiltinOperator.SOFTMAX:
      case BuiltinOperator.GELU:
      case BuiltinOperator.CONCATENATION:
      case BuiltinOperator.SLICE:
        return 1;
      default:
        return 0;
    }
  }

  /** Checks operator {@code i}; returns its kernel's temporary bytes. */
  long check(int i, OperatorCode code, Operator op, int[] in, int[] out) {
    index = i;
    int builtin = code.builtinCode();
    int version = emittedVersion(builtin);
    if (!(version > 0)) {
      throw fail(Rule.OPCODE, "builtin operator " + builtin + " is not in this format's vocabulary");
    }
    if (!(code.version() == version)) {
      throw fail(Rule.OPCODE, BuiltinOperator.name(builtin) + " version " + code.version() + ", this format emits version " + version);
    }
    if (!(code.deprecatedBuiltinCode() == (byte) Math.min(builtin, 127))) {
      throw fail(Rule.OPCODE, "deprecated_builtin_code " + code.deprecatedBuiltinCode() + " contradicts builtin_code " + builtin);
    }
    if (!(out.length == 1)) {
      throw fail(Rule.TENSOR_INDEX, BuiltinOperator.name(builtin) + " has " + out.length + " outputs, expected 1");
    }
    TensorInfo output = tensors[out[0]];
    if (!(output.type == TensorType.FLOAT32)) {
      throw fail(Rule.TENSOR_TYPE, "output " + output + " is not float32");
    }
    byte optionsType = op.builtinOptionsType();
    switch (builtin) {
      case BuiltinOperator.FULLY_CONNECTED:
        return fullyConnected(op, in, optionsType, output);
      case BuiltinOperator.CONV_2D:
        return conv2d(op, in, optionsType, output);
      case BuiltinOperator.ADD:
        options(optionsType, BuiltinOptions.AddOptions);
        AddOptions add = (AddOptions) present(op.builtinOptions(new AddOptions()));
        if (!(add.fusedActivationFunction() == ActivationFunctionType.NONE)) {
          throw fail(Rule.OPTIONS, "fused activation on ADD");
        }
        return elementwise(in, output);
      case BuiltinOperator.SUB:
        options(optionsType, BuiltinOptions.SubOptions);
        SubOptions sub = (SubOptions) present(op.builtinOptions(new SubOptions()));
        if (!(sub.fusedActivationFunction() == ActivationFunctionType.NONE)) {
          throw fail(Rule.OPTIONS, "fused activation on SUB");
        }
        return elementwise(in, output);
      case BuiltinOperator.MUL:
        options(optionsType, BuiltinOptions.MulOptions);
        MulOptions mul = (MulOptions) present(op.builtinOptions(new MulOptions()));
        if (!(mul.fusedActivationFunction() == ActivationFunctionType.NONE)) {
          throw fail(Rule.OPTIONS, "fused activation on MUL");
        }
        return elementwise(in, output);
      case BuiltinOperator.SQUARED_DIFFERENCE:
        options(optionsType, BuiltinOptions.SquaredDifferenceOptions);
        return elementwise(in, output);
      case BuiltinOperator.RSQRT:
        options(optionsType, BuiltinOptions.NONE);
        return unary(in, output);
      case BuiltinOperator.GELU:
        options(optionsType, BuiltinOptions.GeluOptions);
        present(op.builtinOptions(new GeluOptions())); // approximate or exact: both are GELU
        return unary(in, output);
      case BuiltinOperator.SOFTMAX:
        options(optionsType, BuiltinOptions.SoftmaxOptions);
        float beta = ((SoftmaxOptions) present(op.builtinOptions(new SoftmaxOptions()))).beta();
        if (!(beta == 1f)) {
          throw fail(Rule.OPTIONS, "SOFTMAX beta " + beta + ", this format uses 1");
        }
        return unary(in, output);
      case BuiltinOperator.MEAN:
        return mean(op, in, optionsType, output);
      case BuiltinOperator.RESHAPE:
        return reshape(op, in, optionsType, output);
      case BuiltinOperator.TRANSPOSE:
        return transpose(in, optionsType, output);
      case BuiltinOperator.BATCH_MATMUL:
        return batchMatMul(op, in, optionsType, output);
      case BuiltinOperator.CONCATENATION:
        return concatenation(op, in, optionsType, output);
      case BuiltinOperator.SLICE:
        return slice(in, optionsType, output);
      case BuiltinOperator.DEQUANTIZE:
        return dequantize(in, optionsType, output, out[0]);
      default:
        throw fail(Rule.OPCODE, "builtin operator " + builtin + " is not in this format's vocabulary");
    }
  }

  // ---------------------------------------------------------------- operators

  private long fullyConnected(Operator op, int[] in, byte optionsType, TensorInfo output) {
    arity(in, 3);
    options(optionsType, BuiltinOptions.FullyConnectedOptions);
    FullyConnectedOptions o = (FullyConnectedOptions) present(op.builtinOptions(new FullyConnectedOptions()));
    if (!(o.fusedActivationFunction() == ActivationFunctionType.NONE && o.weightsFormat() == FullyConnectedOptionsWeightsFormat.DEFAULT && o.keepNumDims() && !o.asymmetricQuantizeInputs())) {
      throw fail(Rule.OPTIONS, "FULLY_CONNECTED options other than no activation, default weights, keep_num_dims");
    }
    TensorInfo x = float32(in, 0);
    TensorInfo weight = weight(in, 1);
    if (!(weight.rank() == 2 && weight.dim(1) == x.dim(-1))) {
      throw fail(Rule.SHAPE_INFERENCE, "weight " + weight + " does not match input " + x + " (expected [out, " + x.dim(-1) + "])");
    }
    if (in[2] != -1) { // TFLite's optional bias
      TensorInfo bias = weight(in, 2);
      if (!(bias.rank() == 1 && bias.dim(0) == weight.dim(0))) {
        throw fail(Rule.SHAPE_INFERENCE, "bias " + bias + " does not match weight " + weight);
      }
    }
    int[] shape = x.shape.clone();
    shape[shape.length - 1] = weight.dim(0);
    declared(output, shape);
    return 0;
  }

  private long conv2d(Operator op, int[] in, byte optionsType, TensorInfo output) {
    arity(in, 3);
    options(optionsType, BuiltinOptions.Conv2DOptions);
    Conv2DOptions o = (Conv2DOptions) present(op.builtinOptions(new Conv2DOptions()));
    int strideH = o.strideH();
    int strideW = o.strideW();
    if (!(o.padding() == Padding.VALID && o.fusedActivationFunction() == ActivationFunctionType.NONE && o.dilationHFactor() == 1 && o.dilationWFactor() == 1 && strideH >= 1 && strideW >= 1 && strideH <= GraphValidator.MAX_DIM && strideW <= GraphValidator.MAX_DIM)) {
      throw fail(Rule.OPTIONS, "CONV_2D options other than VALID padding, strides >= 1, dilation 1, no activation");
    }
    TensorInfo x = float32(in, 0);
    TensorInfo filter = weight(in, 1);
    TensorInfo bias = weight(in, 2);
    if (!(x.rank() == 4 && filter.rank() == 4 && filter.dim(3) == x.dim(3) && filter.dim(1) <= x.dim(1) && filter.dim(2) <= x.dim(2))) {
      throw fail(Rule.SHAPE_INFERENCE, "filter " + filter + " (OHWI) does not fit input " + x + " (NHWC)");
    }
    if (!(bias.rank() == 1 && bias.dim(0) == filter.dim(0))) {
      throw fail(Rule.SHAPE_INFERENCE, "bias " + bias + " does not match filter " + filter);
    }
    int outH = (x.dim(1) - filter.dim(1)) / strideH + 1;
    int outW = (x.dim(2) - filter.dim(2)) / strideW + 1;
    declared(output, new int[] {x.dim(0), outH, outW, filter.dim(0)});
    // im2col buffer [N, outH, outW, kh*kw*C] plus the filter in HWCN order.
    long im2col = (long) x.dim(0) * outH * outW * filter.dim(1) * filter.dim(2) * filter.dim(3) * Float.BYTES;
    return GraphValidator.align(im2col) + GraphValidator.align(filter.elements * Float.BYTES);
  }

  private long elementwise(int[] in, TensorInfo output) {
    arity(in, 2);
    TensorInfo a = float32(in, 0);
    TensorInfo b = float32(in, 1);
    int rank = Math.max(a.rank(), b.rank());
    int[] shape = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i < rank - a.rank() ? 1 : a.shape[i - (rank - a.rank())];
      int db = i < rank - b.rank() ? 1 : b.shape[i - (rank - b.rank())];
      if (!(da == db || da == 1 || db == 1)) {
        throw fail(Rule.SHAPE_INFERENCE, a + " and " + b + " do not broadcast");
      }
      shape[i] = Math.max(da, db);
    }
    declared(output, shape);
    return 0;
  }

  private long unary(int[] in, TensorInfo output) {
    arity(in, 1);
    declared(output, float32(in, 0).shape);
    return 0;
  }

  private long mean(Operator op, int[] in, byte optionsType, TensorInfo output) {
    arity(in, 2);
    options(optionsType, BuiltinOptions.ReducerOptions);
    if (!(((ReducerOptions) present(op.builtinOptions(new ReducerOptions()))).keepDims())) {
      throw fail(Rule.OPTIONS, "MEAN without keep_dims");
    }
    TensorInfo x = float32(in, 0);
    int[] axes = int32Constant(in, 1, -1);
    if (!(axes.length >= 1 && axes.length <= x.rank())) {
      throw fail(Rule.OPTIONS, "MEAN over " + axes.length + " axes of " + x);
    }
    int[] shape = x.shape.clone();
    boolean[] seen = new boolean[x.rank()];
    for (int axis : axes) {
      int a = axis < 0 ? axis + x.rank() : axis;
      if (!(a >= 0 && a < x.rank() && !seen[a])) {
        throw fail(Rule.OPTIONS, "MEAN axes " + Arrays.toString(axes) + " for " + x);
      }
      seen[a] = true;
      shape[a] = 1;
    }
    declared(output, shape);
    // Kernel temporaries: the float sum (output size), resolved axes and an index per dimension.
    return GraphValidator.align(output.bytes()) + 2L * 64;
  }

  private long reshape(Operator op, int[] in, byte optionsType, TensorInfo output) {
    arity(in, 2);
    options(optionsType, BuiltinOptions.ReshapeOptions);
    TensorInfo x = float32(in, 0);
    int[] shape = int32Constant(in, 1, -1);
    ReshapeOptions o = (ReshapeOptions) present(op.builtinOptions(new ReshapeOptions()));
    if (!(o.newShapeLength() == shape.length)) {
      throw fail(Rule.OPTIONS, "RESHAPE new_shape has " + o.newShapeLength() + " values, its shape tensor " + shape.length);
    }
    int[] newShape = new int[o.newShapeLength()];
    for (int i = 0; i < newShape.length; i++) {
      newShape[i] = o.newShape(i);
    }
    if (!(Arrays.equals(shape, newShape))) {
      throw fail(Rule.OPTIONS, "RESHAPE shape " + Arrays.toString(shape) + " differs from new_shape " + Arrays.toString(newShape));
    }
    long elements = 1;
    for (int d : shape) {
      if (!(d >= 1 && d <= GraphValidator.MAX_DIM)) {
        throw fail(Rule.SHAPE_INFERENCE, "RESHAPE to " + Arrays.toString(shape));
      }
      elements *= d;
    }
    if (!(shape.length >= 1 && elements == x.elements)) {
      throw fail(Rule.SHAPE_INFERENCE, "RESHAPE of " + x + " to " + Arrays.toString(shape) + " changes the element count");
    }
    declared(output, shape);
    return 0;
  }

  private long transpose(int[] in, byte optionsType, TensorInfo output) {
    arity(in, 2);
    options(optionsType, BuiltinOptions.TransposeOptions);
    TensorInfo x = float32(in, 0);
    int[] perm = int32Constant(in, 1, x.rank());
    int[] shape = new int[perm.length];
    boolean[] seen = new boolean[perm.length];
    for (int i = 0; i < perm.length; i++) {
      if (!(perm[i] >= 0 && perm[i] < perm.length && !seen[perm[i]])) {
        throw fail(Rule.OPTIONS, "TRANSPOSE permutation " + Arrays.toString(perm));
      }
      seen[perm[i]] = true;
      shape[i] = x.shape[perm[i]];
    }
    declared(output, shape);
    return 0;
  }

  private long batchMatMul(Operator op, int[] in, byte optionsType, TensorInfo output) {
    arity(in, 2);
    options(optionsType, BuiltinOptions.BatchMatMulOptions);
    BatchMatMulOptions o = (BatchMatMulOptions) present(op.builtinOptions(new BatchMatMulOptions()));
    if (!(!o.adjX() && !o.asymmetricQuantizeInputs())) {
      throw fail(Rule.OPTIONS, "BATCH_MATMUL with adj_x or quantized inputs");
    }
    TensorInfo a = float32(in, 0);
    TensorInfo b = float32(in, 1);
    if (!(a.rank() == b.rank() && a.rank() >= 2)) {
      throw fail(Rule.SHAPE_INFERENCE, "BATCH_MATMUL of " + a + " and " + b);
    }
    for (int i = 0; i < a.rank() - 2; i++) {
      if (!(a.shape[i] == b.shape[i])) {
        throw fail(Rule.SHAPE_INFERENCE, "BATCH_MATMUL batch dimensions of " + a + " and " + b);
      }
    }
    boolean adjY = o.adjY();
    int k = a.dim(-1);
    if (!((adjY ? b.dim(-1) : b.dim(-2)) == k)) {
      throw fail(Rule.SHAPE_INFERENCE, "BATCH_MATMUL inner dimensions of " + a + " and " + b);
    }
    int[] shape = a.shape.clone();
    shape[shape.length - 1] = adjY ? b.dim(-2) : b.dim(-1);
    declared(output, shape);
    // The kernel keeps transposed copies of its operands.
    return GraphValidator.align(a.bytes()) + GraphValidator.align(b.bytes());
  }

  private long concatenation(Operator op, int[] in, byte optionsType, TensorInfo output) {
    if (!(in.length >= 2)) {
      throw fail(Rule.TENSOR_INDEX, "CONCATENATION of " + in.length + " inputs");
    }
    options(optionsType, BuiltinOptions.ConcatenationOptions);
    ConcatenationOptions o = (ConcatenationOptions) present(op.builtinOptions(new ConcatenationOptions()));
    if (!(o.fusedActivationFunction() == ActivationFunctionType.NONE)) {
      throw fail(Rule.OPTIONS, "fused activation on CONCATENATION");
    }
    TensorInfo first = float32(in, 0);
    int axis = o.axis();
    if (!(axis >= 0 && axis < first.rank())) {
      throw fail(Rule.OPTIONS, "CONCATENATION axis " + axis + " for " + first);
    }
    int[] shape = first.shape.clone();
    long total = first.dim(axis);
    for (int k = 1; k < in.length; k++) {
      TensorInfo part = float32(in, k);
      if (!(part.rank() == first.rank())) {
        throw fail(Rule.SHAPE_INFERENCE, "CONCATENATION of " + first + " and " + part);
      }
      for (int d = 0; d < shape.length; d++) {
        if (!(d == axis || part.shape[d] == first.shape[d])) {
          throw fail(Rule.SHAPE_INFERENCE, "CONCATENATION of " + first + " and " + part + " along axis " + axis);
        }
      }
      total += part.dim(axis);
    }
    if (!(total <= GraphValidator.MAX_DIM)) {
      throw fail(Rule.SHAPE_INFERENCE, "CONCATENATION makes dimension " + total);
    }
    shape[axis] = (int) total;
    declared(output, shape);
    return 0;
  }

  private long slice(int[] in, byte optionsType, TensorInfo output) {
    arity(in, 3);
    options(optionsType, BuiltinOptions.SliceOptions);
    TensorInfo x = float32(in, 0);
    int[] begin = int32Constant(in, 1, x.rank());
    int[] size = int32Constant(in, 2, x.rank());
    for (int d = 0; d < x.rank(); d++) {
      if (!(begin[d] >= 0 && size[d] >= 1 && (long) begin[d] + size[d] <= x.shape[d])) {
        throw fail(Rule.SHAPE_INFERENCE, "SLICE begin " + Arrays.toString(begin) + " size " + Arrays.toString(size) + " outside " + x);
      }
    }
    declared(output, size);
    return 0;
  }

  private long dequantize(int[] in, byte optionsType, TensorInfo output, int outputIndex) {
    arity(in, 1);
    options(optionsType, BuiltinOptions.DequantizeOptions);
    TensorInfo half = tensor(in, 0);
    if (!(half.constant && half.type == TensorType.FLOAT16)) {
      throw fail(Rule.TENSOR_TYPE, "DEQUANTIZE of " + half + ": this format dequantizes float16 constants only");
    }
    declared(output, half.shape);
    dequantizedConstant[outputIndex] = true;
    return 0;
  }

  // ---------------------------------------------------------------- operands

  /** The operator's options table, which must be there when its type is set. */
  private <T> T present(T options) {
    if (!(options != null)) {
      throw fail(Rule.OPTIONS, "builtin options are declared but missing");
    }
    return options;
  }

  private static String optionsName(byte type) {
    int i = type & 0xff;
    return i < BuiltinOptions.names.length ? BuiltinOptions.names[i] : String.valueOf(i);
  }

  private void arity(int[] in, int expected) {
    if (!(in.length == expected)) {
      throw fail(Rule.TENSOR_INDEX, in.length + " inputs, expected " + expected);
    }
  }

  private void options(byte actual, byte expected) {
    if (!(actual == expected)) {
      throw fail(Rule.OPTIONS, "builtin options of type " + optionsName(actual) + ", expected " + optionsName(expected));
    }
  }

  private TensorInfo tensor(int[] in, int k) {
    if (!(in[k] != -1)) {
      throw fail(Rule.TENSOR_INDEX, "input " + k + " is -1 but is not optional");
    }
    return tensors[in[k]];
  }

  /** A float32 operand (activation or constant). */
  private TensorInfo float32(int[] in, int k) {
    TensorInfo t = tensor(in, k);
    if (!(t.type == TensorType.FLOAT32)) {
      throw fail(Rule.TENSOR_TYPE, "input " + k + " " + t + " is not float32");
    }
    return t;
  }

  /** A weight: a float32 constant, or (fp16 graphs) the DEQUANTIZE of a float16 constant. */
  private TensorInfo weight(int[] in, int k) {
    TensorInfo t = float32(in, k);
    if (!(t.constant || dequantizedConstant[t.index])) {
      throw fail(Rule.TENSOR_TYPE, "input " + k + " " + t + " must be a constant weight");
    }
    return t;
  }

  /** An int32 constant of {@code length} values (-1: any length up to 4). */
  private int[] int32Constant(int[] in, int k, int length) {
    TensorInfo t = tensor(in, k);
    if (!(t.constant && t.type == TensorType.INT32 && t.rank() == 1 && (length < 0 ? t.elements <= GraphValidator.MAX_RANK : t.elements == length))) {
      throw fail(Rule.TENSOR_TYPE, "input " + k + " " + t + " must be an int32 constant of " + (length < 0 ? "at most " + GraphValidator.MAX_RANK : length) + " values");
    }
    return t.ints();
  }

  /** The declared output shape must be the inferred one. */
  private void declared(TensorInfo output, int[] inferred) {
    if (!(Arrays.equals(output.shape, inferred))) {
      throw fail(Rule.SHAPE_INFERENCE, "declared output " + output + " but the inputs give " + Arrays.toString(inferred));
    }
  }

  private InvalidGraphException fail(Rule rule, String message) {
    return new InvalidGraphException(file, index, rule, message);
  }
}
