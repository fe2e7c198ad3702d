package org.elasticdepth.runtime.bundle.graph;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.tensorflow.lite.schema.AddOptionsT;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.ConcatenationOptionsT;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.ReshapeOptionsT;
import org.tensorflow.lite.schema.SignatureDefT;
import org.tensorflow.lite.schema.SliceOptionsT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorMapT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * Small TFLite graphs that pass {@link GraphValidator} for any signature (one input, any outputs),
 * for tests whose executors compute by file name and only need a bundle that opens: each output is
 * the input flattened, sliced or zero-padded to its size, and reshaped. Optionally padded (through
 * the model description) to an exact file size.
 */
public final class TinyGraphs {
  private TinyGraphs() {}

  /** A valid graph {@code input -> outputs}, of exactly {@code bytes} bytes when {@code bytes > 0}. */
  public static byte[] graph(Tensor input, List<Tensor> outputs, int bytes) {
    byte[] plain = build(input, outputs, 0);
    if (bytes <= 0) {
      return plain;
    }
    if (plain.length > bytes) {
      throw new IllegalArgumentException("the smallest such graph has " + plain.length + " bytes, more than " + bytes);
    }
    for (int pad = Math.max(0, bytes - plain.length - 16); pad <= bytes - plain.length + 16; pad++) {
      byte[] padded = build(input, outputs, pad);
      if (padded.length == bytes) {
        return padded;
      }
    }
    throw new IllegalArgumentException("no graph of exactly " + bytes + " bytes (sizes are multiples of 4)");
  }

  /** A valid graph {@code output = input + input}: all activations, no reshaping, for shapes of any size. */
  public static byte[] doubling(Tensor input, String outputName) {
    Builder b = new Builder();
    int x = b.tensor(input.name(), TensorType.FLOAT32, input.shape(), 0);
    AddOptionsT options = new AddOptionsT();
    int sum = b.op(BuiltinOperator.ADD, BuiltinOptions.AddOptions, options, outputName, input.shape(), x, x);
    return b.finish(List.of(input), List.of(new Tensor(outputName, input.shape())), List.of(x), List.of(sum), "");
  }

  private static byte[] build(Tensor input, List<Tensor> outputs, int padding) {
    Builder b = new Builder();
    int n = input.elementCount();
    int x = b.tensor(input.name(), TensorType.FLOAT32, input.shape(), 0);
    int flat = b.reshape("flat", x, new int[] {1, n});
    List<Integer> ends = new ArrayList<>();
    for (Tensor out : outputs) {
      int m = out.elementCount();
      int sized = flat;
      if (m < n) {
        sized = b.slice(out.name() + "/slice", flat, new int[] {0, 0}, new int[] {1, m});
      } else if (m > n) {
        int zeros = b.tensor(out.name() + "/zeros", TensorType.FLOAT32, new int[] {1, m - n}, b.buffer(new byte[4 * (m - n)]));
        sized = b.concat(out.name() + "/padded", flat, zeros);
      }
      ends.add(b.reshape(out.name(), sized, out.shape()));
    }
    return b.finish(List.of(input), outputs, List.of(x), ends, "x".repeat(padding));
  }

  /** The flatbuffer of {@code model}, with TFLite's file identifier. */
  public static byte[] pack(ModelT model) {
    FlatBufferBuilder fbb = new FlatBufferBuilder(1024);
    fbb.finish(Model.pack(fbb, model), "TFL3");
    return fbb.sizedByteArray();
  }

  static class Builder {
    final List<TensorT> tensors = new ArrayList<>();
    final List<BufferT> buffers = new ArrayList<>();
    final List<OperatorT> operators = new ArrayList<>();
    final List<OperatorCodeT> codes = new ArrayList<>();
    final List<Integer> codeOf = new ArrayList<>(); // builtin * 1000 + version

    Builder() {
      buffers.add(new BufferT());
    }

    int buffer(byte[] bytes) {
      BufferT buffer = new BufferT();
      int[] data = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        data[i] = bytes[i] & 0xff;
      }
      buffer.setData(data);
      buffers.add(buffer);
      return buffers.size() - 1;
    }

    int tensor(String name, byte type, int[] shape, int buffer) {
      TensorT t = new TensorT();
      t.setName(name + "#" + tensors.size());
      t.setType(type);
      t.setShape(shape.clone());
      t.setBuffer(buffer);
      tensors.add(t);
      return tensors.size() - 1;
    }

