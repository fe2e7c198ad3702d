package org.elasticdepth.runtime.bundle.graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException.Rule;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.SignatureDef;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorMap;
import org.tensorflow.lite.schema.TensorType;

/**
 * Checks a bundle graph's structure in Java before any native code (TFLite, XNNPACK, a GPU
 * delegate's compiler) sees it: a graph is a program for native code, and TFLite's own flatbuffer
 * verifier only checks that offsets stay inside the file, not that the program makes sense.
 *
 * <p>Checked, in order: every offset, vtable, vector and string lies inside the buffer and no
 * table carries a field this format never writes ({@link FlatBufferBounds}); exactly one subgraph;
 * tensor types (float32, int8 or int16 activations; float16, int32 and int64 constants) and
 * shapes (rank 1..4, dimensions 1..{@link #MAX_DIM}); quantization ({@link Quantization}: int8 and
 * int16 tensors quantized, scales finite and in range, zero points within the type); constant
 * buffers exactly product(shape) x type size; every operator's input and output indices in range,
 * -1 only for FULLY_CONNECTED's optional bias; operator codes, versions, operand types and
 * quantization as TFLite's kernels need them ({@link OperatorRules}); data flow (each tensor
 * written once, before it is read; constants and inputs never written); shape inference over the
 * vocabulary (every declared output shape equals the one computed from the inputs); inputs,
 * outputs and the signature equal the manifest's tensors (float32 in every precision); the
 * activation bound within {@link #MAX_ACTIVATION_BYTES}. The result carries a {@link
 * GraphProfile} of what the graph holds.
 *
 * <p>Stateless and thread-safe; allocation is linear in the number of tensors.
 */
public final class GraphValidator {
  /** Largest dimension of any tensor. */
  public static final int MAX_DIM = 1 << 20;
  /** Largest rank of any tensor (the exporter's heads are rank 4). */
  public static final int MAX_RANK = 4;
  /** Largest element count of one tensor (1 GiB of float32). */
  public static final long MAX_ELEMENTS = 1L << 28;
  /**
   * Hard cap on a graph's activation bound ({@link GraphStructure#activationBytes}): 512 MiB. The
   * default model's full.tflite needs 1.0 MB, one of its blocks 169 KB; a graph over the cap is
   * refused whatever the manifest says.
   */
  public static final long MAX_ACTIVATION_BYTES = 512L << 20;
  /** TFLite aligns arena allocations to 64 bytes. */
  private static final int ARENA_ALIGNMENT = 64;

  private GraphValidator() {}

  /**
   * Validates {@code bytes} (the whole file, from its position to its limit) as the graph {@code
   * spec} of a manifest.
   *
   * @throws InvalidGraphException naming the file, the operator (when one is at fault) and the rule
   */
  public static GraphStructure validate(BundleManifest.Graph spec, ByteBuffer bytes) {
    String file = spec.file();
    ByteBuffer buffer = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
    try {
      FlatBufferBounds.check(file, buffer);
      return new Check(file, Model.getRootAsModel(buffer.duplicate()), spec).run();
    } catch (InvalidGraphException e) {
      throw e;
    } catch (RuntimeException e) {
      // Unreachable in theory (every read is bounds-checked first); a failed read is still a bad graph, not a crash.
      throw new InvalidGraphException(file, -1, Rule.FLATBUFFER, "unreadable: " + e);
    }
  }

  /** One validation run. */
  private static final class Check {
    private final String file;
    private final Model model;
    private final BundleManifest.Graph spec;
    private SubGraph subgraph;
    private TensorInfo[] tensors;

    Check(String file, Model model, BundleManifest.Graph spec) {
      this.file = file;
      this.model = model;
      this.spec = spec;
    }

