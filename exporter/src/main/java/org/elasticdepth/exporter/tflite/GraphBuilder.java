package org.elasticdepth.exporter.tflite;

import org.elasticdepth.runtime.bundle.Precision;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.AddOptionsT;
import org.tensorflow.lite.schema.BatchMatMulOptionsT;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.ConcatenationOptionsT;
import org.tensorflow.lite.schema.Conv2DOptionsT;
import org.tensorflow.lite.schema.DequantizeOptionsT;
import org.tensorflow.lite.schema.FullyConnectedOptionsT;
import org.tensorflow.lite.schema.GeluOptionsT;
import org.tensorflow.lite.schema.MulOptionsT;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.QuantizationParametersT;
import org.tensorflow.lite.schema.QuantizeOptionsT;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.ReducerOptionsT;
import org.tensorflow.lite.schema.ReshapeOptionsT;
import org.tensorflow.lite.schema.SignatureDefT;
import org.tensorflow.lite.schema.SliceOptionsT;
import org.tensorflow.lite.schema.SoftmaxOptionsT;
import org.tensorflow.lite.schema.SquaredDifferenceOptionsT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.SubOptionsT;
import org.tensorflow.lite.schema.TensorMapT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;
import org.tensorflow.lite.schema.TransposeOptionsT;

/**
 * Builds one single-subgraph TFLite graph, one method per TFLite operator, with static shape
 * inference: every method checks its operands' shapes and returns the result {@link Operand}.
 * {@link Layers} composes these into the transformer's math; {@link #toFlatBuffer()} serialises.
 *
 * <p>Everything it emits follows the partitioning rules of PLATFORM.md so that XNNPACK takes a
 * whole block as one partition and the GPU delegate accepts it: float32 activations, constant
 * int32 axes/shapes, SOFTMAX with beta 1, no GATHER and no shrink-mask STRIDED_SLICE (this class
 * has neither). With {@link Precision#FP16} every weight is stored as float16 and immediately
 * DEQUANTIZE'd to float32 (biases included, which the GPU delegate requires).
 *
 * <p>With {@link Precision#INT8} (built with a {@link QuantizationPlan}) it writes TFLite's integer
 * quantization spec: float32 graph inputs QUANTIZE'd where the first integer operator needs them,
 * outputs DEQUANTIZE'd, every operator computing in the arithmetic the plan's recipe gives its
 * {@link OpGroup} (int8, int16 or float32), with a conversion wherever its operands are in another
 * type. Tensor names are those of the float32 graph, so the plan's calibrated ranges are found by
 * name; constants are encoded when their consumer is known (per-channel weights, integer biases,
 * per-tensor constants). Operator versions follow TFLite's {@code op_version.cc}: one operator code
 * per builtin at the highest version its uses need.
 *
 * <p>Also counts what the manifest reports: parameters (weight elements) and FLOPs (2 x the
 * multiply-adds of FULLY_CONNECTED, CONV_2D and BATCH_MATMUL, for one image).
 *
 * <p>Not thread-safe; one builder per graph.
 */
public final class GraphBuilder {
  private final String name;
  private final Precision precision;
  private final List<TensorT> tensors = new ArrayList<>();
  private final List<byte[]> buffers = new ArrayList<>();
  private final List<OperatorT> operators = new ArrayList<>();
  private final List<OperatorCodeT> opcodes = new ArrayList<>();
  private final Map<Integer, Integer> opcodeIndex = new HashMap<>();
  private final Set<String> tensorNames = new HashSet<>();
  private final List<Operand> inputs = new ArrayList<>();
  private final List<String> inputNames = new ArrayList<>();
  private final List<Operand> outputs = new ArrayList<>();
  private final List<String> outputNames = new ArrayList<>();
  private final QuantizationPlan plan; // null unless INT8
  private final Map<String, float[]> pendingConstants = new HashMap<>(); // INT8: encoded when consumed
  private final Map<String, Integer> converted = new HashMap<>(); // "name|type" -> tensor index
  private final Map<Byte, Set<String>> operatorsByArithmetic = new HashMap<>();
  private String scope = "";
  private OpGroup group = OpGroup.OTHER;
  private long parameters;
  private long flops;

  /** A float32 (or, with {@link Precision#FP16}, float16-weights) graph. */
  public GraphBuilder(String name, Precision precision) {
    if (precision == Precision.INT8) {
      throw new IllegalArgumentException("an int8 graph needs a QuantizationPlan");
    }
    this.name = name;
    this.precision = precision;
    this.plan = null;
    buffers.add(new byte[0]); // buffer 0: the empty sentinel every tensor without data points at
  }

