package org.elasticdepth.runtime.bundle.graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.tensorflow.lite.schema.AddOptionsT;
import org.tensorflow.lite.schema.BatchMatMulOptionsT;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.ConcatenationOptionsT;
import org.tensorflow.lite.schema.Conv2DOptionsT;
import org.tensorflow.lite.schema.DequantizeOptionsT;
import org.tensorflow.lite.schema.FullyConnectedOptionsT;
import org.tensorflow.lite.schema.GeluOptionsT;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.MulOptionsT;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.QuantizationParametersT;
import org.tensorflow.lite.schema.QuantizeOptionsT;
import org.tensorflow.lite.schema.ReducerOptionsT;
import org.tensorflow.lite.schema.ReshapeOptionsT;
import org.tensorflow.lite.schema.SliceOptionsT;
import org.tensorflow.lite.schema.SoftmaxOptionsT;
import org.tensorflow.lite.schema.SquaredDifferenceOptionsT;
import org.tensorflow.lite.schema.SubOptionsT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;
import org.tensorflow.lite.schema.TransposeOptionsT;

/**
 * Hand-built quantized graphs in the shape of contract 1 (float32 in and out, QUANTIZE first,
 * DEQUANTIZE last), with random weights from a fixed seed. The block holds every operator of the
 * vocabulary in int8 (pre-LN transformer block: LayerNorm from MEAN/SUB/SQUARED_DIFFERENCE/ADD/
 * RSQRT/MUL, one-head attention from FULLY_CONNECTED/RESHAPE/TRANSPOSE/SLICE/BATCH_MATMUL/SOFTMAX,
 * a GELU MLP), a 16x8 island (int16 FULLY_CONNECTED with int64 bias, ADD, SOFTMAX, MEAN) and a float
 * island between DEQUANTIZE and QUANTIZE; the stem is an int8 CONV_2D. Operator codes carry the
 * versions of TFLite's op_version.cc, one code per (operator, version).
 *
 * <p>Tensor names are {@code name#index}; {@link #tensor} finds one by its name for mutations.
 */
public final class QuantizedGraphs {
  private QuantizedGraphs() {}

  /** The block's input: {@code tokens [1, tokens, dim]}. */
  public static Tensor blockInput(String name, int tokens, int dim) {
    return new Tensor(name, new int[] {1, tokens, dim});
  }

  /** The block's outputs: the tokens and the class-token feature {@code [1, dim]}. */
  public static List<Tensor> blockOutputs(String tokensName, String featureName, int tokens, int dim) {
    return List.of(new Tensor(tokensName, new int[] {1, tokens, dim}), new Tensor(featureName, new int[] {1, dim}));
  }

