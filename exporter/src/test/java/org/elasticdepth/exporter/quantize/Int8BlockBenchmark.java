package org.elasticdepth.exporter.quantize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.elasticdepth.exporter.export.BundleExporter;
import org.elasticdepth.exporter.export.RandomWeights;
import org.elasticdepth.exporter.export.VitGraphs;
import org.elasticdepth.exporter.export.VitGraphs.BuiltGraph;
import org.elasticdepth.exporter.export.VitWeights;
import org.elasticdepth.exporter.tflite.Arithmetic;
import org.elasticdepth.exporter.tflite.OpGroup;
import org.elasticdepth.exporter.tflite.QuantizationRecipe;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.DesktopGraph;

/**
 * int8 against fp32 on DeiT-Tiny-shaped graphs (224x224x3, patch 16, width 192, 12 blocks, 3
 * heads, MLP 768; random weights: speed and memory do not depend on their values), desktop TFLite,
 * XNNPACK, 1 thread. Not a test: a benchmark main that prints a table.
 *
 * <pre>
 * mvn -o -q -pl exporter test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
 *   -Dexec.args="-Xms512m -Xmx512m -XX:+AlwaysPreTouch -cp %classpath
 *     org.elasticdepth.exporter.quantize.Int8BlockBenchmark RUNS [VARIANT]"
 * </pre>
 * (or {@code java -cp exporter/target/exporter.jar:exporter/target/test-classes ...}). Give VARIANT
 * (0 fp32, 1 all int8, 2 attention in float, 3 16x8 LayerNorm and attention, 4 everything but the
 * matrix products and residuals in float, 5 dynamic range: int8 weights, float activations) to measure one per process: memory another
 * variant freed would be reused and hide the next one's growth.
 *
 * <p>Per precision/recipe: median full-depth latency (stem, 12 blocks, head after the last, over
 * RUNS runs after 5 of warm-up), the process's resident growth per loaded block (six more copies of
 * block 1 loaded, each from its own copy of the file), the file size, and where the ops run
 * (XNNPACK partitions and the operators left to TFLite's kernels).
 */
public final class Int8BlockBenchmark {
  private Int8BlockBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    Model model = BundleExporter.model(224, 3, 16, 192, 12, 3, 768, 1000, 1e-6);
    VitWeights weights = RandomWeights.create(model, 11);
    int floats = 224 * 224 * 3;
    float[] calibration = RandomWeights.images(4, floats, 12);
    VitGraphs fp32 = new VitGraphs(model, weights, Precision.FP32);
    long t0 = System.nanoTime();
    TensorRanges ranges = RangeCalibration.measure(fp32, calibration, 4);
    System.out.printf(Locale.ROOT, "range calibration on 4 images: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    QuantizationRecipe int8 = QuantizationRecipe.allInt8();
    QuantizationRecipe attentionFloat = int8.with(OpGroup.SOFTMAX, Arithmetic.FLOAT32)
        .with(OpGroup.ATTENTION_MATMUL, Arithmetic.FLOAT32);
    QuantizationRecipe mixed = int8.with(OpGroup.LAYER_NORM, Arithmetic.INT16).with(OpGroup.SOFTMAX, Arithmetic.INT16)
        .with(OpGroup.ATTENTION_MATMUL, Arithmetic.INT16);
    QuantizationRecipe islands = attentionFloat.with(OpGroup.LAYER_NORM, Arithmetic.FLOAT32)
        .with(OpGroup.GELU, Arithmetic.FLOAT32);
    Map<String, VitGraphs> variants = new LinkedHashMap<>(); // VARIANT indexes these
    variants.put("fp32", fp32);
    for (QuantizationRecipe r : List.of(int8, attentionFloat, mixed, islands)) {
      variants.put("int8 (" + r.describe() + ")", new VitGraphs(model, weights, new VitGraphs.Int8(ranges, r)));
    }
    QuantizationRecipe dynamic = QuantizationRecipe.dynamicRangeInt8();
    variants.put(dynamic.describe(), new VitGraphs(model, weights, new VitGraphs.Int8(ranges, dynamic)));
    float[] image = RandomWeights.images(1, floats, 13);
    System.out.println("| graphs | full depth, median ms | block file bytes | resident growth per block | "
        + "XNNPACK partitions per block | ops on TFLite kernels (block) |");
    System.out.println("|---|---:|---:|---:|---:|---|");
    int only = args.length > 1 ? Integer.parseInt(args[1]) : -1; // one per process: freed memory hides growth
    int i = 0;
    for (Map.Entry<String, VitGraphs> e : variants.entrySet()) {
      if (only < 0 || only == i) {
        measure(e.getKey(), e.getValue(), image, runs);
      }
      i++;
    }
  }

  private static void measure(String name, VitGraphs graphs, float[] image, int runs) throws Exception {
    int depth = graphs.model().depth();
    List<DesktopGraph> open = new ArrayList<>();
    try (DesktopExecutor executor = DesktopExecutor.create(DesktopExecutor.Options.builder().setNumThreads(1).build())) {
      DesktopGraph stem = LayerEvaluation.load(open, executor, graphs.stem());
      List<DesktopGraph> blocks = new ArrayList<>();
      for (int l = 1; l <= depth; l++) {
        blocks.add(LayerEvaluation.load(open, executor, graphs.block(l)));
      }
      DesktopGraph head = LayerEvaluation.load(open, executor, graphs.head());
      ByteBuffer in = ByteBuffer.allocateDirect(image.length * Float.BYTES).order(ByteOrder.nativeOrder());
      in.asFloatBuffer().put(image);
      double[] ms = new double[runs];
      for (int r = -5; r < runs; r++) {
        long start = System.nanoTime();
        ByteBuffer tokens = stem.run(in)[0];
        ByteBuffer[] out = null;
        for (DesktopGraph b : blocks) {
          out = b.run(tokens);
          tokens = out[0];
        }
        head.run(out[1]);
        if (r >= 0) {
          ms[r] = (System.nanoTime() - start) / 1e6;
        }
      }
      Arrays.sort(ms);
      BuiltGraph block = graphs.block(1);
      DesktopGraph first = blocks.get(0);
      Map<String, Integer> kernels = new TreeMap<>();
      first.executionPlan().stream().filter(s -> !DesktopGraph.XNNPACK_KERNEL.equals(s))
          .forEach(s -> kernels.merge(s, 1, Integer::sum));
      // resident growth: six more copies of block 1, each from its own bytes
      System.gc();
      long before = rss();
      int copies = 6;
      for (int c = 0; c < copies; c++) {
        LayerEvaluation.load(open, executor, block);
      }
      long growth = (rss() - before) / copies;
      System.out.printf(Locale.ROOT, "| %s | %.1f | %d | %.2f MB | %d | %s |%n", name, ms[runs / 2], block.bytes().length,
          growth / 1e6, first.xnnpackPartitions(), kernels.isEmpty() ? "none" : kernels);
    } finally {
      open.forEach(DesktopGraph::close);
    }
  }

  private static long rss() throws java.io.IOException {
    String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
    return Long.parseLong(statm[1]) * 4096;
  }
}
