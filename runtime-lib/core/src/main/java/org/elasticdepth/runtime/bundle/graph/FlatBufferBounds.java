package org.elasticdepth.runtime.bundle.graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException.Rule;
import org.tensorflow.lite.schema.BuiltinOptions;

/**
 * The pass that runs before any schema accessor touches a graph: it walks every table, vtable,
 * vector and string this format uses and checks that each lies inside the buffer, is aligned, and
 * that no table carries a field this format never writes (the generated accessors trust the
 * bytes, and a field they do not know, such as a buffer's external {@code offset}, would be read by
 * TFLite but not by them). Field slots are those of TFLite's schema.fbs.
 *
 * <p>After this pass, every offset the {@link GraphValidator} follows through the schema classes
 * stays inside the buffer, and every vector length it iterates over is bounded by the buffer size.
 */
final class FlatBufferBounds {
  /** Model: version, operator_codes, subgraphs, description, buffers, (metadata_buffer, metadata), signature_defs. */
  private static final int MODEL_FIELDS = mask(0, 1, 2, 3, 4, 7);
  private static final int OPERATOR_CODE_FIELDS = mask(0, 2, 3); // no custom_code (1)
  private static final int SUBGRAPH_FIELDS = mask(0, 1, 2, 3, 4);
  /** Tensor: shape, type, buffer, name, quantization: no is_variable, sparsity, shape_signature... */
  private static final int TENSOR_FIELDS = mask(0, 1, 2, 3, 4);
  /** QuantizationParameters: min, max, scale, zero_point, quantized_dimension: no custom details (4, 5). */
  private static final int QUANTIZATION_FIELDS = mask(0, 1, 2, 3, 6);
  /**
   * Most values in one quantization vector: one per channel of a dimension, so at most {@link
   * GraphValidator#MAX_DIM}.
   */
  static final int MAX_QUANTIZATION_VALUES = GraphValidator.MAX_DIM;
  private static final int BUFFER_FIELDS = mask(0); // data only: no external offset/size
  private static final int OPERATOR_FIELDS = mask(0, 1, 2, 3, 4); // no custom options, intermediates...
  private static final int SIGNATURE_FIELDS = mask(0, 1, 2, 4);
  private static final int TENSOR_MAP_FIELDS = mask(0, 1);

  private final String file;
  private final ByteBuffer bb;
  private final int length;

  private FlatBufferBounds(String file, ByteBuffer bytes) {
    this.file = file;
    this.bb = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    this.length = bytes.remaining();
  }

  /** Checks {@code bytes} (position 0 = start of the file); returns the root table's position. */
  static int check(String file, ByteBuffer bytes) {
    return new FlatBufferBounds(file, bytes).model();
  }

  private int model() {
    if (length < 8 || bb.get(4) != 'T' || bb.get(5) != 'F' || bb.get(6) != 'L' || bb.get(7) != '3') {
      throw fail("not a TFLite flatbuffer (no TFL3 identifier in its " + length + " bytes)");
    }
    int root = target(0, "root table");
    table(root, MODEL_FIELDS, "Model");
    scalar(root, 0, 4, "Model.version");
    tableVector(root, 1, OPERATOR_CODE_FIELDS, "Model.operator_codes", this::operatorCode);
    tableVector(root, 2, SUBGRAPH_FIELDS, "Model.subgraphs", this::subgraph);
    string(root, 3, "Model.description");
    tableVector(root, 4, BUFFER_FIELDS, "Model.buffers", t -> vector(t, 0, 1, "Buffer.data"));
    tableVector(root, 7, SIGNATURE_FIELDS, "Model.signature_defs", this::signature);
    return root;
  }

  private void operatorCode(int t) {
    scalar(t, 0, 1, "OperatorCode.deprecated_builtin_code");
    scalar(t, 2, 4, "OperatorCode.version");
    scalar(t, 3, 4, "OperatorCode.builtin_code");
  }

  private void subgraph(int t) {
    tableVector(t, 0, TENSOR_FIELDS, "SubGraph.tensors", this::tensor);
    vector(t, 1, 4, "SubGraph.inputs");
    vector(t, 2, 4, "SubGraph.outputs");
    tableVector(t, 3, OPERATOR_FIELDS, "SubGraph.operators", this::operator);
    string(t, 4, "SubGraph.name");
  }