  /** An int8 graph quantized by {@code plan}. */
  public GraphBuilder(String name, QuantizationPlan plan) {
    this.name = name;
    this.precision = Precision.INT8;
    this.plan = java.util.Objects.requireNonNull(plan, "plan");
    buffers.add(new byte[0]);
  }

  public String name() {
    return name;
  }

  public Precision precision() {
    return precision;
  }

  /** Prefix for the names of tensors created from now on, e.g. {@code "block_01/attn"}. */
  public GraphBuilder scope(String scope) {
    this.scope = scope.isEmpty() ? "" : scope + "/";
    return this;
  }

  /**
   * The part of the model the next operators belong to (decides their arithmetic in an int8
   * graph); {@link OpGroup#OTHER} until set. Returns the previous group.
   */
  public OpGroup group(OpGroup next) {
    OpGroup previous = group;
    group = next;
    return previous;
  }

  /**
   * Builtin names of the operators emitted so far (QUANTIZE and DEQUANTIZE left out) computing in
   * {@code arithmetic}, sorted: e.g. the int16 and float operators of an int8 graph.
   */
  public java.util.SortedSet<String> operators(Arithmetic arithmetic) {
    return new java.util.TreeSet<>(operatorsByArithmetic.getOrDefault(arithmetic.tensorType(), Set.of()));
  }

  /** Number of weight elements (constants made by {@link #weight}). */
  public long parameterCount() {
    return parameters;
  }

  /** 2 x multiply-adds of the matrix operators, for one run. */
  public long flops() {
    return flops;
  }

  // ---------------------------------------------------------------- graph inputs, outputs, constants

  /** A float32 input of the graph, in signature order. */
  public Operand input(String signatureName, int... shape) {
    Operand in = addTensor(signatureName, TensorType.FLOAT32, shape, 0);
    inputs.add(in);
    inputNames.add(signatureName);
    return in;
  }

  /** Marks {@code value} as the graph's next output, named {@code signatureName} in the signature. */
  public void output(String signatureName, Operand given) {
    // graphs of every precision have float32 outputs: an integer value is DEQUANTIZE'd first
    Operand value = typeOf(given) == TensorType.FLOAT32 ? given
        : new Operand(in(given, TensorType.FLOAT32), given.name() + "/dequantized", given.shape());
    if (outputs.stream().anyMatch(o -> o.index == value.index)) {
      throw new IllegalArgumentException(given + " is already an output");
    }
    outputs.add(value);
    outputNames.add(signatureName);
  }