    int ints(String name, int[] values) {
      ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      for (int v : values) {
        bytes.putInt(v);
      }
      return tensor(name, TensorType.INT32, new int[] {values.length}, buffer(bytes.array()));
    }

    int reshape(String name, int x, int[] shape) {
      ReshapeOptionsT options = new ReshapeOptionsT();
      options.setNewShape(shape.clone());
      return op(BuiltinOperator.RESHAPE, BuiltinOptions.ReshapeOptions, options, name, shape, x, ints(name + "/shape", shape));
    }

    int slice(String name, int x, int[] begin, int[] size) {
      return op(BuiltinOperator.SLICE, BuiltinOptions.SliceOptions, new SliceOptionsT(), name, size, x,
          ints(name + "/begin", begin), ints(name + "/size", size));
    }

    int concat(String name, int a, int b) {
      ConcatenationOptionsT options = new ConcatenationOptionsT();
      options.setAxis(1);
      int[] shape = {1, tensors.get(a).getShape()[1] + tensors.get(b).getShape()[1]};
      return op(BuiltinOperator.CONCATENATION, BuiltinOptions.ConcatenationOptions, options, name, shape, a, b);
    }

    int op(int builtin, byte optionsType, Object options, String name, int[] shape, int... inputs) {
      return opInto(builtin, 1, optionsType, options, tensor(name, TensorType.FLOAT32, shape, 0), inputs);
    }

    /** Operator {@code builtin} writing tensor {@code out}; one operator code per (builtin, version), as TFLite's converter writes them. */
    int opInto(int builtin, int version, byte optionsType, Object options, int out, int... inputs) {
      OperatorT op = new OperatorT();
      int code = codeOf.indexOf(builtin * 1000 + version);
      if (code < 0) {
        OperatorCodeT c = new OperatorCodeT();
        c.setBuiltinCode(builtin);
        c.setDeprecatedBuiltinCode((byte) Math.min(builtin, 127));
        c.setVersion(version);
        codes.add(c);
        codeOf.add(builtin * 1000 + version);
        code = codes.size() - 1;
      }
      op.setOpcodeIndex(code);
      op.setInputs(inputs);
      op.setOutputs(new int[] {out});
      BuiltinOptionsUnion union = new BuiltinOptionsUnion();
      union.setType(optionsType);
      union.setValue(options);
      op.setBuiltinOptions(union);
      operators.add(op);
      return out;
    }

    byte[] finish(List<Tensor> inSpecs, List<Tensor> outSpecs, List<Integer> ins, List<Integer> outs, String description) {
      return pack(model(inSpecs, outSpecs, ins, outs, description));
    }

    ModelT model(List<Tensor> inSpecs, List<Tensor> outSpecs, List<Integer> ins, List<Integer> outs, String description) {
      SubGraphT subgraph = new SubGraphT();
      subgraph.setTensors(tensors.toArray(new TensorT[0]));
      subgraph.setInputs(ins.stream().mapToInt(Integer::intValue).toArray());
      subgraph.setOutputs(outs.stream().mapToInt(Integer::intValue).toArray());
      subgraph.setOperators(operators.toArray(new OperatorT[0]));
      subgraph.setName("tiny");
      SignatureDefT signature = new SignatureDefT();
      signature.setSignatureKey("serving_default");
      signature.setInputs(maps(inSpecs, ins));
      signature.setOutputs(maps(outSpecs, outs));
      ModelT model = new ModelT();
      model.setVersion(3);
      model.setOperatorCodes(codes.toArray(new OperatorCodeT[0]));
      model.setSubgraphs(new SubGraphT[] {subgraph});
      model.setDescription(description);
      model.setBuffers(buffers.toArray(new BufferT[0]));
      model.setSignatureDefs(new SignatureDefT[] {signature});
      return model;
    }

    private static TensorMapT[] maps(List<Tensor> specs, List<Integer> indices) {
      TensorMapT[] maps = new TensorMapT[specs.size()];
      for (int i = 0; i < maps.length; i++) {
        maps[i] = new TensorMapT();
        maps[i].setName(specs.get(i).name());
        maps[i].setTensorIndex(indices.get(i));
      }
      return maps;
    }
  }
}