  /** The quantized block as a model, ready to mutate; {@link TinyGraphs#pack} makes it a file. */
  public static ModelT block(Tensor input, List<Tensor> outputs) {
    int n = input.shape()[1];
    int d = input.shape()[2];
    Q b = new Q(new Random(13));
    int x = b.tensor(input.name(), TensorType.FLOAT32, input.shape(), 0);
    int q = b.quantize("q", x, TensorType.INT8, 0.03f, -5);
    // LayerNorm in int8
    int mean = b.reduceMean("ln/mean", q, new int[] {-1}, 0.03f, -5);
    int centered = b.binary(BuiltinOperator.SUB, "ln/centered", q, mean, 0.04f, 0);
    int squares = b.binary(BuiltinOperator.SQUARED_DIFFERENCE, "ln/squares", q, mean, 0.05f, -128);
    int variance = b.reduceMean("ln/variance", squares, new int[] {-1}, 0.05f, -128);
    int eps = b.constant8("ln/eps", new int[] {1}, 1e-5f / 127, 0, new byte[] {127});
    int shifted = b.binary(BuiltinOperator.ADD, "ln/shifted", variance, eps, 0.05f, -128);
    int inverse = b.unary(BuiltinOperator.RSQRT, "ln/rsqrt", shifted, 0.1f, -128);
    int normalized = b.binary(BuiltinOperator.MUL, "ln/normalized", centered, inverse, 0.05f, 0);
    int gamma = b.constant8("ln/gamma", new int[] {d}, 0.5f, 0, b.bytes(d, 0, 100));
    int scaled = b.binary(BuiltinOperator.MUL, "ln/scaled", normalized, gamma, 0.02f, 0); // rescale 1.25: MUL version 3
    // attention, one head
    int qkv = b.fullyConnected("attn/qkv", scaled, 3 * d, 0.06f, 2);
    int split = b.reshape("attn/split", qkv, new int[] {1, n, 3, d});
    int heads = b.transpose("attn/heads", split, new int[] {0, 2, 1, 3});
    int query = b.slice("attn/q", heads, new int[] {0, 0, 0, 0}, new int[] {1, 1, n, d});
    int key = b.slice("attn/k", heads, new int[] {0, 1, 0, 0}, new int[] {1, 1, n, d});
    int value = b.slice("attn/v", heads, new int[] {0, 2, 0, 0}, new int[] {1, 1, n, d});
    int scores = b.batchMatMul("attn/scores", query, key, true, new int[] {1, 1, n, n}, 0.1f, 0);
    int probs = b.softmax("attn/probs", scores, TensorType.INT8);
    int mixed = b.batchMatMul("attn/mixed", probs, value, false, new int[] {1, 1, n, d}, 0.05f, 0);
    int merged = b.reshape("attn/merged", mixed, new int[] {1, n, d});
    int residual = b.binary(BuiltinOperator.ADD, "attn/residual", merged, q, 0.06f, 0);
    // MLP: int8 up-projection and GELU, then a 16x8 island
    int hidden = b.fullyConnected("mlp/up", residual, 2 * d, 0.08f, -10);
    int gelu = b.unary(BuiltinOperator.GELU, "mlp/gelu", hidden, 0.05f, -100);
    int wide = b.dequantize("mlp/float", gelu);
    int h16 = b.quantize("mlp/int16", wide, TensorType.INT16, 0.0003f, 0);
    int down16 = b.fullyConnected("mlp/down", h16, d, 0.0004f, 0);
    int sum16 = b.binary(BuiltinOperator.ADD, "mlp/sum16", down16, down16, 0.0008f, 0);
    int probs16 = b.softmax("mlp/softmax16", sum16, TensorType.INT16);
    int mean16 = b.reduceMean("mlp/mean16", probs16, new int[] {-1}, 1f / 32768, 0);
    int back = b.binary(BuiltinOperator.SUB, "mlp/back16", probs16, mean16, 1f / 32768, 0);
    int down8 = b.quantize("mlp/int8", back, TensorType.INT8, 0.004f, 0);
    // float island: DEQUANTIZE, float ADD, QUANTIZE
    int f = b.dequantize("island/float", down8);
    int doubled = b.op(BuiltinOperator.ADD, BuiltinOptions.AddOptions, new AddOptionsT(), "island/doubled", input.shape(), f, f);
    int requantized = b.quantize("island/int8", doubled, TensorType.INT8, 0.01f, 3);
    int tokens = b.binary(BuiltinOperator.ADD, "tokens/out", requantized, residual, 0.07f, 0);
    // class-token feature: SLICE, CONCATENATION, MEAN, RESHAPE
    int cls = b.slice("cls/slice", tokens, new int[] {0, 0, 0}, new int[] {1, 1, d});
    int pair = b.concat("cls/pair", cls, cls);
    int pooled = b.reduceMean("cls/mean", pair, new int[] {1}, 0.07f, 0);
    int feature = b.reshape("cls/flat", pooled, new int[] {1, d});
    int tokensOut = b.dequantize(outputs.get(0).name(), tokens);
    int featureOut = b.dequantize(outputs.get(1).name(), feature);
    return b.model(List.of(input), outputs, List.of(x), List.of(tokensOut, featureOut), "");
  }