  private void tensor(int t) {
    vector(t, 0, 4, "Tensor.shape");
    scalar(t, 1, 1, "Tensor.type");
    scalar(t, 2, 4, "Tensor.buffer");
    string(t, 3, "Tensor.name");
    int quantization = field(t, 4, 4, "Tensor.quantization");
    if (quantization != 0) {
      int q = target(quantization, "Tensor.quantization");
      table(q, QUANTIZATION_FIELDS, "QuantizationParameters");
      boundedVector(q, 0, 4, "QuantizationParameters.min");
      boundedVector(q, 1, 4, "QuantizationParameters.max");
      boundedVector(q, 2, 4, "QuantizationParameters.scale");
      boundedVector(q, 3, 8, "QuantizationParameters.zero_point");
      scalar(q, 6, 4, "QuantizationParameters.quantized_dimension");
    }
  }

  /** A vector of at most {@link #MAX_QUANTIZATION_VALUES} elements. */
  private void boundedVector(int table, int slot, int elementSize, String what) {
    int count = vector(table, slot, elementSize, what);
    if (!(count <= MAX_QUANTIZATION_VALUES)) {
      throw fail(what + " has " + count + " values, more than " + MAX_QUANTIZATION_VALUES);
    }
  }

  private void operator(int t) {
    scalar(t, 0, 4, "Operator.opcode_index");
    vector(t, 1, 4, "Operator.inputs");
    vector(t, 2, 4, "Operator.outputs");
    int typeField = field(t, 3, 1, "Operator.builtin_options_type");
    int type = typeField == 0 ? BuiltinOptions.NONE : bb.get(typeField) & 0xff;
    int options = field(t, 4, 4, "Operator.builtin_options");
    if (options == 0) {
      return;
    }
    int o = target(options, "Operator.builtin_options");
    int[] sizes = optionFieldSizes(type);
    int allowed = 0;
    for (int slot = 0; slot < sizes.length; slot++) {
      allowed |= 1 << slot;
    }
    String what = "builtin options"; // the type is in the operator; messages stay cheap until they are needed
    table(o, allowed, what);
    for (int slot = 0; slot < sizes.length; slot++) {
      if (sizes[slot] == VECTOR) {
        vector(o, slot, 4, what);
      } else {
        scalar(o, slot, sizes[slot], what);
      }
    }
  }

  private static final int VECTOR = -1;

  /** Byte size of each field (by slot) of the options tables this format emits, as schema.fbs defines them. */
  private int[] optionFieldSizes(int type) {
    switch (type) {
      case BuiltinOptions.Conv2DOptions:
        return new int[] {1, 4, 4, 1, 4, 4}; // padding, stride_w, stride_h, activation, dilation_w, dilation_h
      case BuiltinOptions.FullyConnectedOptions:
        return new int[] {1, 1, 1, 1}; // activation, weights_format, keep_num_dims, asymmetric_quantize_inputs
      case BuiltinOptions.AddOptions:
      case BuiltinOptions.SubOptions:
        return new int[] {1, 1}; // activation, pot_scale_int16
      case BuiltinOptions.MulOptions:
      case BuiltinOptions.ReducerOptions:
      case BuiltinOptions.GeluOptions:
        return new int[] {1}; // activation / keep_dims / approximate
      case BuiltinOptions.SoftmaxOptions:
        return new int[] {4}; // beta
      case BuiltinOptions.ReshapeOptions:
        return new int[] {VECTOR}; // new_shape
      case BuiltinOptions.BatchMatMulOptions:
        return new int[] {1, 1, 1}; // adj_x, adj_y, asymmetric_quantize_inputs
      case BuiltinOptions.ConcatenationOptions:
        return new int[] {4, 1}; // axis, activation
      case BuiltinOptions.TransposeOptions:
      case BuiltinOptions.SliceOptions:
      case BuiltinOptions.DequantizeOptions:
      case BuiltinOptions.QuantizeOptions:
      case BuiltinOptions.SquaredDifferenceOptions:
        return new int[0];
      default:
        throw new InvalidGraphException(file, -1, Rule.OPTIONS, "builtin options of type " + type + " are not part of this format");
    }
  }

  private void signature(int t) {
    tableVector(t, 0, TENSOR_MAP_FIELDS, "SignatureDef.inputs", this::tensorMap);
    tableVector(t, 1, TENSOR_MAP_FIELDS, "SignatureDef.outputs", this::tensorMap);
    string(t, 2, "SignatureDef.signature_key");
    scalar(t, 4, 4, "SignatureDef.subgraph_index");
  }

  private void tensorMap(int t) {
    string(t, 0, "TensorMap.name");
    scalar(t, 1, 4, "TensorMap.tensor_index");
  }

  // ---------------------------------------------------------------- primitives

  private interface TableCheck {
    void check(int table);
  }