  /**
   * A trained constant (weight, bias, embedding) in the graph's {@link Precision}; counted as
   * parameters. With fp16 it is stored as float16 followed by a DEQUANTIZE.
   */
  public Operand weight(String weightName, float[] values, int... shape) {
    requireCount(weightName, values.length, shape);
    parameters += values.length;
    if (plan != null) {
      return pending(scope + weightName, values, shape);
    }
    if (precision == Precision.FP32) {
      return addTensor(scope + weightName, TensorType.FLOAT32, shape, addBuffer(float32Bytes(values)));
    }
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      bytes.putShort(Half.fromFloat(v));
    }
    Operand half = addTensor(scope + weightName + "_fp16", TensorType.FLOAT16, shape, addBuffer(bytes.array()));
    DequantizeOptionsT options = new DequantizeOptionsT();
    // DEQUANTIZE of float16 is operator version 3.
    return op(BuiltinOperator.DEQUANTIZE, 3, BuiltinOptions.DequantizeOptions, options, weightName, shape,
        TensorType.FLOAT32, null, half.index);
  }

  /** A float32 scalar constant (e.g. epsilon, a scale), stored as shape [1]; not a parameter. */
  public Operand scalar(String constantName, float value) {
    if (plan != null) {
      return pending(scope + constantName, new float[] {value}, new int[] {1});
    }
    return addTensor(scope + constantName, TensorType.FLOAT32, new int[] {1}, addBuffer(float32Bytes(new float[] {value})));
  }

  // ---------------------------------------------------------------- operators

  /**
   * FULLY_CONNECTED over the last axis, keeping the leading dimensions: {@code x [..., in]},
   * {@code weight [out, in]} (PyTorch/DJL Linear layout), {@code bias [out]} -> {@code [..., out]}.
   */
  public Operand fullyConnected(Operand x, Operand weight, Operand bias) {
    int in = x.dim(-1);
    int out = weight.dim(0);
    require(weight.rank() == 2 && weight.dim(1) == in, "fullyConnected: weight " + weight + " does not match input " + x);
    require(bias.rank() == 1 && bias.dim(0) == out, "fullyConnected: bias " + bias + " does not match weight " + weight);
    int[] shape = x.shape();
    shape[shape.length - 1] = out;
    flops += 2L * (x.elementCount() / in) * in * out;
    FullyConnectedOptionsT options = new FullyConnectedOptionsT();
    options.setFusedActivationFunction(ActivationFunctionType.NONE);
    options.setKeepNumDims(true);
    byte type = computeType();
    int[] operands = matrixOperands(x, weight, bias, type);
    // keep_num_dims needs FULLY_CONNECTED version 5 (float, int8 and 16x8 alike); hybrid per-channel is 12.
    return op(BuiltinOperator.FULLY_CONNECTED, hybrid() ? 12 : 5, BuiltinOptions.FullyConnectedOptions, options, "fully_connected",
        shape, type, null, operands);
  }

  /**
   * CONV_2D with VALID padding: {@code x [1, H, W, C]} NHWC, {@code filter [O, kh, kw, C]} (OHWI),
   * {@code bias [O]} -> {@code [1, (H-kh)/stride+1, (W-kw)/stride+1, O]}.
   */
  public Operand conv2d(Operand x, Operand filter, Operand bias, int stride) {
    require(x.rank() == 4 && filter.rank() == 4 && filter.dim(3) == x.dim(3),
        "conv2d: filter " + filter + " (OHWI) does not match input " + x + " (NHWC)");
    require(bias.rank() == 1 && bias.dim(0) == filter.dim(0), "conv2d: bias " + bias + " does not match " + filter);
    int outH = (x.dim(1) - filter.dim(1)) / stride + 1;
    int outW = (x.dim(2) - filter.dim(2)) / stride + 1;
    int[] shape = {x.dim(0), outH, outW, filter.dim(0)};
    flops += 2L * x.dim(0) * outH * outW * filter.dim(0) * filter.dim(1) * filter.dim(2) * filter.dim(3);
    Conv2DOptionsT options = new Conv2DOptionsT();
    options.setPadding(Padding.VALID);
    options.setStrideH(stride);
    options.setStrideW(stride);
    options.setDilationHFactor(1);
    options.setDilationWFactor(1);
    options.setFusedActivationFunction(ActivationFunctionType.NONE);
    byte type = computeType();
    require(type != TensorType.INT16, "conv2d: no 16x8 convolution in this exporter");
    int[] operands = matrixOperands(x, filter, bias, type);
    return op(BuiltinOperator.CONV_2D, hybrid() ? 5 : version(type, 1, 3, 0), BuiltinOptions.Conv2DOptions, options, "conv2d", shape,
        type, null, operands);
  }

  /** Elementwise {@code a + b} with NumPy broadcasting. */
  public Operand add(Operand a, Operand b) {
    byte type = computeType();
    AddOptionsT options = new AddOptionsT();
    options.setFusedActivationFunction(ActivationFunctionType.NONE);
    if (type == TensorType.INT16) {
      options.setPotScaleInt16(false); // general int16 scales: ADD version 3
    }
    return op(BuiltinOperator.ADD, version(type, 1, 2, 3), BuiltinOptions.AddOptions, options, "add", broadcast(a, b),
        type, null, in(a, type), in(b, type));
  }

  /** Elementwise {@code a - b} with NumPy broadcasting. */
  public Operand sub(Operand a, Operand b) {
    byte type = computeType();
    SubOptionsT options = new SubOptionsT();
    options.setFusedActivationFunction(ActivationFunctionType.NONE);
    if (type == TensorType.INT16) {
      options.setPotScaleInt16(false); // general int16 scales: SUB version 5
    }
    return op(BuiltinOperator.SUB, version(type, 1, 2, 5), BuiltinOptions.SubOptions, options, "sub", broadcast(a, b),
        type, null, in(a, type), in(b, type));
  }

  /** Elementwise {@code a * b} with NumPy broadcasting. */
  public Operand mul(Operand a, Operand b) {
    byte type = computeType();
    MulOptionsT options = new MulOptionsT();
    options.setFusedActivationFunction(ActivationFunctionType.NONE);
    int ia = in(a, type);
    int ib = in(b, type);
    Operand out = op(BuiltinOperator.MUL, version(type, 1, 2, 4), BuiltinOptions.MulOptions, options, "mul",
        broadcast(a, b), type, null, ia, ib);
    if (type == TensorType.INT8 && scale(ia) * scale(ib) / scale(out.index) >= 1.0) {
      opcode(BuiltinOperator.MUL, 3); // op_version.cc: a rescale >= 1 needs MUL version 3
    }
    return out;
  }

  /** Elementwise {@code (a - b)^2} with NumPy broadcasting. */
  public Operand squaredDifference(Operand a, Operand b) {
    byte type = computeType();
    require(type != TensorType.INT16, "squaredDifference: TFLite has no int16 kernel");
    return op(BuiltinOperator.SQUARED_DIFFERENCE, version(type, 1, 2, 0), BuiltinOptions.SquaredDifferenceOptions,
        new SquaredDifferenceOptionsT(), "squared_difference", broadcast(a, b), type, null, in(a, type), in(b, type));
  }

  /**
   * Elementwise {@code 1 / sqrt(x)}. In a 16x8 group it computes in float32 (a one-operator float
   * island): TFLite 2.16.1, the Android runtime, registers RSQRT only up to version 2 (no int16 kernel).
   */
  public Operand rsqrt(Operand x) {
    byte type = computeType() == TensorType.INT16 ? TensorType.FLOAT32 : computeType();
    return op(BuiltinOperator.RSQRT, version(type, 1, 2, 0), BuiltinOptions.NONE, null, "rsqrt", x.shape(), type, null,
        in(x, type));
  }

  /** MEAN over constant {@code axes}, keeping them as size-1 dimensions. */
  public Operand mean(Operand x, int... axes) {
    int[] shape = x.shape();
    int[] normalised = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      normalised[i] = axes[i] < 0 ? axes[i] + x.rank() : axes[i];
      require(normalised[i] >= 0 && normalised[i] < x.rank(), "mean: axis " + axes[i] + " outside " + x);
      shape[normalised[i]] = 1;
    }
    byte type = computeType();
    int input = in(x, type);
    Operand axesTensor = int32s("mean_axes", normalised);
    ReducerOptionsT options = new ReducerOptionsT();
    options.setKeepDims(true);
    return op(BuiltinOperator.MEAN, version(type, 1, 2, 3), BuiltinOptions.ReducerOptions, options, "mean", shape, type,
        null, input, axesTensor.index);
  }

  /** RESHAPE to a fully specified {@code shape} with the same element count; keeps x's type and quantization. */
  public Operand reshape(Operand x, int... shape) {
    requireCount("reshape of " + x, x.elementCount(), shape);
    Operand shapeTensor = int32s("reshape_shape", shape);
    ReshapeOptionsT options = new ReshapeOptionsT();
    options.setNewShape(shape.clone());
    return op(BuiltinOperator.RESHAPE, 1, BuiltinOptions.ReshapeOptions, options, "reshape", shape, typeOf(x),
        quantization(x), x.index, shapeTensor.index);
  }

  /** TRANSPOSE by a constant permutation: output dim i = input dim {@code perm[i]}; keeps x's type. */
  public Operand transpose(Operand x, int... perm) {
    require(perm.length == x.rank(), "transpose: permutation " + Arrays.toString(perm) + " for " + x);
    int[] shape = new int[perm.length];
    boolean[] seen = new boolean[perm.length];
    for (int i = 0; i < perm.length; i++) {
      require(perm[i] >= 0 && perm[i] < perm.length && !seen[perm[i]], "transpose: invalid permutation " + Arrays.toString(perm));
      seen[perm[i]] = true;
      shape[i] = x.dim(perm[i]);
    }
    Operand permTensor = int32s("transpose_perm", perm);
    byte type = typeOf(x);
    return op(BuiltinOperator.TRANSPOSE, version(type, 1, 2, 5), BuiltinOptions.TransposeOptions, new TransposeOptionsT(),
        "transpose", shape, type, quantization(x), x.index, permTensor.index);
  }

  /**
   * BATCH_MATMUL: {@code a [..., M, K]} times {@code b [..., K, N]} (or {@code b [..., N, K]}
   * when {@code transposeB}) -> {@code [..., M, N]}; the batch dimensions must be equal.
   */
  public Operand batchMatMul(Operand a, Operand b, boolean transposeB) {
    require(a.rank() == b.rank() && a.rank() >= 2, "batchMatMul: ranks of " + a + " and " + b);
    int rank = a.rank();
    for (int i = 0; i < rank - 2; i++) {
      require(a.dim(i) == b.dim(i), "batchMatMul: batch dimensions of " + a + " and " + b);
    }
    int m = a.dim(-2);
    int k = a.dim(-1);
    int n = transposeB ? b.dim(-2) : b.dim(-1);
    require((transposeB ? b.dim(-1) : b.dim(-2)) == k, "batchMatMul: inner dimensions of " + a + " and " + b);
    int[] shape = a.shape();
    shape[rank - 1] = n;
    flops += 2L * (a.elementCount() / (m * k)) * m * k * n;
    BatchMatMulOptionsT options = new BatchMatMulOptionsT();
    options.setAdjX(false);
    options.setAdjY(transposeB);
    byte type = computeType();
    return op(BuiltinOperator.BATCH_MATMUL, version(type, 1, 2, 3), BuiltinOptions.BatchMatMulOptions, options,
        "batch_matmul", shape, type, null, in(a, type), in(b, type));
  }

  /** SOFTMAX over the last axis with beta 1 (the only beta the GPU delegate accepts). */
  public Operand softmax(Operand x) {
    SoftmaxOptionsT options = new SoftmaxOptionsT();
    options.setBeta(1f);
    byte type = computeType();
    QuantizationParametersT fixed = type == TensorType.FLOAT32 ? null : QuantizedTensors.softmaxOutput(type);
    return op(BuiltinOperator.SOFTMAX, version(type, 1, 2, 3), BuiltinOptions.SoftmaxOptions, options, "softmax",
        x.shape(), type, fixed, in(x, type));
  }

  /** GELU: exact (erf) unless {@code approximate} (tanh approximation). */
  public Operand gelu(Operand x, boolean approximate) {
    GeluOptionsT options = new GeluOptionsT();
    options.setApproximate(approximate);
    byte type = computeType();
    require(type != TensorType.INT16, "gelu: TFLite has no int16 GELU kernel");
    return op(BuiltinOperator.GELU, version(type, 1, 2, 0), BuiltinOptions.GeluOptions, options, "gelu", x.shape(), type,
        null, in(x, type));
  }

  /**
   * CONCATENATION along {@code axis}; the other dimensions must agree. Quantized, every operand
   * takes the output's scale and zero point (TFLite's int8 kernel does not rescale): constants are
   * encoded with them, activations requantized when they differ.
   */
  public Operand concat(int axis, Operand... parts) {
    require(parts.length >= 2, "concat needs at least two operands");
    int rank = parts[0].rank();
    int a = axis < 0 ? axis + rank : axis;
    int[] shape = parts[0].shape();
    shape[a] = 0;
    for (int p = 0; p < parts.length; p++) {
      require(parts[p].rank() == rank, "concat: ranks differ: " + Arrays.toString(parts));
      for (int i = 0; i < rank; i++) {
        require(i == a || parts[p].dim(i) == shape[i], "concat: shapes differ off axis " + axis + ": " + Arrays.toString(parts));
      }
      shape[a] += parts[p].dim(a);
    }
    byte type = computeType();
    ConcatenationOptionsT options = new ConcatenationOptionsT();
    options.setAxis(a);
    options.setFusedActivationFunction(ActivationFunctionType.NONE);
    if (type == TensorType.FLOAT32) {
      int[] indices = new int[parts.length];
      for (int p = 0; p < parts.length; p++) {
        indices[p] = in(parts[p], type);
      }
      return op(BuiltinOperator.CONCATENATION, 1, BuiltinOptions.ConcatenationOptions, options, "concat", shape, type,
          null, indices);
    }
    Operand out = addTensor(scope + "concat", type, shape, 0);
    QuantizationParametersT q = QuantizedTensors.activation(plan.range(out.name()), type);
    tensors.get(out.index).setQuantization(q);
    int[] indices = new int[parts.length];
    for (int p = 0; p < parts.length; p++) {
      indices[p] = inWithParams(parts[p], type, q);
    }
    return addOperator(BuiltinOperator.CONCATENATION, version(type, 1, 2, 3), BuiltinOptions.ConcatenationOptions,
        options, out, indices);
  }

  /** SLICE with constant {@code begin} and {@code size} (no shrinking: the rank is kept); keeps x's type. */
  public Operand slice(Operand x, int[] begin, int[] size) {
    require(begin.length == x.rank() && size.length == x.rank(), "slice: begin/size rank for " + x);
    for (int i = 0; i < x.rank(); i++) {
      require(begin[i] >= 0 && size[i] > 0 && begin[i] + size[i] <= x.dim(i),
          "slice: [" + Arrays.toString(begin) + " + " + Arrays.toString(size) + "] outside " + x);
    }
    Operand beginTensor = int32s("slice_begin", begin);
    Operand sizeTensor = int32s("slice_size", size);
    byte type = typeOf(x);
    return op(BuiltinOperator.SLICE, version(type, 1, 2, 4), BuiltinOptions.SliceOptions, new SliceOptionsT(), "slice",
        size, type, quantization(x), x.index, beginTensor.index, sizeTensor.index);
  }

  // ---------------------------------------------------------------- serialisation

  /** The finished .tflite file: one subgraph, one "serving_default" signature. */
  public byte[] toFlatBuffer() {
    require(!inputs.isEmpty() && !outputs.isEmpty(), "graph " + name + " needs at least one input and one output");
    SubGraphT subgraph = new SubGraphT();
    subgraph.setName(name);
    subgraph.setTensors(tensors.toArray(new TensorT[0]));
    subgraph.setInputs(inputs.stream().mapToInt(o -> o.index).toArray());
    subgraph.setOutputs(outputs.stream().mapToInt(o -> o.index).toArray());
    subgraph.setOperators(operators.toArray(new OperatorT[0]));

    SignatureDefT signature = new SignatureDefT();
    signature.setSignatureKey("serving_default");
    signature.setSubgraphIndex(0);
    signature.setInputs(tensorMaps(inputNames, inputs));
    signature.setOutputs(tensorMaps(outputNames, outputs));
    return FlatBufferWriter.write("elastic-depth exporter: " + name, buffers, subgraph, opcodes, signature);
  }

  private static TensorMapT[] tensorMaps(List<String> names, List<Operand> operands) {
    TensorMapT[] maps = new TensorMapT[names.size()];
    for (int i = 0; i < maps.length; i++) {
      maps[i] = new TensorMapT();
      maps[i].setName(names.get(i));
      maps[i].setTensorIndex(operands.get(i).index);
    }
    return maps;
  }

  // ---------------------------------------------------------------- bookkeeping

  /**
   * Adds an operator whose output is a new tensor of {@code type}: float32 has no quantization;
   * an integer output takes {@code fixed} parameters when given (SOFTMAX, data movement), else
   * those of its calibrated range.
   */
  private Operand op(int builtin, int version, byte optionsType, Object options, String opName, int[] outShape,
      byte type, QuantizationParametersT fixed, int... inputIndices) {
    Operand out = addTensor(scope + opName, type, outShape, 0);
    if (type != TensorType.FLOAT32) {
      tensors.get(out.index).setQuantization(fixed != null ? fixed : QuantizedTensors.activation(plan.range(out.name()), type));
    }
    return addOperator(builtin, version, optionsType, options, out, inputIndices);
  }

  private Operand addOperator(int builtin, int version, byte optionsType, Object options, Operand out,
      int... inputIndices) {
    OperatorT op = new OperatorT();
    op.setOpcodeIndex(opcode(builtin, version));
    op.setInputs(inputIndices);
    op.setOutputs(new int[] {out.index});
    if (options != null) {
      BuiltinOptionsUnion union = new BuiltinOptionsUnion();
      union.setType(optionsType);
      union.setValue(options);
      op.setBuiltinOptions(union);
    }
    operators.add(op);
    if (builtin != BuiltinOperator.QUANTIZE && builtin != BuiltinOperator.DEQUANTIZE) {
      operatorsByArithmetic.computeIfAbsent(typeOf(out), t -> new HashSet<>()).add(BuiltinOperator.name(builtin));
    }
    return out;
  }

  /** One operator code per builtin, at the highest version any of its uses needs (as TFLite's converter does). */
  private int opcode(int builtin, int version) {
    Integer known = opcodeIndex.get(builtin);
    if (known != null) {
      OperatorCodeT code = opcodes.get(known);
      code.setVersion(Math.max(code.getVersion(), version));
      return known;
    }
    OperatorCodeT opcode = new OperatorCodeT();
    // Readers before schema 2.5 only see deprecated_builtin_code (a byte; 127 = "look at builtin_code").
    opcode.setDeprecatedBuiltinCode((byte) Math.min(builtin, 127));
    opcode.setBuiltinCode(builtin);
    opcode.setVersion(version);
    opcodes.add(opcode);
    opcodeIndex.put(builtin, opcodes.size() - 1);
    return opcodes.size() - 1;
  }

  /** The operator version for the arithmetic {@code type} computes in (0: no such kernel). */
  private static int version(byte type, int float32, int int8, int int16) {
    int v = type == TensorType.FLOAT32 ? float32 : type == TensorType.INT8 ? int8 : int16;
    require(v > 0, "no TFLite kernel for type " + TensorType.name(type));
    return v;
  }

  private boolean hybrid() {
    return plan != null && plan.recipe().dynamicRange();
  }

  /** The arithmetic the current group computes in: float32 unless this is an int8 graph. */
  private byte computeType() {
    return plan == null ? TensorType.FLOAT32 : plan.recipe().arithmetic(group).tensorType();
  }

  private byte typeOf(Operand x) {
    return x.index < 0 ? TensorType.FLOAT32 : tensors.get(x.index).getType();
  }

  private QuantizationParametersT quantization(Operand x) {
    return x.index < 0 ? null : tensors.get(x.index).getQuantization();
  }

  private float scale(int tensor) {
    return tensors.get(tensor).getQuantization().getScale()[0];
  }

  /** An int8 graph's constant: its name is reserved now, its encoding chosen by its consumer. */
  private Operand pending(String requestedName, float[] values, int[] shape) {
    String unique = reserveName(requestedName);
    pendingConstants.put(unique, values.clone());
    return new Operand(-1, unique, shape);
  }

  /**
   * {@code x} as a tensor of {@code type}: itself; a constant encoded per tensor (float32 in a float
   * island); or a conversion (QUANTIZE from float32 with x's calibrated range, requantizing QUANTIZE
   * from int16 to int8, DEQUANTIZE + QUANTIZE from int8 to int16, DEQUANTIZE to float32), made
   * once per tensor and type.
   */
  private int in(Operand x, byte type) {
    boolean graphInput = plan != null && !plan.recipe().dynamicRange() && inputs.stream().anyMatch(i -> i.index == x.index);
    if (graphInput && type == TensorType.FLOAT32) {
      // A graph input read by a float island: every input of an int8 graph is QUANTIZE'd first
      // (the contract validators check), so the island reads the int8 value back.
      return in(new Operand(in(x, TensorType.INT8), x.name(), x.shape()), TensorType.FLOAT32);
    }
    if (x.index >= 0 && typeOf(x) == type) {
      return x.index;
    }
    String key = x.name() + "|" + type;
    Integer done = converted.get(key);
    if (done != null) {
      return done;
    }
    int index;
    if (x.index < 0) {
      float[] values = constantValues(x);
      index = type == TensorType.FLOAT32
          ? constantTensor(x, TensorType.FLOAT32, float32Bytes(values), null)
          : constantTensor(x, type, QuantizedTensors.perTensor(values, type));
    } else if (type == TensorType.FLOAT32) {
      Operand out = addTensor(x.name() + "/dequantized", TensorType.FLOAT32, x.shape(), 0);
      int v = typeOf(x) == TensorType.INT16 ? 3 : 2;
      index = addOperator(BuiltinOperator.DEQUANTIZE, v, BuiltinOptions.DequantizeOptions, new DequantizeOptionsT(), out,
          x.index).index;
    } else if (typeOf(x) == TensorType.INT8 && type == TensorType.INT16) {
      // TFLite's QUANTIZE cannot widen int8 to int16: through float32
      Operand real = new Operand(in(x, TensorType.FLOAT32), x.name(), x.shape());
      index = requantize(real, type, QuantizedTensors.activation(plan.range(x.name()), type));
    } else {
      index = requantize(x, type, QuantizedTensors.activation(plan.range(x.name()), type));
    }
    converted.put(key, index);
    return index;
  }

  /** {@code x} as a tensor of {@code type} with exactly the parameters {@code q} (a concatenation's operands). */
  private int inWithParams(Operand x, byte type, QuantizationParametersT q) {
    if (x.index < 0) {
      return constantTensor(x, type, QuantizedTensors.withParams(constantValues(x), type, q));
    }
    int index = in(x, type);
    QuantizationParametersT have = tensors.get(index).getQuantization();
    if (have.getScale()[0] == q.getScale()[0] && have.getZeroPoint()[0] == q.getZeroPoint()[0]) {
      return index;
    }
    return requantize(new Operand(index, tensors.get(index).getName(), x.shape()), type, q);
  }

  /** A QUANTIZE of {@code x} (float32 or integer) into {@code type} with parameters {@code q}. */
  private int requantize(Operand x, byte type, QuantizationParametersT q) {
    Operand out = addTensor(x.name() + "/" + TensorType.name(type).toLowerCase(java.util.Locale.ROOT), type, x.shape(), 0);
    tensors.get(out.index).setQuantization(q);
    // op_version.cc: QUANTIZE is version 2 when it writes int16, else 1.
    return addOperator(BuiltinOperator.QUANTIZE, type == TensorType.INT16 ? 2 : 1, BuiltinOptions.QuantizeOptions,
        new QuantizeOptionsT(), out, x.index).index;
  }

  /**
   * The input, weight and bias operands of FULLY_CONNECTED or CONV_2D in {@code type}: float32, or
   * the input in int8/int16, the weights int8 symmetric per output channel, the bias INT32 (int8
   * input) or INT64 (int16 input) at input scale x weight scale.
   */
  private int[] matrixOperands(Operand x, Operand weight, Operand bias, byte type) {
    int input = in(x, type);
    if (type == TensorType.FLOAT32 && plan != null && plan.recipe().dynamicRange()) {
      // hybrid kernel: float input and bias, int8 per-channel weights (FULLY_CONNECTED 12, CONV_2D 5)
      int wIndex = constantTensor(weight, TensorType.INT8, QuantizedTensors.perChannelWeights(constantValues(weight),
          weight.shape()));
      return new int[] {input, wIndex, in(bias, type)};
    }
    if (type == TensorType.FLOAT32) {
      return new int[] {input, in(weight, type), in(bias, type)};
    }
    require(weight.index < 0 && bias.index < 0, "quantized matrix products take constant weights and biases");
    QuantizedTensors.Encoded w = QuantizedTensors.perChannelWeights(constantValues(weight), weight.shape());
    byte biasType = type == TensorType.INT16 ? TensorType.INT64 : TensorType.INT32;
    QuantizedTensors.Encoded b = QuantizedTensors.bias(constantValues(bias), scale(input), w.quantization().getScale(),
        biasType);
    int wIndex = constantTensor(weight, TensorType.INT8, w);
    int bIndex = constantTensor(bias, biasType, b);
    return new int[] {input, wIndex, bIndex};
  }

  private float[] constantValues(Operand constant) {
    float[] values = pendingConstants.get(constant.name());
    require(values != null, constant + " is not a constant of this graph");
    return values;
  }

  private int constantTensor(Operand constant, byte type, QuantizedTensors.Encoded encoded) {
    return constantTensor(constant, type, encoded.bytes(), encoded.quantization());
  }

  /** A constant under its reserved name (a second encoding of the same constant gets a suffix). */
  private int constantTensor(Operand constant, byte type, byte[] bytes, QuantizationParametersT q) {
    String key = constant.name() + "#materialised";
    String name = converted.containsKey(key) ? reserveName(constant.name() + "/" + TensorType.name(type)) : constant.name();
    converted.put(key, 1);
    TensorT t = new TensorT();
    t.setName(name);
    t.setType(type);
    t.setShape(constant.shape());
    t.setBuffer(addBuffer(bytes));
    t.setQuantization(q);
    tensors.add(t);
    return tensors.size() - 1;
  }

  private Operand int32s(String constantName, int[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      bytes.putInt(v);
    }
    return addTensor(scope + constantName, TensorType.INT32, new int[] {values.length}, addBuffer(bytes.array()));
  }

  private int addBuffer(byte[] bytes) {
    buffers.add(bytes);
    return buffers.size() - 1;
  }

  private String reserveName(String requestedName) {
    String unique = requestedName;
    for (int n = 1; !tensorNames.add(unique); n++) {
      unique = requestedName + "_" + n;
    }
    return unique;
  }

  private Operand addTensor(String requestedName, byte type, int[] shape, int buffer) {
    String unique = reserveName(requestedName);
    TensorT t = new TensorT();
    t.setName(unique);
    t.setType(type);
    t.setShape(shape.clone());
    t.setBuffer(buffer);
    tensors.add(t);
    return new Operand(tensors.size() - 1, unique, shape);
  }

  private static byte[] float32Bytes(float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return bytes.array();
  }

  private static int[] broadcast(Operand a, Operand b) {
    int rank = Math.max(a.rank(), b.rank());
    int[] shape = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i < rank - a.rank() ? 1 : a.dim(i - (rank - a.rank()));
      int db = i < rank - b.rank() ? 1 : b.dim(i - (rank - b.rank()));
      require(da == db || da == 1 || db == 1, "cannot broadcast " + a + " with " + b);
      shape[i] = Math.max(da, db);
    }
    return shape;
  }

  private static void requireCount(String what, int count, int[] shape) {
    long n = 1;
    for (int d : shape) {
      require(d > 0, what + ": shape " + Arrays.toString(shape) + " has a non-positive dimension");
      n *= d;
    }
    require(n == count, what + ": " + count + " values do not fill shape " + Arrays.toString(shape));
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