  /** A quantized stem: {@code image [1, size, size, 1]} -> QUANTIZE -> int8 CONV_2D (2x2, stride 2) -> tokens [1, (size/2)^2, dim]. */
  public static ModelT stem(Tensor image, Tensor tokens) {
    int size = image.shape()[1];
    int dim = tokens.shape()[2];
    Q b = new Q(new Random(17));
    int x = b.tensor(image.name(), TensorType.FLOAT32, image.shape(), 0);
    int q = b.quantize("q", x, TensorType.INT8, 0.02f, -128);
    int filter = b.perChannel("patch/filter", new int[] {dim, 2, 2, 1});
    int bias = b.bias("patch/bias", TensorType.INT32, b.tensors.get(q), b.tensors.get(filter));
    int conv = b.q8("patch/conv", TensorType.INT8, new int[] {1, size / 2, size / 2, dim}, 0.05f, 1);
    Conv2DOptionsT options = new Conv2DOptionsT();
    options.setPadding(Padding.VALID);
    options.setStrideH(2);
    options.setStrideW(2);
    options.setDilationHFactor(1);
    options.setDilationWFactor(1);
    b.opInto(BuiltinOperator.CONV_2D, 3, BuiltinOptions.Conv2DOptions, options, conv, q, filter, bias);
    int flat = b.reshape("patch/tokens", conv, tokens.shape());
    int out = b.dequantize(tokens.name(), flat);
    return b.model(List.of(image), List.of(tokens), List.of(x), List.of(out), "");
  }

  /**
   * {@code input [1, n, k]} -> QUANTIZE (int8, scale {@code inputScale}, zero point 7) -> int8
   * FULLY_CONNECTED to {@code units} (per-channel weights, int32 bias) -> DEQUANTIZE: the smallest
   * graph whose output shows how TFLite reads weight, bias and activation scales.
   */
  public static ModelT linear(Tensor input, Tensor output, float inputScale, float outputScale) {
    Q b = new Q(new Random(19));
    int x = b.tensor(input.name(), TensorType.FLOAT32, input.shape(), 0);
    int q = b.quantize("q", x, TensorType.INT8, inputScale, 7);
    int y = b.fullyConnected("fc", q, output.shape()[output.shape().length - 1], outputScale, -3);
    int out = b.dequantize(output.name(), y);
    return b.model(List.of(input), List.of(output), List.of(x), List.of(out), "");
  }

