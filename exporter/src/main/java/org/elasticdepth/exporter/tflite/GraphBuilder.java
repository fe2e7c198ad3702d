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
  private String scope = "";
  private long parameters;
  private long flops;

  public GraphBuilder(String name, Precision precision) {
    if (precision != Precision.FP32 && precision != Precision.FP16) {
      throw new IllegalArgumentException("GraphBuilder writes fp32 and fp16 graphs, not " + precision.label());
    }
    this.name = name;
    this.precision = precision;
    buffers.add(new byte[0]); // buffer 0: the empty sentinel every tensor without data points at
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
  public void output(String signatureName, Operand value) {
    if (outputs.stream().anyMatch(o -> o.index == value.index)) {
      throw new IllegalArgumentException(value + " is already an output");
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
    return op(BuiltinOperator.DEQUANTIZE, 3, BuiltinOptions.DequantizeOptions, options, weightName, shape, half.index);
  }

  /** A float32 scalar constant (e.g. epsilon, a scale), stored as shape [1]; not a parameter. */
  public Operand scalar(String constantName, float value) {
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
    // keep_num_dims needs FULLY_CONNECTED version 5.
    return op(BuiltinOperator.FULLY_CONNECTED, 5, BuiltinOptions.FullyConnectedOptions, options, "fully_connected",
        shape, x.index, weight.index, bias.index);
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
    return op(BuiltinOperator.CONV_2D, 1, BuiltinOptions.Conv2DOptions, options, "conv2d", shape,
        x.index, filter.index, bias.index);
  }

  /** Elementwise {@code a + b} with NumPy broadcasting. */
  public Operand add(Operand a, Operand b) {
    AddOptionsT options = new AddOptionsT();
    options.setFusedActivationFunction(ActivationFunctionType.NONE);
    return op(BuiltinOperator.ADD, 1, BuiltinOptions.AddOptions, options, "add", broadcast(a, b), a.index, b.index);
  }

  /** Elementwise {@code a - b} with NumPy broadcasting. */
  public Operand sub(Operand a, Operand b) {
    SubOptionsT options = new SubOptionsT();
    options.setFusedActivationFunction(ActivationFunctionType.NONE);
    return op(BuiltinOperator.SUB, 1, BuiltinOptions.SubOptions, options, "sub", broadcast(a, b), a.index, b.index);
  }

  /** Elementwise {@code a * b} with NumPy broadcasting. */
  public Operand mul(Operand a, Operand b) {
    MulOptionsT options = new MulOptionsT();
    options.setFusedActivationFunction(ActivationFunctionType.NONE);
    return op(BuiltinOperator.MUL, 1, BuiltinOptions.MulOptions, options, "mul", broadcast(a, b), a.index, b.index);
  }

  /** Elementwise {@code (a - b)^2} with NumPy broadcasting. */
  public Operand squaredDifference(Operand a, Operand b) {
    return op(BuiltinOperator.SQUARED_DIFFERENCE, 1, BuiltinOptions.SquaredDifferenceOptions,
        new SquaredDifferenceOptionsT(), "squared_difference", broadcast(a, b), a.index, b.index);
  }

  /** Elementwise {@code 1 / sqrt(x)}. */
  public Operand rsqrt(Operand x) {
    return op(BuiltinOperator.RSQRT, 1, BuiltinOptions.NONE, null, "rsqrt", x.shape(), x.index);
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
    Operand axesTensor = int32s("mean_axes", normalised);
    ReducerOptionsT options = new ReducerOptionsT();
    options.setKeepDims(true);
    return op(BuiltinOperator.MEAN, 1, BuiltinOptions.ReducerOptions, options, "mean", shape, x.index, axesTensor.index);
  }

  /** RESHAPE to a fully specified {@code shape} with the same element count. */
  public Operand reshape(Operand x, int... shape) {
    requireCount("reshape of " + x, x.elementCount(), shape);
    Operand shapeTensor = int32s("reshape_shape", shape);
    ReshapeOptionsT options = new ReshapeOptionsT();
    options.setNewShape(shape.clone());
    return op(BuiltinOperator.RESHAPE, 1, BuiltinOptions.ReshapeOptions, options, "reshape", shape,
        x.index, shapeTensor.index);
  }

  /** TRANSPOSE by a constant permutation: output dim i = input dim {@code perm[i]}. */
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
    return op(BuiltinOperator.TRANSPOSE, 1, BuiltinOptions.TransposeOptions, new TransposeOptionsT(), "transpose", shape,
        x.index, permTensor.index);
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
    return op(BuiltinOperator.BATCH_MATMUL, 1, BuiltinOptions.BatchMatMulOptions, options, "batch_matmul", shape,
        a.index, b.index);
  }

  /** SOFTMAX over the last axis with beta 1 (the only beta the GPU delegate accepts). */
  public Operand softmax(Operand x) {
    SoftmaxOptionsT options = new SoftmaxOptionsT();
    options.setBeta(1f);
    return op(BuiltinOperator.SOFTMAX, 1, BuiltinOptions.SoftmaxOptions, options, "softmax", x.shape(), x.index);
  }

  /** GELU: exact (erf) unless {@code approximate} (tanh approximation). */
  public Operand gelu(Operand x, boolean approximate) {
    GeluOptionsT options = new GeluOptionsT();
    options.setApproximate(approximate);
    return op(BuiltinOperator.GELU, 1, BuiltinOptions.GeluOptions, options, "gelu", x.shape(), x.index);
  }

  /** CONCATENATION along {@code axis}; the other dimensions must agree. */
  public Operand concat(int axis, Operand... parts) {
    require(parts.length >= 2, "concat needs at least two operands");
    int rank = parts[0].rank();
    int a = axis < 0 ? axis + rank : axis;
    int[] shape = parts[0].shape();
    shape[a] = 0;
    int[] indices = new int[parts.length];
    for (int p = 0; p < parts.length; p++) {
      require(parts[p].rank() == rank, "concat: ranks differ: " + Arrays.toString(parts));
      for (int i = 0; i < rank; i++) {
        require(i == a || parts[p].dim(i) == shape[i], "concat: shapes differ off axis " + axis + ": " + Arrays.toString(parts));
      }
      shape[a] += parts[p].dim(a);
      indices[p] = parts[p].index;
    }
    ConcatenationOptionsT options = new ConcatenationOptionsT();
    options.setAxis(a);
    options.setFusedActivationFunction(ActivationFunctionType.NONE);
    return op(BuiltinOperator.CONCATENATION, 1, BuiltinOptions.ConcatenationOptions, options, "concat", shape, indices);
  }

  /** SLICE with constant {@code begin} and {@code size} (no shrinking: the rank is kept). */
  public Operand slice(Operand x, int[] begin, int[] size) {
    require(begin.length == x.rank() && size.length == x.rank(), "slice: begin/size rank for " + x);
    for (int i = 0; i < x.rank(); i++) {
      require(begin[i] >= 0 && size[i] > 0 && begin[i] + size[i] <= x.dim(i),
          "slice: [" + Arrays.toString(begin) + " + " + Arrays.toString(size) + "] outside " + x);
    }
    Operand beginTensor = int32s("slice_begin", begin);
    Operand sizeTensor = int32s("slice_size", size);
    return op(BuiltinOperator.SLICE, 1, BuiltinOptions.SliceOptions, new SliceOptionsT(), "slice", size,
        x.index, beginTensor.index, sizeTensor.index);
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

  private Operand op(int builtin, int version, byte optionsType, Object options, String opName, int[] outShape,
      int... inputIndices) {
    Operand out = addTensor(scope + opName, TensorType.FLOAT32, outShape, 0);
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
    return out;
  }

  private int opcode(int builtin, int version) {
    return opcodeIndex.computeIfAbsent(builtin, code -> {
      OperatorCodeT opcode = new OperatorCodeT();
      // Readers before schema 2.5 only see deprecated_builtin_code (a byte; 127 = "look at builtin_code").
      opcode.setDeprecatedBuiltinCode((byte) Math.min(code, 127));
      opcode.setBuiltinCode(code);
      opcode.setVersion(version);
      opcodes.add(opcode);
      return opcodes.size() - 1;
    });
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

  private Operand addTensor(String requestedName, byte type, int[] shape, int buffer) {
    String unique = requestedName;
    for (int n = 1; !tensorNames.add(unique); n++) {
      unique = requestedName + "_" + n;
    }
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