    GraphStructure run() {
      if (!(model.version() == 3)) {
        throw new InvalidGraphException(file, -1, Rule.FLATBUFFER, "schema version " + model.version() + ", expected 3");
      }
      if (!(model.subgraphsLength() == 1)) {
        throw new InvalidGraphException(file, -1, Rule.STRUCTURE, model.subgraphsLength() + " subgraphs, expected exactly 1");
      }
      subgraph = model.subgraphs(0);
      readTensors();
      int[] inputs = intVector(subgraph.inputsLength(), subgraph::inputs);
      int[] outputs = intVector(subgraph.outputsLength(), subgraph::outputs);
      checkSignature(inputs, outputs);
      boolean[] written = new boolean[tensors.length];
      for (int t : inputs) {
        written[t] = true;
      }
      OperatorCode[] codes = readOperatorCodes();
      OperatorRules rules = new OperatorRules(file, tensors, codes.length);
      long temporaries = 0;
      int operators = subgraph.operatorsLength();
      if (!(operators > 0)) {
        throw new InvalidGraphException(file, -1, Rule.STRUCTURE, "the graph has no operators");
      }
      Operator op = new Operator();
      for (int i = 0; i < operators; i++) {
        subgraph.operators(op, i);
        long opcode = op.opcodeIndex();
        if (!(opcode >= 0 && opcode < codes.length)) {
          throw new InvalidGraphException(file, i, Rule.OPCODE, "operator code index " + opcode + " of " + codes.length);
        }
        int[] in = intVector(op.inputsLength(), op::inputs);
        int[] out = intVector(op.outputsLength(), op::outputs);
        for (int k = 0; k < in.length; k++) {
          int t = in[k];
          if (t == -1) {
            continue; // whether -1 is allowed here is the operator's rule
          }
          if (!(t >= 0 && t < tensors.length)) {
            throw new InvalidGraphException(file, i, Rule.TENSOR_INDEX, "input " + k + " is tensor " + t + " of " + tensors.length);
          }
          if (!(written[t] || tensors[t].constant)) {
            throw new InvalidGraphException(file, i, Rule.DATAFLOW, "input " + k + " (" + tensors[t] + ") is read before any operator writes it");
          }
        }
        for (int k = 0; k < out.length; k++) {
          int t = out[k];
          if (!(t >= 0 && t < tensors.length)) {
            throw new InvalidGraphException(file, i, Rule.TENSOR_INDEX, "output " + k + " is tensor " + t + " of " + tensors.length);
          }
          if (!(!tensors[t].constant)) {
            throw new InvalidGraphException(file, i, Rule.DATAFLOW, "output " + k + " (" + tensors[t] + ") is a constant");
          }
          if (!(!written[t])) {
            throw new InvalidGraphException(file, i, Rule.DATAFLOW, "output " + k + " (" + tensors[t] + ") is already written (a graph input or an earlier output)");
          }
        }
        temporaries += rules.check(i, (int) opcode, codes[(int) opcode], op, in, out);
        for (int t : out) {
          written[t] = true;
        }
      }
      rules.checkVersions(codes);
      for (int t : outputs) {
        if (!(written[t])) {
          throw new InvalidGraphException(file, -1, Rule.DATAFLOW, "graph output " + tensors[t] + " is never written");
        }
      }
      return new GraphStructure(operators, tensors.length, activationBytes(written, temporaries), constantBytes(), rules.profile());
    }

