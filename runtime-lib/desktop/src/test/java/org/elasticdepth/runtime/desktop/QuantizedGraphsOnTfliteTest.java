package org.elasticdepth.runtime.desktop;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.function.Consumer;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.bundle.graph.GraphValidator;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException.Rule;
import org.elasticdepth.runtime.bundle.graph.QuantizedGraphs;
import org.elasticdepth.runtime.bundle.graph.TinyGraphs;
import org.elasticdepth.runtime.spi.GraphException;
import org.junit.Test;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * The quantized graphs the structural validator accepts are graphs desktop TFLite (2.21, the same
 * kernels as the phone's CPU path) builds, allocates and runs, with and without XNNPACK; an int8
 * FULLY_CONNECTED computes what its scales say; and mutations the validator refuses are ones
 * TFLite's kernels reject, run with silently wrong results, or abort the process on.
 */
public class QuantizedGraphsOnTfliteTest {
  private static final Tensor IN = QuantizedGraphs.blockInput("tokens", 5, 4);
  private static final List<Tensor> OUT = QuantizedGraphs.blockOutputs("tokens_out", "feature", 5, 4);
  private static final DesktopExecutor.Options TFLITE_KERNELS = DesktopExecutor.Options.builder().setUseXnnpack(false).build();

  private static Graph spec(String file, byte[] bytes, Tensor in, List<Tensor> out) {
    return new Graph(file, null, 0, 0, 0, List.of(in), out).withContent(bytes);
  }

  private static ByteBuffer input(int elements) {
    ByteBuffer in = ByteBuffer.allocateDirect(4 * elements).order(ByteOrder.nativeOrder());
    for (int i = 0; i < elements; i++) {
      in.putFloat((float) Math.sin(i));
    }
    return in.flip();
  }

  /** Validates, then runs on TFLite; returns every output as floats. */
  private static float[][] run(DesktopExecutor executor, Graph spec, byte[] bytes) {
    GraphValidator.validate(spec, ByteBuffer.wrap(bytes));
    try (DesktopGraph graph = executor.load(spec, ByteBuffer.wrap(bytes))) {
      System.out.println(spec.file() + " on " + (executor.options().useXnnpack() ? "XNNPACK" : "TFLite kernels") + ": " + graph.executionPlan());
      ByteBuffer[] outputs = graph.run(input(spec.inputs().get(0).elementCount()));
      float[][] values = new float[outputs.length][];
      for (int i = 0; i < outputs.length; i++) {
        FloatBuffer f = outputs[i].asFloatBuffer();
        values[i] = new float[f.remaining()];
        f.get(values[i]);
      }
      return values;
    }
  }

  @Test
  public void theBlockAndStemTheValidatorAcceptsRunOnTflite() {
    Tensor image = new Tensor("image", new int[] {1, 4, 4, 1});
    Tensor tokens = new Tensor("tokens", new int[] {1, 4, 6});
    byte[] block = TinyGraphs.pack(QuantizedGraphs.block(IN, OUT));
    byte[] stem = TinyGraphs.pack(QuantizedGraphs.stem(image, tokens));
    for (DesktopExecutor.Options options : List.of(DesktopExecutor.Options.defaults(), TFLITE_KERNELS)) {
      try (DesktopExecutor executor = DesktopExecutor.create(options)) {
        float[][] b = run(executor, spec("block_01.int8.tflite", block, IN, OUT), block);
        float[][] s = run(executor, spec("stem.int8.tflite", stem, image, List.of(tokens)), stem);
        for (float[] values : List.of(b[0], b[1], s[0])) {
          for (float v : values) {
            assertTrue(v + " is not finite", Float.isFinite(v));
          }
        }
        assertTrue("the block's output is not constant", b[0][0] != b[0][1] || b[0][1] != b[0][2]);
      }
    }
  }

  /** The int8 FULLY_CONNECTED's output equals float math on the dequantized input, weights and bias, to one output step. */
  @Test
  public void anInt8FullyConnectedComputesWhatItsScalesSay() {
    Tensor in = new Tensor("x", new int[] {1, 3, 16});
    Tensor out = new Tensor("y", new int[] {1, 3, 8});
    float inputScale = 0.01f;
    float outputScale = 0.004f;
    ModelT model = QuantizedGraphs.linear(in, out, inputScale, outputScale);
    byte[] bytes = TinyGraphs.pack(model);
    TensorT weight = QuantizedGraphs.tensor(model, "fc/weight");
    TensorT bias = QuantizedGraphs.tensor(model, "fc/bias");
    byte[] w = data(model, weight);
    ByteBuffer bb = ByteBuffer.wrap(data(model, bias)).order(ByteOrder.LITTLE_ENDIAN);
    float[] x = new float[in.elementCount()];
    ByteBuffer input = input(x.length);
    input.asFloatBuffer().get(x);
    for (DesktopExecutor.Options options : List.of(DesktopExecutor.Options.defaults(), TFLITE_KERNELS)) {
      try (DesktopExecutor executor = DesktopExecutor.create(options)) {
        float[] y = run(executor, spec("linear.int8.tflite", bytes, in, List.of(out)), bytes)[0];
        double worst = 0;
        for (int row = 0; row < 3; row++) {
          for (int c = 0; c < 8; c++) {
            double sum = bb.getInt(4 * c) * (double) bias.getQuantization().getScale()[c];
            for (int k = 0; k < 16; k++) {
              double xq = inputScale * (Math.max(-128, Math.min(127, Math.round(x[row * 16 + k] / inputScale) + 7)) - 7);
              sum += xq * w[c * 16 + k] * weight.getQuantization().getScale()[c];
            }
            double expected = outputScale * (Math.max(-128, Math.min(127, Math.round(sum / outputScale) - 3)) + 3);
            worst = Math.max(worst, Math.abs(y[row * 8 + c] - expected));
          }
        }
        assertTrue("worst difference " + worst + " over one output step " + outputScale, worst <= outputScale * 1.001);
      }
    }
  }

  private static byte[] data(ModelT model, TensorT t) {
    BufferT buffer = model.getBuffers()[(int) t.getBuffer()];
    int[] data = buffer.getData();
    byte[] bytes = new byte[data.length];
    for (int i = 0; i < data.length; i++) {
      bytes[i] = (byte) data[i];
    }
    return bytes;
  }

  /** Refused by the validator with {@code rule}; then TFLite's own kernels refuse it too. */
  private static void refusedByBoth(Rule rule, Consumer<ModelT> mutation) {
    ModelT model = QuantizedGraphs.block(IN, OUT);
    mutation.accept(model);
    byte[] bytes = TinyGraphs.pack(model);
    Graph spec = spec("block_01.int8.tflite", bytes, IN, OUT);
    InvalidGraphException e = assertThrows(InvalidGraphException.class, () -> GraphValidator.validate(spec, ByteBuffer.wrap(bytes)));
    assertEquals(e.getMessage(), rule, e.rule());
    try (DesktopExecutor executor = DesktopExecutor.create(TFLITE_KERNELS)) {
      GraphException t = assertThrows(GraphException.class, () -> executor.load(spec, ByteBuffer.wrap(bytes)).close());
      System.out.println("validator: " + e.getMessage() + "\nTFLite:    " + t.getMessage());
    }
  }

  @Test
  public void softmaxWithoutTheKernelsFixedOutputScaleIsRefusedByBoth() {
    refusedByBoth(Rule.QUANTIZATION, m -> QuantizedGraphs.tensor(m, "attn/probs").getQuantization().setZeroPoint(new long[] {0}));
  }

  @Test
  public void concatenationOfDifferentScalesIsRefusedByBoth() {
    refusedByBoth(Rule.QUANTIZATION, m -> QuantizedGraphs.tensor(m, "cls/pair").getQuantization().setScale(new float[] {0.08f}));
  }

  @Test
  public void quantizeFromInt8ToInt16IsRefusedByBoth() {
    // mlp/int16 quantizes the float island's input; feed it the int8 GELU output instead
    refusedByBoth(Rule.TENSOR_TYPE, m -> m.getSubgraphs()[0].getOperators()[opWriting(m, "mlp/int16")].setInputs(
        new int[] {QuantizedGraphs.indexOf(m, "mlp/gelu")}));
  }

  /** A RESHAPE whose output claims another scale: TFLite copies the bytes and the result is silently wrong. */
  @Test
  public void reshapeThatRescalesIsRefusedWhereTfliteWouldBeSilentlyWrong() {
    ModelT model = QuantizedGraphs.block(IN, OUT);
    QuantizedGraphs.tensor(model, "cls/flat").getQuantization().setScale(new float[] {0.14f});
    byte[] bytes = TinyGraphs.pack(model);
    Graph spec = spec("block_01.int8.tflite", bytes, IN, OUT);
    InvalidGraphException e = assertThrows(InvalidGraphException.class, () -> GraphValidator.validate(spec, ByteBuffer.wrap(bytes)));
    assertEquals(e.getMessage(), Rule.QUANTIZATION, e.rule());
    byte[] good = TinyGraphs.pack(QuantizedGraphs.block(IN, OUT));
    try (DesktopExecutor executor = DesktopExecutor.create(TFLITE_KERNELS)) {
      float[] expected = run(executor, spec("block_01.int8.tflite", good, IN, OUT), good)[1];
      try (DesktopGraph graph = executor.load(spec, ByteBuffer.wrap(bytes))) {
        FloatBuffer f = graph.run(input(IN.elementCount()))[1].asFloatBuffer();
        float[] actual = new float[f.remaining()];
        f.get(actual);
        assertFalse("TFLite ran the mutant and returned the feature doubled, without complaint", java.util.Arrays.equals(expected, actual));
        assertEquals(2 * expected[0], actual[0], 1e-4);
      }
    }
  }

  /**
   * Output scales within the validator's range but so small against the inputs' that TFLite's ADD
   * and SQUARED_DIFFERENCE kernels compute an output multiplier of 1 or more, which their
   * TFLITE_CHECK turns into an abort of the whole process (SIGABRT, shown in a child JVM): int8 ADD
   * (inputs up to 0.05, output 5e-8), int16 ADD (0.0004, 1e-8), int8 SQUARED_DIFFERENCE (0.03,
   * 1e-7). The validator refuses each first, by its scale-ratio rules.
   */
  @Test
  public void outputScalesThatAbortTfliteAreRefusedFirst() throws Exception {
    String[][] cases = {{"attn/residual", "5e-8"}, {"mlp/sum16", "1e-8"}, {"ln/squares", "1e-7"}};
    for (String[] c : cases) {
      ModelT model = QuantizedGraphs.block(IN, OUT);
      QuantizedGraphs.tensor(model, c[0]).getQuantization().setScale(new float[] {Float.parseFloat(c[1])});
      byte[] bytes = TinyGraphs.pack(model);
      Graph spec = spec("block_01.int8.tflite", bytes, IN, OUT);
      InvalidGraphException e = assertThrows(InvalidGraphException.class, () -> GraphValidator.validate(spec, ByteBuffer.wrap(bytes)));
      assertEquals(e.getMessage(), Rule.QUANTIZATION, e.rule());
      assertTrue(e.getMessage(), e.getMessage().contains("too small") || e.getMessage().contains("times smaller"));
      java.nio.file.Path file = java.nio.file.Files.createTempFile("abort", ".tflite");
      try {
        java.nio.file.Files.write(file, bytes);
        Process child = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:-CreateCoredumpOnCrash", "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), LoadGraphChild.class.getName(),
            file.toString(), "tokens:1x5x4", "tokens_out:1x5x4", "feature:1x4").redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        int status = child.waitFor();
        System.out.println(c[0] + " scale " + c[1] + ": validator " + e.rule() + "; TFLite child exit status " + status);
        assertFalse(output, output.contains("RAN") || output.contains("REFUSED"));
        assertEquals(output, 134, status); // 128 + SIGABRT
      } finally {
        java.nio.file.Files.deleteIfExists(file);
      }
    }
  }

  private static int opWriting(ModelT model, String name) {
    int t = QuantizedGraphs.indexOf(model, name);
    org.tensorflow.lite.schema.OperatorT[] ops = model.getSubgraphs()[0].getOperators();
    for (int i = 0; i < ops.length; i++) {
      if (ops[i].getOutputs()[0] == t) {
        return i;
      }
    }
    throw new IllegalArgumentException(name);
  }
}
