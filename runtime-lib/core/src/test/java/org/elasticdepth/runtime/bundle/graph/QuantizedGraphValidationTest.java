package org.elasticdepth.runtime.bundle.graph;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.graph.GraphProfile.WeightType;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException.Rule;
import org.junit.Test;
import org.tensorflow.lite.schema.AddOptionsT;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.CustomQuantizationT;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.QuantizationDetails;
import org.tensorflow.lite.schema.QuantizationDetailsUnion;
import org.tensorflow.lite.schema.QuantizationParametersT;
import org.tensorflow.lite.schema.SparsityParametersT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * The validator accepts quantized graphs as contract 1 describes them (int8, 16x8 islands, float
 * islands), reports what they hold, and refuses each way of breaking them with the rule, file and
 * operator named. (That TFLite runs the accepted graphs, and rejects or misreads refused ones, is
 * runtime-desktop's QuantizedGraphsOnTfliteTest.)
 */
public class QuantizedGraphValidationTest {
  static final String FILE = "block_01.int8.tflite";
  static final Tensor IN = QuantizedGraphs.blockInput("tokens", 5, 4);
  static final List<Tensor> OUT = QuantizedGraphs.blockOutputs("tokens_out", "feature", 5, 4);

  static GraphStructure validate(ModelT model) {
    byte[] bytes = TinyGraphs.pack(model);
    return GraphValidator.validate(new Graph(FILE, null, 0, 0, 0, List.of(IN), OUT).withContent(bytes), ByteBuffer.wrap(bytes));
  }

  /** The block mutated by {@code mutation} is refused for {@code rule}, naming the file and (when given) the operator. */
  static InvalidGraphException refused(Rule rule, String operatorWriting, Consumer<ModelT> mutation) {
    ModelT model = QuantizedGraphs.block(IN, OUT);
    int operator = operatorWriting == null ? -1 : opWriting(model, operatorWriting);
    mutation.accept(model);
    InvalidGraphException e = assertThrows(InvalidGraphException.class, () -> validate(model));
    assertEquals(e.getMessage(), rule, e.rule());
    assertEquals(e.getMessage(), operator, e.operatorIndex());
    assertTrue(e.getMessage(), e.getMessage().startsWith(FILE + ": ") && e.getMessage().length() < 400);
    return e;
  }

  static TensorT t(ModelT model, String name) {
    return QuantizedGraphs.tensor(model, name);
  }

  static int opWriting(ModelT model, String name) {
    int t = QuantizedGraphs.indexOf(model, name);
    OperatorT[] ops = model.getSubgraphs()[0].getOperators();
    for (int i = 0; i < ops.length; i++) {
      if (ops[i].getOutputs()[0] == t) {
        return i;
      }
    }
    throw new IllegalArgumentException(name);
  }

  static OperatorCodeT code(ModelT model, String operatorWriting) {
    return model.getOperatorCodes()[(int) model.getSubgraphs()[0].getOperators()[opWriting(model, operatorWriting)].getOpcodeIndex()];
  }

  @Test
  public void acceptsTheQuantizedBlockAndProfilesIt() {
    GraphStructure s = validate(QuantizedGraphs.block(IN, OUT));
    GraphProfile p = s.profile();
    assertEquals(Set.of(WeightType.INT8), p.weightTypes());
    assertEquals(Precision.INT8, p.precision());
    assertEquals(new TreeSet<>(List.of("ADD", "BATCH_MATMUL", "CONCATENATION", "FULLY_CONNECTED", "GELU", "MEAN", "MUL", "RESHAPE", "RSQRT",
        "SLICE", "SOFTMAX", "SQUARED_DIFFERENCE", "SUB", "TRANSPOSE")), p.int8Ops());
    assertEquals(new TreeSet<>(List.of("ADD", "FULLY_CONNECTED", "MEAN", "SOFTMAX", "SUB")), p.int16Ops());
    assertEquals(new TreeSet<>(List.of("ADD")), p.float32Ops()); // the float island; QUANTIZE/DEQUANTIZE are not counted
  }

  @Test
  public void acceptsTheQuantizedStem() {
    Tensor image = new Tensor("image", new int[] {1, 4, 4, 1});
    Tensor tokens = new Tensor("tokens", new int[] {1, 4, 6});
    byte[] bytes = TinyGraphs.pack(QuantizedGraphs.stem(image, tokens));
    GraphStructure s = GraphValidator.validate(new Graph("stem.int8.tflite", null, 0, 0, 0, List.of(image), List.of(tokens)).withContent(bytes),
        ByteBuffer.wrap(bytes));
    assertEquals(new TreeSet<>(List.of("CONV_2D", "RESHAPE")), s.profile().int8Ops());
    assertEquals(Precision.INT8, s.profile().precision());
  }

  /** Activations count at their element size: float32 4 bytes, int8 1 (each 64-byte aligned). */
  @Test
  public void activationBoundCountsElementSizes() {
    Tensor in = new Tensor("x", new int[] {1, 3, 16});
    Tensor out = new Tensor("y", new int[] {1, 3, 8});
    byte[] bytes = TinyGraphs.pack(QuantizedGraphs.linear(in, out, 0.01f, 0.004f));
    GraphStructure s = GraphValidator.validate(new Graph("linear.int8.tflite", null, 0, 0, 0, List.of(in), List.of(out)).withContent(bytes),
        ByteBuffer.wrap(bytes));
    // x float32 192 B (three 64-byte lines); q int8 48 -> 64; fc int8 24 -> 64; y float32 96 -> 128
    assertEquals(192 + 64 + 64 + 128, s.activationBytes());
    // weights 8x16 int8, bias 8 int32
    assertEquals(128 + 32, s.constantBytes());
  }

  @Test
  public void fp16WeightsProfileAsFp16() {
    TinyGraphs.Builder b = new TinyGraphs.Builder();
    Tensor in = new Tensor("x", new int[] {1, 2, 4});
    Tensor out = new Tensor("y", new int[] {1, 2, 3});
    int x = b.tensor("x", TensorType.FLOAT32, in.shape(), 0);
    int half = b.tensor("w16", TensorType.FLOAT16, new int[] {3, 4}, b.buffer(new byte[2 * 12]));
    int w = b.opInto(BuiltinOperator.DEQUANTIZE, 3, BuiltinOptions.DequantizeOptions, new org.tensorflow.lite.schema.DequantizeOptionsT(),
        b.tensor("w", TensorType.FLOAT32, new int[] {3, 4}, 0), half);
    int bias = b.tensor("bias", TensorType.FLOAT32, new int[] {3}, b.buffer(new byte[12]));
    org.tensorflow.lite.schema.FullyConnectedOptionsT o = new org.tensorflow.lite.schema.FullyConnectedOptionsT();
    o.setKeepNumDims(true);
    int y = b.opInto(BuiltinOperator.FULLY_CONNECTED, 5, BuiltinOptions.FullyConnectedOptions, o, b.tensor("y", TensorType.FLOAT32, out.shape(), 0),
        x, w, bias);
    byte[] bytes = b.finish(List.of(in), List.of(out), List.of(x), List.of(y), "");
    GraphStructure s = GraphValidator.validate(new Graph("head.fp16.tflite", null, 0, 0, 0, List.of(in), List.of(out)).withContent(bytes),
        ByteBuffer.wrap(bytes));
    assertEquals(Set.of(WeightType.FLOAT16), s.profile().weightTypes());
    assertEquals(Precision.FP16, s.profile().precision());
    assertEquals(new TreeSet<>(List.of("FULLY_CONNECTED")), s.profile().float32Ops());
  }

  /** A bit flip in every byte and every truncation of the quantized block ends accepted or as an InvalidGraphException. */
  @Test
  public void everyBitFlipAndTruncationOfTheQuantizedBlockIsAcceptedOrTyped() {
    byte[] good = TinyGraphs.pack(QuantizedGraphs.block(IN, OUT));
    Graph spec = new Graph(FILE, null, 0, 0, 0, List.of(IN), OUT).withContent(good);
    int refused = 0;
    for (int i = 0; i < good.length; i++) {
      byte[] bytes = good.clone();
      bytes[i] ^= (byte) (1 << (i % 8));
      for (byte[] candidate : List.of(bytes, java.util.Arrays.copyOf(good, i))) {
        try {
          GraphValidator.validate(spec, ByteBuffer.wrap(candidate));
          assertTrue("a truncation to " + i + " bytes was accepted", candidate == bytes);
        } catch (InvalidGraphException e) {
          assertTrue(e.getMessage(), e.getMessage().length() < 400);
          refused++;
        }
      }
    }
    assertTrue(refused + " refused of " + 2 * good.length, refused > good.length);
  }

  // ---------------------------------------------------------------- quantization of one tensor

  @Test
  public void int8TensorWithoutQuantizationIsRefused() {
    refused(Rule.QUANTIZATION, null, m -> t(m, "ln/centered").setQuantization(null));
    refused(Rule.QUANTIZATION, null, m -> t(m, "ln/centered").setQuantization(new QuantizationParametersT()));
  }

  @Test
  public void zeroNegativeNanInfiniteOrAbsurdScalesAreRefused() {
    for (float scale : new float[] {0f, -0.05f, Float.NaN, Float.POSITIVE_INFINITY, 1e-12f, 1e9f}) {
      refused(Rule.QUANTIZATION, null, m -> t(m, "ln/centered").getQuantization().setScale(new float[] {scale}));
    }
    refused(Rule.QUANTIZATION, null, m -> t(m, "attn/qkv/weight").getQuantization().getScale()[3] = Float.NaN);
    refused(Rule.QUANTIZATION, null, m -> t(m, "attn/qkv/bias").getQuantization().getScale()[0] = 0f);
  }

  @Test
  public void zeroPointsOutsideTheTypeAreRefused() {
    refused(Rule.QUANTIZATION, null, m -> t(m, "ln/centered").getQuantization().setZeroPoint(new long[] {128}));
    refused(Rule.QUANTIZATION, null, m -> t(m, "mlp/sum16").getQuantization().setZeroPoint(new long[] {1})); // int16 is symmetric
    refused(Rule.QUANTIZATION, null, m -> t(m, "ln/centered").getQuantization().setZeroPoint(new long[] {0, 0})); // 1 scale, 2 zero points
  }

  @Test
  public void perChannelActivationsAreRefused() {
    refused(Rule.QUANTIZATION, null, m -> {
      QuantizationParametersT q = t(m, "ln/centered").getQuantization();
      q.setScale(new float[] {0.04f, 0.04f, 0.04f, 0.04f});
      q.setZeroPoint(new long[4]);
      q.setQuantizedDimension(2);
    });
  }

  @Test
  public void quantizedFloatTensorsAreRefused() {
    refused(Rule.QUANTIZATION, null, m -> t(m, "island/doubled").setQuantization(QuantizedGraphs.quantization(new float[] {1f}, new long[] {0}, 0)));
  }

  /** Recorded calibration ranges (min/max) are accepted where TFLite ignores them, but must be finite and paired. */
  @Test
  public void recordedRangesAreAcceptedWhenWellFormed() {
    ModelT model = QuantizedGraphs.block(IN, OUT);
    QuantizationParametersT range = new QuantizationParametersT();
    range.setMin(new float[] {-3f});
    range.setMax(new float[] {3f});
    t(model, "island/doubled").setQuantization(range);
    t(model, "ln/centered").getQuantization().setMin(new float[] {-5.1f});
    t(model, "ln/centered").getQuantization().setMax(new float[] {5.1f});
    validate(model);
    refused(Rule.QUANTIZATION, null, m -> {
      t(m, "ln/centered").getQuantization().setMin(new float[] {-5.1f, 0f});
      t(m, "ln/centered").getQuantization().setMax(new float[] {5.1f, 1f});
    });
    refused(Rule.QUANTIZATION, null, m -> {
      t(m, "ln/centered").getQuantization().setMin(new float[] {Float.NaN});
      t(m, "ln/centered").getQuantization().setMax(new float[] {5.1f});
    });
  }

  @Test
  public void quantizationDetailsAndSparsityAreRefused() {
    refused(Rule.UNKNOWN_FIELD, null, m -> {
      QuantizationDetailsUnion details = new QuantizationDetailsUnion();
      details.setType(QuantizationDetails.CustomQuantization);
      CustomQuantizationT custom = new CustomQuantizationT();
      custom.setCustom(new int[] {1, 2, 3});
      details.setValue(custom);
      t(m, "ln/centered").getQuantization().setDetails(details);
    });
    refused(Rule.UNKNOWN_FIELD, null, m -> t(m, "attn/qkv/weight").setSparsity(new SparsityParametersT()));
  }

  @Test
  public void int8ConstantBuffersAreSizedByElementSize() {
    refused(Rule.BUFFER, null, m -> {
      BufferT buffer = m.getBuffers()[(int) t(m, "ln/gamma").getBuffer()];
      buffer.setData(java.util.Arrays.copyOf(buffer.getData(), buffer.getData().length * 4)); // as if float32
    });
  }

  // ---------------------------------------------------------------- what operators need

  @Test
  public void asymmetricWeightsAreRefused() {
    refused(Rule.QUANTIZATION, null, m -> t(m, "attn/qkv/weight").getQuantization().getZeroPoint()[2] = 3);
  }

  @Test
  public void perTensorWeightsWhereAScalePerChannelIsNeededAreRefused() {
    refused(Rule.QUANTIZATION, "attn/qkv", m -> {
      QuantizationParametersT q = t(m, "attn/qkv/weight").getQuantization();
      q.setScale(new float[] {q.getScale()[0]});
      q.setZeroPoint(new long[1]);
    });
  }

  @Test
  public void weightsQuantizedAlongTheInputDimensionAreRefused() {
    refused(Rule.QUANTIZATION, "mlp/down", m -> {
      QuantizationParametersT q = t(m, "mlp/down/weight").getQuantization(); // [4, 8]
      q.setScale(new float[] {.002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f});
      q.setZeroPoint(new long[8]);
      q.setQuantizedDimension(1);
    });
  }

  @Test
  public void weightValueMinus128IsRefused() {
    refused(Rule.QUANTIZATION, "attn/qkv", m -> m.getBuffers()[(int) t(m, "attn/qkv/weight").getBuffer()].getData()[5] = 0x80);
  }

  @Test
  public void biasScaleOtherThanInputTimesWeightScaleIsRefused() {
    InvalidGraphException e = refused(Rule.QUANTIZATION, "attn/qkv", m -> t(m, "attn/qkv/bias").getQuantization().getScale()[1] *= 1.01f);
    assertTrue(e.getMessage(), e.getMessage().contains("channel 1"));
    refused(Rule.QUANTIZATION, null, m -> t(m, "attn/qkv/bias").getQuantization().getZeroPoint()[0] = 1);
  }

  @Test
  public void biasOfTheWrongIntegerTypeIsRefused() {
    // an int32 bias under the 16x8 FULLY_CONNECTED (TFLite wants int64 there)
    refused(Rule.TENSOR_TYPE, "mlp/down", m -> {
      TensorT bias = t(m, "mlp/down/bias");
      bias.setType(TensorType.INT32);
      BufferT buffer = m.getBuffers()[(int) bias.getBuffer()];
      buffer.setData(java.util.Arrays.copyOf(buffer.getData(), buffer.getData().length / 2));
    });
  }

  @Test
  public void mixedTypesAreRefused() {
    // the int16 ADD given an int8 operand
    refused(Rule.TENSOR_TYPE, "mlp/sum16", m -> m.getSubgraphs()[0].getOperators()[opWriting(m, "mlp/sum16")].setInputs(
        new int[] {QuantizedGraphs.indexOf(m, "mlp/down"), QuantizedGraphs.indexOf(m, "attn/residual")}));
    // an int8 BATCH_MATMUL declaring an int16 output
    refused(Rule.TENSOR_TYPE, "attn/scores", m -> t(m, "attn/scores").setType(TensorType.INT16));
    // a float input into an int8 weight (a hybrid kernel this format does not use)
    refused(Rule.TENSOR_TYPE, "attn/qkv", m -> m.getSubgraphs()[0].getOperators()[opWriting(m, "attn/qkv")].getInputs()[0] = 0);
  }

  @Test
  public void operatorsWithoutAKernelForTheTypeAreRefused() {
    // RSQRT over int16: version 3, which TFLite 2.16.1 does not register
    refused(Rule.TENSOR_TYPE, "mlp/softmax16", m -> {
      OperatorT softmax = m.getSubgraphs()[0].getOperators()[opWriting(m, "mlp/softmax16")];
      softmax.setOpcodeIndex(m.getSubgraphs()[0].getOperators()[opWriting(m, "ln/rsqrt")].getOpcodeIndex());
      softmax.setBuiltinOptions(new BuiltinOptionsUnion());
    });
  }

  @Test
  public void softmaxOutputMustBeTheKernelsFixedScale() {
    refused(Rule.QUANTIZATION, "attn/probs", m -> t(m, "attn/probs").getQuantization().setScale(new float[] {1f / 128}));
    refused(Rule.QUANTIZATION, "attn/probs", m -> t(m, "attn/probs").getQuantization().setZeroPoint(new long[] {0}));
    refused(Rule.QUANTIZATION, "mlp/softmax16", m -> t(m, "mlp/softmax16").getQuantization().setScale(new float[] {1f / 16384}));
  }

  @Test
  public void passThroughOperatorsMustKeepScaleAndZeroPoint() {
    refused(Rule.QUANTIZATION, "attn/split", m -> t(m, "attn/split").getQuantization().setZeroPoint(new long[] {3}));
    refused(Rule.QUANTIZATION, "attn/heads", m -> t(m, "attn/heads").getQuantization().setScale(new float[] {0.07f}));
    refused(Rule.QUANTIZATION, "attn/q", m -> t(m, "attn/q").getQuantization().setScale(new float[] {0.07f}));
    refused(Rule.QUANTIZATION, "cls/pair", m -> t(m, "cls/pair").getQuantization().setScale(new float[] {0.08f}));
  }

  /** Scales whose kernel multiplier TFLite's QuantizeMultiplierSmallerThanOneExp would abort on. */
  @Test
  public void addAndSquaredDifferenceOutputScalesThatWouldAbortTfliteAreRefused() {
    refused(Rule.QUANTIZATION, "attn/residual", m -> t(m, "attn/residual").getQuantization().setScale(new float[] {1e-6f}));
    // (2 x 0.03)^2 / (2^14 x 1e-7) = 2.2: the kernel's multiplier would be over 1
    refused(Rule.QUANTIZATION, "ln/squares", m -> t(m, "ln/squares").getQuantization().setScale(new float[] {1e-7f}));
  }

  @Test
  public void int16PowerOfTwoAddThatShiftsUpIsRefused() {
    refused(Rule.QUANTIZATION, "mlp/sum16", m -> {
      t(m, "mlp/down").getQuantization().setScale(new float[] {0x1p-11f});
      t(m, "mlp/sum16").getQuantization().setScale(new float[] {0x1p-12f});
      AddOptionsT o = (AddOptionsT) m.getSubgraphs()[0].getOperators()[opWriting(m, "mlp/sum16")].getBuiltinOptions().getValue();
      o.setPotScaleInt16(true);
    });
  }

  @Test
  public void quantizeFromInt8ToInt16IsRefused() {
    refused(Rule.TENSOR_TYPE, "mlp/int16", m -> m.getSubgraphs()[0].getOperators()[opWriting(m, "mlp/int16")].setInputs(
        new int[] {QuantizedGraphs.indexOf(m, "mlp/gelu")}));
  }

  // ---------------------------------------------------------------- versions (op_version.cc)

  @Test
  public void operatorVersionsFollowOpVersionCc() {
    refused(Rule.OPCODE, "attn/qkv", m -> code(m, "attn/qkv").setVersion(4)); // int8 FULLY_CONNECTED with keep_num_dims: 5
    refused(Rule.OPCODE, "ln/scaled", m -> code(m, "ln/scaled").setVersion(2)); // int8 MUL rescaling by >= 1: 3
    refused(Rule.OPCODE, "mlp/int16", m -> code(m, "mlp/int16").setVersion(1)); // QUANTIZE to int16: 2
    refused(Rule.OPCODE, "ln/mean", m -> code(m, "ln/mean").setVersion(3)); // int8 MEAN: 2, not more
    refused(Rule.OPCODE, "mlp/sum16", m -> code(m, "mlp/sum16").setVersion(1)); // int16 ADD without pot scales: 3
  }

  @Test
  public void oneCodeSharedByOperatorsOfSeveralVersionsTakesTheHighest() {
    // TFLite's UpdateOpVersion: one ADD code for float (1), int8 (2) and int16 (3) ADDs, at version 3
    ModelT model = QuantizedGraphs.block(IN, OUT);
    int shared = (int) model.getSubgraphs()[0].getOperators()[opWriting(model, "mlp/sum16")].getOpcodeIndex();
    for (OperatorT op : model.getSubgraphs()[0].getOperators()) {
      if (model.getOperatorCodes()[(int) op.getOpcodeIndex()].getBuiltinCode() == BuiltinOperator.ADD) {
        op.setOpcodeIndex(shared);
      }
    }
    assertEquals(Set.of("ADD"), validate(model).profile().float32Ops());
    for (OperatorT op : model.getSubgraphs()[0].getOperators()) {
      if (op.getOpcodeIndex() == shared) {
        model.getOperatorCodes()[shared].setVersion(4);
      }
    }
    assertEquals(Rule.OPCODE, assertThrows(InvalidGraphException.class, () -> validate(model)).rule());
  }
}