    private void readTensors() {
      int count = subgraph.tensorsLength();
      if (!(count > 0)) {
        throw new InvalidGraphException(file, -1, Rule.STRUCTURE, "the graph has no tensors");
      }
      int buffers = model.buffersLength();
      if (!(buffers > 0)) {
        throw new InvalidGraphException(file, -1, Rule.BUFFER, "the graph has no buffers (buffer 0 is the empty sentinel)");
      }
      Buffer sentinel = model.buffers(0);
      if (!(sentinel.dataLength() == 0)) {
        throw new InvalidGraphException(file, -1, Rule.BUFFER, "buffer 0 must be empty, it holds " + sentinel.dataLength() + " bytes");
      }
      tensors = new TensorInfo[count];
      Tensor t = new Tensor();
      Buffer b = new Buffer();
      QuantizationParameters q = new QuantizationParameters();
      for (int i = 0; i < count; i++) {
        subgraph.tensors(t, i);
        String name = t.name();
        byte type = t.type();
        int typeSize = typeSize(type);
        if (!(typeSize > 0)) {
          throw new InvalidGraphException(file, -1, Rule.TENSOR_TYPE, label(i, name) + " has type " + TensorTypes.name(type) + ", not float32, float16, int8, int16, int32 or int64");
        }
        int rank = t.shapeLength();
        if (!(rank >= 1 && rank <= MAX_RANK)) {
          throw new InvalidGraphException(file, -1, Rule.TENSOR_SHAPE, label(i, name) + " has rank " + rank + ", expected 1.." + MAX_RANK);
        }
        int[] shape = new int[rank];
        long elements = 1;
        for (int d = 0; d < rank; d++) {
          shape[d] = t.shape(d);
          if (!(shape[d] >= 1 && shape[d] <= MAX_DIM)) {
            throw new InvalidGraphException(file, -1, Rule.TENSOR_SHAPE, label(i, name) + " has dimension " + shape[d] + " (allowed 1.." + MAX_DIM + ")");
          }
          elements *= shape[d]; // at most 4 factors of 2^20 would overflow: checked after each step
          if (!(elements <= MAX_ELEMENTS)) {
            throw new InvalidGraphException(file, -1, Rule.TENSOR_SHAPE, label(i, name) + " has more than " + MAX_ELEMENTS + " elements");
          }
        }
        long buffer = t.buffer();
        if (!(buffer >= 0 && buffer < buffers)) {
          throw new InvalidGraphException(file, -1, Rule.BUFFER, label(i, name) + " uses buffer " + buffer + " of " + buffers);
        }
        model.buffers(b, (int) buffer);
        int data = b.dataLength();
        boolean constant = data > 0;
        if (constant) {
          if (!(data == elements * typeSize)) {
            throw new InvalidGraphException(file, -1, Rule.BUFFER, label(i, name) + " " + TensorTypes.name(type) + Arrays.toString(shape) + " needs " + elements * typeSize + " bytes but its buffer has " + data);
          }
        } else {
          if (!(type == TensorType.FLOAT32 || type == TensorType.INT8 || type == TensorType.INT16)) {
            throw new InvalidGraphException(file, -1, Rule.TENSOR_TYPE, label(i, name) + " is a " + TensorTypes.name(type) + " activation; activations are float32, int8 or int16");
          }
        }
        Quantization quantization = Quantization.read(file, i, name, t.quantization(q), type, shape, constant);
        ByteBuffer values = constant ? b.dataAsByteBuffer().slice().order(ByteOrder.LITTLE_ENDIAN) : null;
        tensors[i] = new TensorInfo(i, name, type, shape, elements, constant, values, quantization);
      }
    }

    /** Built only for messages: string building per tensor would dominate validation time. */
    private static String label(int index, String name) {
      return "tensor " + index + " '" + shorten(name == null ? "" : name) + "'";
    }

    private OperatorCode[] readOperatorCodes() {
      int count = model.operatorCodesLength();
      OperatorCode[] codes = new OperatorCode[count];
      for (int i = 0; i < count; i++) {
        codes[i] = model.operatorCodes(i);
      }
      return codes;
    }

    /** Subgraph inputs/outputs and the one signature against the manifest's tensors. */
    private void checkSignature(int[] inputs, int[] outputs) {
      checkEnds("input", inputs, spec.inputs());
      checkEnds("output", outputs, spec.outputs());
      if (!(model.signatureDefsLength() == 1)) {
        throw new InvalidGraphException(file, -1, Rule.SIGNATURE, model.signatureDefsLength() + " signatures, expected 1");
      }
      SignatureDef signature = model.signatureDefs(0);
      if (!(signature.subgraphIndex() == 0)) {
        throw new InvalidGraphException(file, -1, Rule.SIGNATURE, "the signature names subgraph " + signature.subgraphIndex());
      }
      checkSignatureMaps("input", signature.inputsLength(), signature::inputs, inputs, spec.inputs());
      checkSignatureMaps("output", signature.outputsLength(), signature::outputs, outputs, spec.outputs());
    }

    private void checkEnds(String role, int[] indices, List<BundleManifest.Tensor> expected) {
      if (!(indices.length == expected.size())) {
        throw new InvalidGraphException(file, -1, Rule.SIGNATURE, "the graph has " + indices.length + " " + role + "s, the manifest lists " + expected.size());
      }
      for (int k = 0; k < indices.length; k++) {
        int t = indices[k];
        if (!(t >= 0 && t < tensors.length)) {
          throw new InvalidGraphException(file, -1, Rule.TENSOR_INDEX, role + " " + k + " is tensor " + t + " of " + tensors.length);
        }
        TensorInfo info = tensors[t];
        if (!(!info.constant && info.type == TensorType.FLOAT32 && Arrays.equals(info.shape, expected.get(k).shape()))) {
          throw new InvalidGraphException(file, -1, Rule.SIGNATURE, role + " " + k + " is " + info + " but the manifest says float32 " + expected.get(k));
        }
        for (int j = 0; j < k; j++) {
          if (!(indices[j] != t)) {
            throw new InvalidGraphException(file, -1, Rule.SIGNATURE, role + "s " + j + " and " + k + " are the same tensor " + info);
          }
        }
      }
    }

