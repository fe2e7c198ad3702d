package org.elasticdepth.runtime.bundle.graph;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.elasticdepth.runtime.bundle.graph.GraphValidator.TensorInfo;
import org.elasticdepth.runtime.bundle.graph.GraphValidator.TensorTypes;
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
 * The operator vocabulary of the bundle format (what the exporter's {@code GraphBuilder} emits:
 * fp32, fp16 and quantized graphs) and, per operator, its arity, operand types, quantization,
 * options, version and shape inference: the output shape is recomputed from the inputs and must
 * equal the declared one, so a weight declared [64,2] over a buffer for [64,128], or a reshape to
 * a huge shape, is refused here.
 *
 * <p>Types: each operator computes in the type of its activations, float32, int8 or int16 (16x8:
 * int16 activations, int8 weights), and every operand and the output share it, as TFLite's kernels
 * require; QUANTIZE (float32 to int8/int16, int16 to int8/int16, int8 to int8) and DEQUANTIZE
 * (int8/int16/float16 to float32) are the only conversions. Which type each operator supports is
 * what TFLite 2.16.1's kernels run and its {@code register.cc} registers.
 *
 * <p>Versions: the version {@code tensorflow/lite/tools/versioning/op_version.cc} computes for the
 * operator's type signature and options; an operator code's version must be the highest any of its
 * operators needs (what TFLite's converter writes), and never above what the runtime registers.
 *
 * <p>Returns for each operator the bytes of the temporaries its TFLite kernel allocates (counted in
 * the activation bound).
 */
final class OperatorRules {
  /**
   * Largest ratio of an input scale to the output scale of a quantized ADD or SUB. TFLite's kernels
   * rescale with a multiplier 2 max(input scale) / (2^15 or 2^20 x output scale) that must stay
   * below 1 (else a TFLITE_CHECK aborts the process); 2^12 keeps it below 1/4 for int16 and int8.
   */
  static final double MAX_ADD_SCALE_RATIO = 4096;

  private final String file;
  private final TensorInfo[] tensors;
  /** Outputs of DEQUANTIZE over a float16 constant: weights in fp16 graphs. */
  private final boolean[] dequantizedConstant;
  /** Per operator code: the highest version its operators need, and the first operator using it. */
  private final int[] neededVersion;
  private final int[] firstUser;
  private final GraphProfile.Builder profile = new GraphProfile.Builder();
  private int index;

  OperatorRules(String file, TensorInfo[] tensors, int codes) {
    this.file = file;
    this.tensors = tensors;
    this.dequantizedConstant = new boolean[tensors.length];
    this.neededVersion = new int[codes];
    this.firstUser = new int[codes];
  }

  /**
   * The highest version TFLite 2.16.1's runtime registers for {@code builtin} ({@code
   * register.cc}), or 0 when the operator is not in this format's vocabulary.
   */
  static int registeredVersion(int builtin) {
    switch (builtin) {
      case BuiltinOperator.FULLY_CONNECTED:
        return 10;
      case BuiltinOperator.CONV_2D:
        return 7;
      case BuiltinOperator.MUL:
        return 7;
      case BuiltinOperator.TRANSPOSE:
      case BuiltinOperator.SLICE:
        return 6;
      case BuiltinOperator.ADD:
      case BuiltinOperator.SUB:
      case BuiltinOperator.DEQUANTIZE:
        return 5;
      case BuiltinOperator.BATCH_MATMUL:
      case BuiltinOperator.CONCATENATION:
        return 4;
      case BuiltinOperator.MEAN:
      case BuiltinOperator.SOFTMAX:
      case BuiltinOperator.QUANTIZE:
        return 3;
      case BuiltinOperator.SQUARED_DIFFERENCE:
      case BuiltinOperator.RSQRT:
      case BuiltinOperator.GELU:
        return 2;
      case BuiltinOperator.RESHAPE:
        return 1;
      default:
        return 0;
    }
  }

  /** Checks operator {@code i} (its code at {@code codeIndex}); returns its kernel's temporary bytes. */
  long check(int i, int codeIndex, OperatorCode code, Operator op, int[] in, int[] out) {
    index = i;
    int builtin = code.builtinCode();
    if (!(registeredVersion(builtin) > 0)) {
      throw fail(Rule.OPCODE, "builtin operator " + builtin + " is not in this format's vocabulary");
    }
    if (!(code.deprecatedBuiltinCode() == (byte) Math.min(builtin, 127))) {
      throw fail(Rule.OPCODE, "deprecated_builtin_code " + code.deprecatedBuiltinCode() + " contradicts builtin_code " + builtin);
    }
    if (!(out.length == 1)) {
      throw fail(Rule.TENSOR_INDEX, BuiltinOperator.name(builtin) + " has " + out.length + " outputs, expected 1");
    }
    TensorInfo output = tensors[out[0]];
    byte optionsType = op.builtinOptionsType();
    Checked result = operator(builtin, op, in, optionsType, output, out[0]);
    int version = result.version;
    if (!(code.version() >= version)) {
      throw fail(Rule.OPCODE, BuiltinOperator.name(builtin) + " " + signature(in, output) + " is version " + version
          + " (op_version.cc), its operator code says " + code.version());
    }
    if (!(version <= registeredVersion(builtin))) {
      throw fail(Rule.OPCODE, BuiltinOperator.name(builtin) + " version " + version + " is not registered by the TFLite runtime (at most " + registeredVersion(builtin) + ")");
    }
    if (neededVersion[codeIndex] == 0) {
      firstUser[codeIndex] = i;
    }
    neededVersion[codeIndex] = Math.max(neededVersion[codeIndex], version);
    if (builtin != BuiltinOperator.QUANTIZE && builtin != BuiltinOperator.DEQUANTIZE) {
      profile.computes(BuiltinOperator.name(builtin), output.type);
    }
    return result.temporaries;
  }

  /** After every operator: each used operator code's version is the highest its operators need. */
  void checkVersions(OperatorCode[] codes) {
    for (int c = 0; c < codes.length; c++) {
      if (neededVersion[c] > 0 && !(codes[c].version() == neededVersion[c])) {
        index = firstUser[c];
        throw fail(Rule.OPCODE, BuiltinOperator.name(codes[c].builtinCode()) + " operator code " + c + " has version " + codes[c].version()
            + " but its operators need at most version " + neededVersion[c] + " (op_version.cc)");
      }
    }
  }

  GraphProfile profile() {
    return profile.build();
  }

  /** An operator's version and its kernel's temporary bytes. */
  private record Checked(int version, long temporaries) {
    static Checked of(int version) {
      return new Checked(version, 0);
    }
  }

  private Checked operator(int builtin, Operator op, int[] in, byte optionsType, TensorInfo output, int outputIndex) {
    switch (builtin) {
      case BuiltinOperator.FULLY_CONNECTED:
        return fullyConnected(op, in, optionsType, output);
      case BuiltinOperator.CONV_2D:
        return conv2d(op, in, optionsType, output);
      case BuiltinOperator.ADD: {
        options(optionsType, BuiltinOptions.AddOptions);
        AddOptions add = (AddOptions) present(op.builtinOptions(new AddOptions()));
        if (!(add.fusedActivationFunction() == ActivationFunctionType.NONE)) {
          throw fail(Rule.OPTIONS, "fused activation on ADD");
        }
        byte type = elementwise(in, output, ALL_TYPES);
        addOrSubScales(in, output, type, add.potScaleInt16());
        return Checked.of(type == TensorType.INT8 ? 2 : type == TensorType.INT16 ? (add.potScaleInt16() ? 1 : 3) : 1);
      }
      case BuiltinOperator.SUB: {
        options(optionsType, BuiltinOptions.SubOptions);
        SubOptions sub = (SubOptions) present(op.builtinOptions(new SubOptions()));
        if (!(sub.fusedActivationFunction() == ActivationFunctionType.NONE)) {
          throw fail(Rule.OPTIONS, "fused activation on SUB");
        }
        byte type = elementwise(in, output, ALL_TYPES);
        addOrSubScales(in, output, type, sub.potScaleInt16());
        return Checked.of(type == TensorType.INT8 ? 2 : type == TensorType.INT16 ? (sub.potScaleInt16() ? 1 : 5) : 1);
      }
      case BuiltinOperator.MUL: {
        options(optionsType, BuiltinOptions.MulOptions);
        MulOptions mul = (MulOptions) present(op.builtinOptions(new MulOptions()));
        if (!(mul.fusedActivationFunction() == ActivationFunctionType.NONE)) {
          throw fail(Rule.OPTIONS, "fused activation on MUL");
        }
        byte type = elementwise(in, output, ALL_TYPES);
        if (type == TensorType.INT16) {
          return Checked.of(4);
        }
        if (type == TensorType.INT8) {
          // op_version.cc: version 3 when the rescale input1 x input2 / output is >= 1 (in float, as there).
          float rescale = tensors[in[0]].scale() * tensors[in[1]].scale() / output.scale();
          return Checked.of(rescale >= 1.0 ? 3 : 2);
        }
        return Checked.of(1);
      }
      case BuiltinOperator.SQUARED_DIFFERENCE: {
        options(optionsType, BuiltinOptions.SquaredDifferenceOptions);
        byte type = elementwise(in, output, FLOAT_INT8);
        if (type == TensorType.INT8) {
          // The kernel's output multiplier (2 max(input scale))^2 / (2^14 x output scale) must stay below 1.
          double twiceMax = 2.0 * Math.max(tensors[in[0]].scale(), tensors[in[1]].scale());
          if (!(twiceMax * twiceMax / (16384.0 * output.scale()) <= 0.5)) {
            throw fail(Rule.QUANTIZATION, "SQUARED_DIFFERENCE output scale " + output.scale() + " is too small for inputs of scale up to " + twiceMax / 2);
          }
        }
        return Checked.of(type == TensorType.INT8 ? 2 : 1);
      }
      case BuiltinOperator.RSQRT: {
        options(optionsType, BuiltinOptions.NONE);
        byte type = unary(in, output, FLOAT_INT8); // int16 RSQRT is version 3, which 2.16.1 does not register
        return Checked.of(type == TensorType.INT8 ? 2 : 1);
      }
      case BuiltinOperator.GELU: {
        options(optionsType, BuiltinOptions.GeluOptions);
        present(op.builtinOptions(new GeluOptions())); // approximate or exact: both are GELU
        byte type = unary(in, output, FLOAT_INT8); // GELU has no int16 kernel
        return Checked.of(type == TensorType.INT8 ? 2 : 1);
      }
      case BuiltinOperator.SOFTMAX: {
        options(optionsType, BuiltinOptions.SoftmaxOptions);
        float beta = ((SoftmaxOptions) present(op.builtinOptions(new SoftmaxOptions()))).beta();
        if (!(beta == 1f)) {
          throw fail(Rule.OPTIONS, "SOFTMAX beta " + beta + ", this format uses 1");
        }
        byte type = unary(in, output, ALL_TYPES);
        if (type != TensorType.FLOAT32) {
          // The kernels' fixed output: int8 1/256 and -128, int16 1/32768 and 0 (to 0.1 % of the scale).
          float scale = type == TensorType.INT8 ? 1f / 256 : 1f / 32768;
          long zeroPoint = type == TensorType.INT8 ? -128 : 0;
          if (!(Math.abs(output.scale() - scale) <= 0.001f * scale && output.zeroPoint() == zeroPoint)) {
            throw fail(Rule.QUANTIZATION, "SOFTMAX output " + output + " has " + output.quantization + ", TFLite's "
                + TensorTypes.name(type) + " kernel needs scale " + scale + " zero point " + zeroPoint);
          }
        }
        return Checked.of(versionByType(type, 2, 3));
      }
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
      case BuiltinOperator.QUANTIZE:
        return quantize(in, optionsType, output);
      case BuiltinOperator.DEQUANTIZE:
        return dequantize(in, optionsType, output, outputIndex);
      default:
        throw fail(Rule.OPCODE, "builtin operator " + builtin + " is not in this format's vocabulary");
    }
  }

  private static final byte[] ALL_TYPES = {TensorType.FLOAT32, TensorType.INT8, TensorType.INT16};
  private static final byte[] FLOAT_INT8 = {TensorType.FLOAT32, TensorType.INT8};

  private static int versionByType(byte type, int int8, int int16) {
    return type == TensorType.INT8 ? int8 : type == TensorType.INT16 ? int16 : 1;
  }

  // ---------------------------------------------------------------- operators

  private Checked fullyConnected(Operator op, int[] in, byte optionsType, TensorInfo output) {
    arity(in, 3);
    options(optionsType, BuiltinOptions.FullyConnectedOptions);
    FullyConnectedOptions o = (FullyConnectedOptions) present(op.builtinOptions(new FullyConnectedOptions()));
    if (!(o.fusedActivationFunction() == ActivationFunctionType.NONE && o.weightsFormat() == FullyConnectedOptionsWeightsFormat.DEFAULT && o.keepNumDims() && !o.asymmetricQuantizeInputs())) {
      throw fail(Rule.OPTIONS, "FULLY_CONNECTED options other than no activation, default weights, keep_num_dims");
    }
    TensorInfo x = operand(in, 0, ALL_TYPES);
    TensorInfo weight = weight(in, 1, x);
    if (!(weight.rank() == 2 && weight.dim(1) == x.dim(-1))) {
      throw fail(Rule.SHAPE_INFERENCE, "weight " + weight + " does not match input " + x + " (expected [out, " + x.dim(-1) + "])");
    }
    if (in[2] != -1) { // TFLite's optional bias
      TensorInfo bias = bias(in, 2, x, weight);
      if (!(bias.rank() == 1 && bias.dim(0) == weight.dim(0))) {
        throw fail(Rule.SHAPE_INFERENCE, "bias " + bias + " does not match weight " + weight);
      }
    }
    int[] shape = x.shape.clone();
    shape[shape.length - 1] = weight.dim(0);
    result(output, x.type);
    declared(output, shape);
    return Checked.of(5); // keep_num_dims with a bias input (op_version.cc), whatever the types
  }

  private Checked conv2d(Operator op, int[] in, byte optionsType, TensorInfo output) {
    arity(in, 3);
    options(optionsType, BuiltinOptions.Conv2DOptions);
    Conv2DOptions o = (Conv2DOptions) present(op.builtinOptions(new Conv2DOptions()));
    int strideH = o.strideH();
    int strideW = o.strideW();
    if (!(o.padding() == Padding.VALID && o.fusedActivationFunction() == ActivationFunctionType.NONE && o.dilationHFactor() == 1 && o.dilationWFactor() == 1 && strideH >= 1 && strideW >= 1 && strideH <= GraphValidator.MAX_DIM && strideW <= GraphValidator.MAX_DIM)) {
      throw fail(Rule.OPTIONS, "CONV_2D options other than VALID padding, strides >= 1, dilation 1, no activation");
    }
    TensorInfo x = operand(in, 0, ALL_TYPES);
    TensorInfo filter = weight(in, 1, x);
    if (!(x.rank() == 4 && filter.rank() == 4 && filter.dim(3) == x.dim(3) && filter.dim(1) <= x.dim(1) && filter.dim(2) <= x.dim(2))) {
      throw fail(Rule.SHAPE_INFERENCE, "filter " + filter + " (OHWI) does not fit input " + x + " (NHWC)");
    }
    TensorInfo bias = bias(in, 2, x, filter);
    if (!(bias.rank() == 1 && bias.dim(0) == filter.dim(0))) {
      throw fail(Rule.SHAPE_INFERENCE, "bias " + bias + " does not match filter " + filter);
    }
    int outH = (x.dim(1) - filter.dim(1)) / strideH + 1;
    int outW = (x.dim(2) - filter.dim(2)) / strideW + 1;
    result(output, x.type);
    declared(output, new int[] {x.dim(0), outH, outW, filter.dim(0)});
    // im2col buffer [N, outH, outW, kh*kw*C] plus the filter in HWCN order (counted at 4 bytes an element: an upper bound).
    long im2col = (long) x.dim(0) * outH * outW * filter.dim(1) * filter.dim(2) * filter.dim(3) * Float.BYTES;
    long temporaries = GraphValidator.align(im2col) + GraphValidator.align(filter.elements * Float.BYTES);
    // op_version.cc: int8 3; float 1; int16 activations with int8 filters match none of its cases: 1.
    return new Checked(x.type == TensorType.INT8 ? 3 : 1, temporaries);
  }

  /** A binary elementwise operator with broadcasting: both inputs and the output of one type. */
  private byte elementwise(int[] in, TensorInfo output, byte[] types) {
    arity(in, 2);
    TensorInfo a = operand(in, 0, types);
    TensorInfo b = operand(in, 1, types);
    sameType(b, 1, a.type);
    result(output, a.type);
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
    return a.type;
  }

  /**
   * Quantized ADD/SUB: the kernels' output multiplier must stay below 1 (a bound on input/output
   * scale ratios), and int16 with pot_scale_int16 over power-of-two scales takes TFLite's shift-only
   * path, which shifts at most one input, and only down.
   */
  private void addOrSubScales(int[] in, TensorInfo output, byte type, boolean potScaleInt16) {
    if (type == TensorType.FLOAT32) {
      return;
    }
    float s1 = tensors[in[0]].scale();
    float s2 = tensors[in[1]].scale();
    if (!(Math.max(s1, s2) / (double) output.scale() <= MAX_ADD_SCALE_RATIO)) {
      throw fail(Rule.QUANTIZATION, "output " + output + " has scale " + output.scale() + ", more than " + (int) MAX_ADD_SCALE_RATIO
          + " times smaller than its inputs' " + Math.max(s1, s2));
    }
    if (type == TensorType.INT16 && potScaleInt16) {
      int l1 = log2(s1);
      int l2 = log2(s2);
      int lo = log2(output.scale());
      if (l1 != Integer.MIN_VALUE && l2 != Integer.MIN_VALUE && lo != Integer.MIN_VALUE) {
        int shift1 = l1 - lo;
        int shift2 = l2 - lo;
        if (!((shift1 == 0 || shift2 == 0) && shift1 <= 0 && shift2 <= 0)) {
          throw fail(Rule.QUANTIZATION, "int16 power-of-two scales " + s1 + ", " + s2 + " -> " + output.scale()
              + " need input shifts " + shift1 + ", " + shift2 + "; TFLite shifts one input, down only");
        }
      }
    }
  }

  /** log2(x) when x is a power of two (as TFLite's CheckedLog2 decides it), else Integer.MIN_VALUE. */
  private static int log2(float x) {
    double log = Math.log(x) / Math.log(2);
    long rounded = Math.round(log);
    return Math.abs(log - rounded) < 1e-3 ? (int) rounded : Integer.MIN_VALUE;
  }

  /** A unary elementwise operator: input and output of one type and shape. */
  private byte unary(int[] in, TensorInfo output, byte[] types) {
    arity(in, 1);
    TensorInfo x = operand(in, 0, types);
    result(output, x.type);
    declared(output, x.shape);
    return x.type;
  }

  private Checked mean(Operator op, int[] in, byte optionsType, TensorInfo output) {
    arity(in, 2);
    options(optionsType, BuiltinOptions.ReducerOptions);
    if (!(((ReducerOptions) present(op.builtinOptions(new ReducerOptions()))).keepDims())) {
      throw fail(Rule.OPTIONS, "MEAN without keep_dims");
    }
    TensorInfo x = operand(in, 0, ALL_TYPES);
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
    result(output, x.type);
    declared(output, shape);
    // Kernel temporaries: the sum (output elements, 4 bytes each), resolved axes and an index per dimension.
    return new Checked(versionByType(x.type, 2, 3), GraphValidator.align(output.elements * 4) + 2L * 64);
  }

  private Checked reshape(Operator op, int[] in, byte optionsType, TensorInfo output) {
    arity(in, 2);
    options(optionsType, BuiltinOptions.ReshapeOptions);
    TensorInfo x = operand(in, 0, ALL_TYPES);
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
    passThrough(x, output);
    declared(output, shape);
    return Checked.of(1); // op_version.cc has no case for RESHAPE: 1 for every type
  }

  private Checked transpose(int[] in, byte optionsType, TensorInfo output) {
    arity(in, 2);
    options(optionsType, BuiltinOptions.TransposeOptions);
    TensorInfo x = operand(in, 0, ALL_TYPES);
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
    passThrough(x, output);
    declared(output, shape);
    return Checked.of(versionByType(x.type, 2, 5));
  }

  private Checked batchMatMul(Operator op, int[] in, byte optionsType, TensorInfo output) {
    arity(in, 2);
    options(optionsType, BuiltinOptions.BatchMatMulOptions);
    BatchMatMulOptions o = (BatchMatMulOptions) present(op.builtinOptions(new BatchMatMulOptions()));
    if (!(!o.adjX() && !o.asymmetricQuantizeInputs())) {
      throw fail(Rule.OPTIONS, "BATCH_MATMUL with adj_x or quantized inputs");
    }
    TensorInfo a = operand(in, 0, ALL_TYPES);
    TensorInfo b = operand(in, 1, ALL_TYPES);
    sameType(b, 1, a.type);
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
    result(output, a.type);
    declared(output, shape);
    // The kernel keeps transposed copies of its operands.
    return new Checked(versionByType(a.type, 2, 3), GraphValidator.align(a.bytes()) + GraphValidator.align(b.bytes()));
  }

  private Checked concatenation(Operator op, int[] in, byte optionsType, TensorInfo output) {
    if (!(in.length >= 2)) {
      throw fail(Rule.TENSOR_INDEX, "CONCATENATION of " + in.length + " inputs");
    }
    options(optionsType, BuiltinOptions.ConcatenationOptions);
    ConcatenationOptions o = (ConcatenationOptions) present(op.builtinOptions(new ConcatenationOptions()));
    if (!(o.fusedActivationFunction() == ActivationFunctionType.NONE)) {
      throw fail(Rule.OPTIONS, "fused activation on CONCATENATION");
    }
    TensorInfo first = operand(in, 0, ALL_TYPES);
    int axis = o.axis();
    if (!(axis >= 0 && axis < first.rank())) {
      throw fail(Rule.OPTIONS, "CONCATENATION axis " + axis + " for " + first);
    }
    result(output, first.type);
    int[] shape = first.shape.clone();
    long total = 0;
    for (int k = 0; k < in.length; k++) {
      TensorInfo part = operand(in, k, ALL_TYPES);
      sameType(part, k, first.type);
      passThrough(part, output); // TFLite's int8/int16 kernels do not rescale
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
    return Checked.of(versionByType(first.type, 2, 3));
  }

  private Checked slice(int[] in, byte optionsType, TensorInfo output) {
    arity(in, 3);
    options(optionsType, BuiltinOptions.SliceOptions);
    TensorInfo x = operand(in, 0, ALL_TYPES);
    int[] begin = int32Constant(in, 1, x.rank());
    int[] size = int32Constant(in, 2, x.rank());
    for (int d = 0; d < x.rank(); d++) {
      if (!(begin[d] >= 0 && size[d] >= 1 && (long) begin[d] + size[d] <= x.shape[d])) {
        throw fail(Rule.SHAPE_INFERENCE, "SLICE begin " + Arrays.toString(begin) + " size " + Arrays.toString(size) + " outside " + x);
      }
    }
    passThrough(x, output);
    declared(output, size);
    return Checked.of(versionByType(x.type, 2, 4));
  }

  /**
   * QUANTIZE as TFLite's kernel runs it: float32 to int8/int16, int16 to int8/int16, int8 to int8
   * (int8 to int16 has no kernel); per-tensor output.
   */
  private Checked quantize(int[] in, byte optionsType, TensorInfo output) {
    arity(in, 1);
    optionsOrNone(optionsType, BuiltinOptions.QuantizeOptions);
    TensorInfo x = operand(in, 0, ALL_TYPES);
    boolean supported = output.type == TensorType.INT8 || (output.type == TensorType.INT16 && x.type != TensorType.INT8);
    if (!supported) {
      throw fail(Rule.TENSOR_TYPE, "QUANTIZE of " + x + " to " + output + ": TFLite quantizes float32 to int8/int16, int16 to int8/int16, int8 to int8");
    }
    declared(output, x.shape);
    return Checked.of(output.type == TensorType.INT16 ? 2 : 1);
  }

  /** DEQUANTIZE of a float16 constant (fp16 weights), or of an int8/int16 tensor quantized per tensor. */
  private Checked dequantize(int[] in, byte optionsType, TensorInfo output, int outputIndex) {
    arity(in, 1);
    optionsOrNone(optionsType, BuiltinOptions.DequantizeOptions);
    TensorInfo x = tensor(in, 0);
    boolean half = x.constant && x.type == TensorType.FLOAT16;
    if (!(half || x.type == TensorType.INT8 || x.type == TensorType.INT16)) {
      throw fail(Rule.TENSOR_TYPE, "DEQUANTIZE of " + x + ": this format dequantizes float16 constants and int8/int16 tensors");
    }
    if (!half) {
      perTensor(x, 0);
    }
    if (!(output.type == TensorType.FLOAT32)) {
      throw fail(Rule.TENSOR_TYPE, "DEQUANTIZE output " + output + " is not float32");
    }
    declared(output, x.shape);
    dequantizedConstant[outputIndex] = half;
    return Checked.of(x.type == TensorType.INT8 ? 2 : 3); // float16 and int16: 3
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

  /** Options of an operator whose options table is empty: that table or none. */
  private void optionsOrNone(byte actual, byte expected) {
    if (!(actual == expected || actual == BuiltinOptions.NONE)) {
      throw fail(Rule.OPTIONS, "builtin options of type " + optionsName(actual) + ", expected " + optionsName(expected) + " or none");
    }
  }

  private TensorInfo tensor(int[] in, int k) {
    if (!(in[k] != -1)) {
      throw fail(Rule.TENSOR_INDEX, "input " + k + " is -1 but is not optional");
    }
    return tensors[in[k]];
  }

  /**
   * An operand of one of {@code types} (an activation, or a constant of the same type): float32, or
   * int8/int16 quantized per tensor.
   */
  private TensorInfo operand(int[] in, int k, byte[] types) {
    TensorInfo t = tensor(in, k);
    boolean supported = false;
    for (byte type : types) {
      supported |= t.type == type;
    }
    if (!supported) {
      throw fail(Rule.TENSOR_TYPE, "input " + k + " " + t + " is not " + typeNames(types) + (types.length < ALL_TYPES.length
          ? " (TFLite 2.16.1 has no other kernel for this operator)" : ""));
    }
    if (t.type != TensorType.FLOAT32) {
      perTensor(t, k);
    }
    return t;
  }

  private void perTensor(TensorInfo t, int k) {
    if (!(t.quantization != null && t.quantization.perTensor())) {
      throw fail(Rule.QUANTIZATION, "input " + k + " " + t + " must be quantized per tensor, it has " + t.quantization);
    }
  }

  private void sameType(TensorInfo t, int k, byte type) {
    if (!(t.type == type)) {
      throw fail(Rule.TENSOR_TYPE, "input " + k + " " + t + " mixes types with " + TensorTypes.name(type) + " (TFLite's kernels take one type)");
    }
  }

  /** The output has the operator's type (and, when quantized, a per-tensor quantization). */
  private void result(TensorInfo output, byte type) {
    if (!(output.type == type)) {
      throw fail(Rule.TENSOR_TYPE, "output " + output + " is not " + TensorTypes.name(type) + " like the operator's inputs");
    }
    if (type != TensorType.FLOAT32 && !(output.quantization != null && output.quantization.perTensor())) {
      throw fail(Rule.QUANTIZATION, "output " + output + " must be quantized per tensor");
    }
  }

  /** An operator that moves values without rescaling them: output type and quantization equal its input's. */
  private void passThrough(TensorInfo x, TensorInfo output) {
    result(output, x.type);
    if (x.type != TensorType.FLOAT32 && !x.quantization.sameAs(output.quantization)) {
      throw fail(Rule.QUANTIZATION, "output " + output + " has " + output.quantization + " but its input " + x + " has "
          + x.quantization + "; TFLite copies the values without rescaling");
    }
  }

  /**
   * A weight of FULLY_CONNECTED/CONV_2D for input {@code x}: for float32, a float32 constant or the
   * DEQUANTIZE of a float16 one; for int8/int16, an int8 constant symmetric per output channel
   * (quantized dimension 0, one scale per output channel, zero points 0, values in [-127, 127]).
   */
  private TensorInfo weight(int[] in, int k, TensorInfo x) {
    TensorInfo t = tensor(in, k);
    if (x.type == TensorType.FLOAT32) {
      if (!(t.type == TensorType.FLOAT32)) {
        throw fail(Rule.TENSOR_TYPE, "input " + k + " " + t + " is not float32 like the input " + x + " (no hybrid kernels in this format)");
      }
      if (!(t.constant || dequantizedConstant[t.index])) {
        throw fail(Rule.TENSOR_TYPE, "input " + k + " " + t + " must be a constant weight");
      }
      profile.weight(t.constant ? TensorType.FLOAT32 : TensorType.FLOAT16);
      return t;
    }
    if (!(t.type == TensorType.INT8 && t.constant)) {
      throw fail(Rule.TENSOR_TYPE, "input " + k + " " + t + " must be an int8 constant weight for the " + TensorTypes.name(x.type) + " input " + x);
    }
    Quantization q = t.quantization;
    if (!(q.dimension == 0 && q.scale.length == t.dim(0))) {
      throw fail(Rule.QUANTIZATION, "weight " + t + " has " + q + "; TFLite's spec wants one scale per output channel along dimension 0");
    }
    for (long z : q.zeroPoint) {
      if (!(z == 0)) {
        throw fail(Rule.QUANTIZATION, "weight " + t + " has zero point " + z + "; weights are symmetric (zero point 0)");
      }
    }
    int at = symmetricRangeViolation(t.data);
    if (!(at < 0)) {
      throw fail(Rule.QUANTIZATION, "weight " + t + " holds -128 at " + at + "; symmetric weights are in [-127, 127]");
    }
    profile.weight(TensorType.INT8);
    return t;
  }

  /**
   * The bias of FULLY_CONNECTED/CONV_2D: float32 like the weight for float32; for int8 an int32
   * constant (int64 for int16 activations), zero point 0, one scale per output channel equal to
   * input scale x weight scale (to float rounding).
   */
  private TensorInfo bias(int[] in, int k, TensorInfo x, TensorInfo weight) {
    TensorInfo t = tensor(in, k);
    if (x.type == TensorType.FLOAT32) {
      if (!(t.type == TensorType.FLOAT32 && (t.constant || dequantizedConstant[t.index]))) {
        throw fail(Rule.TENSOR_TYPE, "input " + k + " " + t + " must be a float32 constant bias");
      }
      return t;
    }
    byte type = x.type == TensorType.INT8 ? TensorType.INT32 : TensorType.INT64;
    if (!(t.type == type && t.constant)) {
      throw fail(Rule.TENSOR_TYPE, "bias " + t + " must be an " + TensorTypes.name(type) + " constant for the " + TensorTypes.name(x.type) + " input " + x);
    }
    Quantization q = t.quantization;
    if (!(q != null && q.scale.length == weight.quantization.scale.length && q.scale.length == t.elements)) {
      throw fail(Rule.QUANTIZATION, "bias " + t + " has " + (q == null ? "no quantization" : q) + ", expected one scale per output channel");
    }
    double inputScale = x.scale();
    for (int c = 0; c < q.scale.length; c++) {
      double expected = inputScale * weight.quantization.scale[c];
      if (!(Math.abs(q.scale[c] - expected) <= BIAS_SCALE_TOLERANCE * expected)) {
        throw fail(Rule.QUANTIZATION, "bias " + t + " channel " + c + " has scale " + q.scale[c] + ", but input scale x weight scale is " + (float) expected);
      }
    }
    return t;
  }

  /** Index of the first -128 in {@code data}, or -1 (read in bulk: weights are the bulk of a graph). */
  private static int symmetricRangeViolation(ByteBuffer data) {
    ByteBuffer d = data.duplicate();
    byte[] chunk = new byte[Math.min(8192, d.remaining())];
    for (int offset = 0; d.hasRemaining(); offset += chunk.length) {
      int n = Math.min(chunk.length, d.remaining());
      d.get(chunk, 0, n);
      for (int i = 0; i < n; i++) {
        if (chunk[i] == Byte.MIN_VALUE) {
          return offset + i;
        }
      }
    }
    return -1;
  }

  /** Relative difference allowed between a bias scale and input scale x weight scale: float rounding (2^-20). */
  static final double BIAS_SCALE_TOLERANCE = 0x1p-20;

  /** An int32 constant of {@code length} values (-1: any length up to 4), not quantized. */
  private int[] int32Constant(int[] in, int k, int length) {
    TensorInfo t = tensor(in, k);
    if (!(t.constant && t.type == TensorType.INT32 && t.quantization == null && t.rank() == 1 && (length < 0 ? t.elements <= GraphValidator.MAX_RANK : t.elements == length))) {
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

  private String signature(int[] in, TensorInfo output) {
    StringBuilder s = new StringBuilder("(");
    for (int k = 0; k < in.length; k++) {
      s.append(k > 0 ? ", " : "").append(in[k] < 0 ? "none" : TensorTypes.name(tensors[in[k]].type));
    }
    return s.append(") -> ").append(TensorTypes.name(output.type)).toString();
  }

  private static String typeNames(byte[] types) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < types.length; i++) {
      s.append(i == 0 ? "" : i == types.length - 1 ? " or " : ", ").append(TensorTypes.name(types[i]));
    }
    return s.toString();
  }

  private InvalidGraphException fail(Rule rule, String message) {
    return new InvalidGraphException(file, index, rule, message);
  }
}