  /** Checks the table at {@code pos}: its vtable inside the buffer, and only {@code allowed} fields set. */
  private void table(int pos, int allowed, String what) {
    if (!(pos >= 0 && pos % 4 == 0 && pos <= length - 4)) {
      throw fail(what + " table at " + pos + " is outside the buffer or unaligned");
    }
    long vtable = (long) pos - bb.getInt(pos);
    if (!(vtable >= 0 && vtable % 2 == 0 && vtable <= length - 4)) {
      throw fail(what + " vtable at " + vtable + " is outside the buffer");
    }
    int vsize = bb.getShort((int) vtable) & 0xffff;
    int tsize = bb.getShort((int) vtable + 2) & 0xffff;
    if (!(vsize >= 4 && vsize % 2 == 0 && vtable + vsize <= length)) {
      throw fail(what + " vtable of " + vsize + " bytes leaves the buffer");
    }
    if (!(tsize >= 4 && (long) pos + tsize <= length)) {
      throw fail(what + " table of " + tsize + " bytes leaves the buffer");
    }
    int slots = (vsize - 4) / 2;
    for (int slot = 0; slot < slots; slot++) {
      int offset = bb.getShort((int) vtable + 4 + 2 * slot) & 0xffff;
      if (offset != 0) {
        if (slot >= 31 || (allowed & (1 << slot)) == 0) {
          throw new InvalidGraphException(file, -1, Rule.UNKNOWN_FIELD, what + " sets field " + slot
              + ", which this format never writes");
        }
        if (!(offset >= 4 && offset < tsize)) {
          throw fail(what + " field " + slot + " lies outside its table");
        }
      }
    }
  }

  /** Absolute position of field {@code slot} of {@code size} bytes, or 0 when absent. */
  private int field(int table, int slot, int size, String what) {
    int vtable = table - bb.getInt(table);
    int vsize = bb.getShort(vtable) & 0xffff;
    if (4 + 2 * slot >= vsize) {
      return 0;
    }
    int offset = bb.getShort(vtable + 4 + 2 * slot) & 0xffff;
    if (offset == 0) {
      return 0;
    }
    int tsize = bb.getShort(vtable + 2) & 0xffff;
    long pos = (long) table + offset;
    if (!(offset + size <= tsize && pos + size <= length && pos % size == 0)) {
      throw fail(what + " at " + pos + " leaves its table or is unaligned");
    }
    return (int) pos;
  }

  private void scalar(int table, int slot, int size, String what) {
    field(table, slot, size, what);
  }

  /** The position an offset field at {@code pos} points to (uoffset_t, forward only). */
  private int target(int pos, String what) {
    if (!(pos >= 0 && pos <= length - 4)) {
      throw fail(what + " offset at " + pos + " is outside the buffer");
    }
    long target = (pos & 0xffffffffL) + (bb.getInt(pos) & 0xffffffffL);
    if (!(bb.getInt(pos) != 0 && target <= length - 4)) {
      throw fail(what + " points outside the buffer");
    }
    return (int) target;
  }

  /** Checks the vector in field {@code slot}; returns its element count (0 when absent). */
  private int vector(int table, int slot, int elementSize, String what) {
    int field = field(table, slot, 4, what);
    if (field == 0) {
      return 0;
    }
    int v = target(field, what);
    if (!(v % 4 == 0)) {
      throw fail(what + " vector is unaligned");
    }
    long count = bb.getInt(v) & 0xffffffffL;
    if (!(count * elementSize <= length - v - 4L)) {
      throw fail(what + " claims " + count + " elements, more than the buffer holds");
    }
    return (int) count;
  }

  private void tableVector(int table, int slot, int allowed, String what, TableCheck each) {
    int count = vector(table, slot, 4, what);
    if (count == 0) {
      return;
    }
    int v = target(field(table, slot, 4, what), what);
    for (int i = 0; i < count; i++) {
      int element = target(v + 4 + 4 * i, what); // "what" without the index: no string building per element
      table(element, allowed, what);
      each.check(element);
    }
  }

  private void string(int table, int slot, String what) {
    int count = vector(table, slot, 1, what);
    if (count > 0) {
      int v = target(field(table, slot, 4, what), what);
      if (!((long) v + 4 + count < length && bb.get(v + 4 + count) == 0)) {
        throw fail(what + " is not zero-terminated inside the buffer");
      }
    }
  }

  private InvalidGraphException fail(String message) {
    return new InvalidGraphException(file, -1, Rule.FLATBUFFER, message);
  }

  private static int mask(int... slots) {
    int m = 0;
    for (int s : slots) {
      m |= 1 << s;
    }
    return m;
  }
}