    private interface MapAt {
      TensorMap get(int i);
    }

    private void checkSignatureMaps(String role, int count, MapAt maps, int[] indices, List<BundleManifest.Tensor> expected) {
      if (!(count == indices.length)) {
        throw new InvalidGraphException(file, -1, Rule.SIGNATURE, "the signature has " + count + " " + role + "s, the graph " + indices.length);
      }
      for (int k = 0; k < count; k++) {
        TensorMap map = maps.get(k);
        String name = map.name();
        if (!(map.tensorIndex() == indices[k] && expected.get(k).name().equals(name))) {
          throw new InvalidGraphException(file, -1, Rule.SIGNATURE, "signature " + role + " " + k + " is '" + shorten(String.valueOf(name)) + "' -> tensor " + map.tensorIndex() + ", expected '" + expected.get(k).name() + "' -> tensor " + indices[k]);
        }
      }
    }

    private long activationBytes(boolean[] written, long temporaries) {
      long total = temporaries;
      for (TensorInfo t : tensors) {
        if (written[t.index] && !t.constant) {
          total += align(t.bytes());
        }
      }
      if (!(total <= MAX_ACTIVATION_BYTES)) {
        throw new InvalidGraphException(file, -1, Rule.ARENA, "activations need up to " + total + " bytes, over the cap of " + MAX_ACTIVATION_BYTES);
      }
      return total;
    }

    private long constantBytes() {
      long total = 0;
      for (TensorInfo t : tensors) {
        if (t.constant) {
          total += t.bytes();
        }
      }
      return total;
    }

    private interface IntAt {
      int get(int i);
    }

    private static int[] intVector(int length, IntAt at) {
      int[] values = new int[length];
      for (int i = 0; i < length; i++) {
        values[i] = at.get(i);
      }
      return values;
    }

  }

  static long align(long bytes) {
    return (bytes + ARENA_ALIGNMENT - 1) / ARENA_ALIGNMENT * ARENA_ALIGNMENT;
  }

  static int typeSize(byte type) {
    switch (type) {
      case TensorType.FLOAT32:
      case TensorType.INT32:
        return 4;
      case TensorType.FLOAT16:
      case TensorType.INT16:
        return 2;
      case TensorType.INT8:
        return 1;
      case TensorType.INT64:
        return 8;
      default:
        return 0;
    }
  }

  /** At most 40 characters of a name read from the file, so messages stay short. */
  static String shorten(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  /** Type names for messages. */
  static final class TensorTypes {
    private TensorTypes() {}

    static String name(byte type) {
      int i = type & 0xff;
      return i < TensorType.names.length ? TensorType.names[i].toLowerCase(java.util.Locale.ROOT) : "type " + i;
    }
  }

  /** One tensor as read from the file. */
  static final class TensorInfo {
    final int index;
    final String name;
    final byte type;
    final int[] shape;
    final long elements;
    final boolean constant;
    /** A constant's bytes (little endian), else null. */
    final ByteBuffer data;
    /** The tensor's scales and zero points, or null when it has none. */
    final Quantization quantization;

    TensorInfo(int index, String name, byte type, int[] shape, long elements, boolean constant, ByteBuffer data, Quantization quantization) {
      this.index = index;
      this.name = name == null ? "" : name;
      this.type = type;
      this.shape = shape;
      this.elements = elements;
      this.constant = constant;
      this.data = data;
      this.quantization = quantization;
    }

    /** The int32 constant's values (at most a handful: they are axes, shapes and slice bounds). */
    int[] ints() {
      int[] values = new int[(int) elements];
      for (int i = 0; i < values.length; i++) {
        values[i] = data.getInt(4 * i);
      }
      return values;
    }

    /** The one scale of a per-tensor quantized tensor. */
    float scale() {
      return quantization.scale[0];
    }

    /** The one zero point of a per-tensor quantized tensor. */
    long zeroPoint() {
      return quantization.zeroPoint[0];
    }

    long bytes() {
      return elements * typeSize(type);
    }

    int rank() {
      return shape.length;
    }

    int dim(int axis) {
      return shape[axis < 0 ? shape.length + axis : axis];
    }

    @Override
    public String toString() {
      return "tensor " + index + " '" + shorten(name) + "' " + TensorTypes.name(type) + Arrays.toString(shape);
    }
  }
}