  /** The tensor of {@code model} whose name (before {@code #index}) is {@code name}. */
  public static TensorT tensor(ModelT model, String name) {
    for (TensorT t : model.getSubgraphs()[0].getTensors()) {
      if (t.getName().substring(0, t.getName().lastIndexOf('#')).equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("no tensor " + name);
  }

  /** Index of the tensor named {@code name}. */
  public static int indexOf(ModelT model, String name) {
    TensorT[] all = model.getSubgraphs()[0].getTensors();
    for (int i = 0; i < all.length; i++) {
      if (all[i] == tensor(model, name)) {
        return i;
      }
    }
    throw new IllegalArgumentException(name);
  }

  static QuantizationParametersT quantization(float[] scales, long[] zeroPoints, int dimension) {
    QuantizationParametersT q = new QuantizationParametersT();
    q.setScale(scales);
    q.setZeroPoint(zeroPoints);
    q.setQuantizedDimension(dimension);
    return q;
  }

  /** TinyGraphs' builder with quantized tensors and the operators of a quantized block. */
  private static final class Q extends TinyGraphs.Builder {
    private final Random random;

    Q(Random random) {
      this.random = random;
    }

    /** A quantized activation (per tensor). */
    int q8(String name, byte type, int[] shape, float scale, long zeroPoint) {
      int t = tensor(name, type, shape, 0);
      tensors.get(t).setQuantization(quantization(new float[] {scale}, new long[] {zeroPoint}, 0));
      return t;
    }

    /** Like {@code input}: same type, shape and quantization. */
    int like(String name, int input, int[] shape) {
      TensorT in = tensors.get(input);
      QuantizationParametersT q = in.getQuantization();
      return in.getType() == TensorType.FLOAT32 ? tensor(name, TensorType.FLOAT32, shape, 0)
          : q8(name, in.getType(), shape, q.getScale()[0], q.getZeroPoint()[0]);
    }

    byte[] bytes(int count, int low, int high) {
      byte[] values = new byte[count];
      for (int i = 0; i < count; i++) {
        values[i] = (byte) (low + random.nextInt(high - low + 1));
      }
      return values;
    }

    int constant8(String name, int[] shape, float scale, long zeroPoint, byte[] values) {
      int t = tensor(name, TensorType.INT8, shape, buffer(values));
      tensors.get(t).setQuantization(quantization(new float[] {scale}, new long[] {zeroPoint}, 0));
      return t;
    }

    /** An int8 weight, symmetric per output channel (dimension 0), values in [-127, 127]. */
    int perChannel(String name, int[] shape) {
      int channels = shape[0];
      int count = 1;
      for (int s : shape) {
        count *= s;
      }
      int t = tensor(name, TensorType.INT8, shape, buffer(bytes(count, -127, 127)));
      float[] scales = new float[channels];
      for (int c = 0; c < channels; c++) {
        scales[c] = 0.002f + 0.001f * random.nextFloat();
      }
      tensors.get(t).setQuantization(quantization(scales, new long[channels], 0));
      return t;
    }

    /** The bias of {@code x} times {@code weight}: int32 (int64 for int16 inputs) at scale input x weight[c]. */
    int bias(String name, byte type, TensorT x, TensorT weight) {
      float[] weightScales = weight.getQuantization().getScale();
      int channels = weightScales.length;
      int size = type == TensorType.INT32 ? 4 : 8;
      ByteBuffer data = ByteBuffer.allocate(size * channels).order(ByteOrder.LITTLE_ENDIAN);
      float[] scales = new float[channels];
      for (int c = 0; c < channels; c++) {
        scales[c] = x.getQuantization().getScale()[0] * weightScales[c];
        int value = random.nextInt(2001) - 1000;
        if (type == TensorType.INT32) {
          data.putInt(value);
        } else {
          data.putLong(value);
        }
      }
      int t = tensor(name, type, new int[] {channels}, buffer(data.array()));
      tensors.get(t).setQuantization(quantization(scales, new long[channels], 0));
      return t;
    }

    int quantize(String name, int x, byte type, float scale, long zeroPoint) {
      int out = q8(name, type, tensors.get(x).getShape(), scale, zeroPoint);
      return opInto(BuiltinOperator.QUANTIZE, type == TensorType.INT16 ? 2 : 1, BuiltinOptions.QuantizeOptions, new QuantizeOptionsT(), out, x);
    }

    int dequantize(String name, int x) {
      int out = tensor(name, TensorType.FLOAT32, tensors.get(x).getShape(), 0);
      return opInto(BuiltinOperator.DEQUANTIZE, tensors.get(x).getType() == TensorType.INT8 ? 2 : 3, BuiltinOptions.DequantizeOptions,
          new DequantizeOptionsT(), out, x);
    }

    private static int version(byte type, int int8, int int16) {
      return type == TensorType.INT8 ? int8 : type == TensorType.INT16 ? int16 : 1;
    }

    int binary(int builtin, String name, int a, int b, float scale, long zeroPoint) {
      TensorT ta = tensors.get(a);
      TensorT tb = tensors.get(b);
      int[] shape = ta.getShape().length >= tb.getShape().length ? ta.getShape().clone() : tb.getShape().clone();
      for (int i = 1; i <= Math.min(ta.getShape().length, tb.getShape().length); i++) {
        shape[shape.length - i] = Math.max(ta.getShape()[ta.getShape().length - i], tb.getShape()[tb.getShape().length - i]);
      }
      byte type = ta.getType();
      int out = q8(name, type, shape, scale, zeroPoint);
      switch (builtin) {
        case BuiltinOperator.ADD: {
          AddOptionsT o = new AddOptionsT();
          o.setPotScaleInt16(false);
          return opInto(builtin, version(type, 2, 3), BuiltinOptions.AddOptions, o, out, a, b);
        }
        case BuiltinOperator.SUB: {
          SubOptionsT o = new SubOptionsT();
          o.setPotScaleInt16(false);
          return opInto(builtin, version(type, 2, 5), BuiltinOptions.SubOptions, o, out, a, b);
        }
        case BuiltinOperator.MUL: {
          float rescale = ta.getQuantization().getScale()[0] * tb.getQuantization().getScale()[0] / scale;
          return opInto(builtin, type == TensorType.INT16 ? 4 : rescale >= 1.0 ? 3 : 2, BuiltinOptions.MulOptions, new MulOptionsT(), out, a, b);
        }
        default:
          return opInto(builtin, 2, BuiltinOptions.SquaredDifferenceOptions, new SquaredDifferenceOptionsT(), out, a, b);
      }
    }

    int unary(int builtin, String name, int x, float scale, long zeroPoint) {
      int out = q8(name, tensors.get(x).getType(), tensors.get(x).getShape(), scale, zeroPoint);
      return builtin == BuiltinOperator.GELU ? opInto(builtin, 2, BuiltinOptions.GeluOptions, new GeluOptionsT(), out, x)
          : opInto(builtin, 2, BuiltinOptions.NONE, null, out, x);
    }

    int reduceMean(String name, int x, int[] axes, float scale, long zeroPoint) {
      TensorT in = tensors.get(x);
      int[] shape = in.getShape().clone();
      for (int a : axes) {
        shape[a < 0 ? a + shape.length : a] = 1;
      }
      int out = q8(name, in.getType(), shape, scale, zeroPoint);
      ReducerOptionsT o = new ReducerOptionsT();
      o.setKeepDims(true);
      return opInto(BuiltinOperator.MEAN, version(in.getType(), 2, 3), BuiltinOptions.ReducerOptions, o, out, x, ints(name + "/axes", axes));
    }

    int fullyConnected(String name, int x, int units, float scale, long zeroPoint) {
      TensorT in = tensors.get(x);
      int weight = perChannel(name + "/weight", new int[] {units, in.getShape()[in.getShape().length - 1]});
      int bias = bias(name + "/bias", in.getType() == TensorType.INT8 ? TensorType.INT32 : TensorType.INT64, in, tensors.get(weight));
      int[] shape = in.getShape().clone();
      shape[shape.length - 1] = units;
      int out = q8(name, in.getType(), shape, scale, zeroPoint);
      FullyConnectedOptionsT o = new FullyConnectedOptionsT();
      o.setKeepNumDims(true);
      return opInto(BuiltinOperator.FULLY_CONNECTED, 5, BuiltinOptions.FullyConnectedOptions, o, out, x, weight, bias);
    }

    @Override
    int reshape(String name, int x, int[] shape) {
      ReshapeOptionsT o = new ReshapeOptionsT();
      o.setNewShape(shape.clone());
      return opInto(BuiltinOperator.RESHAPE, 1, BuiltinOptions.ReshapeOptions, o, like(name, x, shape), x, ints(name + "/shape", shape));
    }

    int transpose(String name, int x, int[] perm) {
      int[] in = tensors.get(x).getShape();
      int[] shape = new int[perm.length];
      for (int i = 0; i < perm.length; i++) {
        shape[i] = in[perm[i]];
      }
      return opInto(BuiltinOperator.TRANSPOSE, version(tensors.get(x).getType(), 2, 5), BuiltinOptions.TransposeOptions, new TransposeOptionsT(),
          like(name, x, shape), x, ints(name + "/perm", perm));
    }

    @Override
    int slice(String name, int x, int[] begin, int[] size) {
      return opInto(BuiltinOperator.SLICE, version(tensors.get(x).getType(), 2, 4), BuiltinOptions.SliceOptions, new SliceOptionsT(),
          like(name, x, size), x, ints(name + "/begin", begin), ints(name + "/size", size));
    }

    @Override
    int concat(String name, int a, int b) {
      ConcatenationOptionsT o = new ConcatenationOptionsT();
      o.setAxis(1);
      int[] shape = tensors.get(a).getShape().clone();
      shape[1] += tensors.get(b).getShape()[1];
      return opInto(BuiltinOperator.CONCATENATION, version(tensors.get(a).getType(), 2, 3), BuiltinOptions.ConcatenationOptions, o,
          like(name, a, shape), a, b);
    }

    int batchMatMul(String name, int a, int b, boolean adjY, int[] shape, float scale, long zeroPoint) {
      BatchMatMulOptionsT o = new BatchMatMulOptionsT();
      o.setAdjY(adjY);
      byte type = tensors.get(a).getType();
      return opInto(BuiltinOperator.BATCH_MATMUL, version(type, 2, 3), BuiltinOptions.BatchMatMulOptions, o, q8(name, type, shape, scale, zeroPoint), a, b);
    }

    int softmax(String name, int x, byte type) {
      SoftmaxOptionsT o = new SoftmaxOptionsT();
      o.setBeta(1f);
      int out = type == TensorType.INT8 ? q8(name, type, tensors.get(x).getShape(), 1f / 256, -128) : q8(name, type, tensors.get(x).getShape(), 1f / 32768, 0);
      return opInto(BuiltinOperator.SOFTMAX, version(type, 2, 3), BuiltinOptions.SoftmaxOptions, o, out, x);
    }
  }
}
