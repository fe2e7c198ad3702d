package org.elasticdepth.runtime.benchmark;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.elasticdepth.runtime.ComputedGraph;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Graphs;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.bundle.BundleManifest.Provenance;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.bundle.BundleManifest.Variant;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.ManifestJson;
import org.elasticdepth.runtime.bundle.graph.TinyGraphs;
import org.elasticdepth.runtime.spi.Accelerator;
import org.elasticdepth.runtime.spi.BlockExecutor;
import org.elasticdepth.runtime.spi.ExecutionTarget;
import org.elasticdepth.runtime.spi.GraphException;
import org.elasticdepth.runtime.spi.LoadedGraph;

/**
 * A bundle of depth 4 whose "graphs" are computed by {@link FakeExecutor} instead of TFLite, with
 * known answers: a sample's input[0] is its class k, input[1] the layer t from which the shared
 * head is confident. The head then gives class k a logit margin of 10 (softmax 0.9999), before
 * that every class the same logit (softmax 1/3, argmax class 0).
 */
final class FakeBundles {
  static final int DEPTH = 4;
  static final int CLASSES = 3;
  static final int PIXELS = 16; // 4x4x1
  static final double THRESHOLD = 0.9;

  private FakeBundles() {}

  static Bundle bundle(boolean withFull) {
    return bundle(withFull, new Calibration("validation", List.of(0.4, 0.6, 0.8, 0.9),
        List.of(new FrontierPoint(0.5, 0.8, 2.0, 2.0), new FrontierPoint(THRESHOLD, 0.9, 2.5, 1.6)), 0.01, THRESHOLD));
  }

  /** The fp16 variant's own calibrated threshold: the suite must use it for fp16's early exit. */
  static final double FP16_THRESHOLD = 0.95;

  static Bundle bundle(boolean withFull, Calibration calibration) {
    return bundle(withFull, calibration, false);
  }

  /**
   * A version-2 bundle carrying fp32 (primary) and fp16 graphs (the same fake graphs under
   * {@code *.fp16.tflite} names), fp16 calibrated to {@link #FP16_THRESHOLD}.
   */
  static Bundle twoPrecisions(boolean withFull) {
    return bundle(withFull, new Calibration("validation", List.of(0.4, 0.6, 0.8, 0.9),
        List.of(new FrontierPoint(0.5, 0.8, 2.0, 2.0), new FrontierPoint(THRESHOLD, 0.9, 2.5, 1.6)), 0.01, THRESHOLD), true);
  }

  private static Bundle bundle(boolean withFull, Calibration calibration, boolean withFp16) {
    Model model = new Model("vit-preln", 4, 1, 2, 4, DEPTH, 1, 8, CLASSES, 5, 1e-5);
    Input input = new Input("NHWC", 4, 4, 1, 1f / 255, new float[] {0.5f}, new float[] {0.25f}, "center-crop");
    int[] image = {1, 4, 4, 1};
    int[] tokens = {1, 5, 4};
    int[] feature = {1, 4};
    int[] logits = {1, CLASSES};
    Map<String, ByteBuffer> files = new HashMap<>();
    Graph stem = graph(files, "stem.tflite", List.of(new Tensor("image", image)), List.of(new Tensor("tokens", tokens)));
    List<Graph> blocks = new ArrayList<>();
    for (int l = 1; l <= DEPTH; l++) {
      blocks.add(graph(files, BundleManifest.blockFileName(l), List.of(new Tensor("tokens", tokens)),
          List.of(new Tensor("tokens_out", tokens), new Tensor("cls", feature))));
    }
    Graph head = graph(files, "head.tflite", List.of(new Tensor("cls", feature)), List.of(new Tensor("logits", logits)));
    Graph full = withFull
        ? graph(files, "full.tflite", List.of(new Tensor("image", image)), List.of(new Tensor("logits", logits)))
        : null;
    List<Variant> variants = new ArrayList<>();
    if (withFp16) {
      List<Graph> fp16Blocks = new ArrayList<>();
      blocks.forEach(b -> fp16Blocks.add(copy(files, b, Precision.FP16)));
      Graphs fp16 = new Graphs(copy(files, stem, Precision.FP16), fp16Blocks, copy(files, head, Precision.FP16),
          full == null ? null : copy(files, full, Precision.FP16)).withPrecision(Precision.FP16);
      variants.add(new Variant(Precision.FP16, fp16, new Calibration("validation", List.of(0.4, 0.6, 0.8, 0.9),
          List.of(new FrontierPoint(FP16_THRESHOLD, 0.9, 2.5, 1.6)), 0.01, FP16_THRESHOLD), null));
    }
    BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT, withFp16 ? 2 : 1, model, input,
        List.of("a", "b", "c"), new Graphs(stem, blocks, head, full), calibration,
        new Provenance("aligned", 1, 42, "test", "fp32", "test", "2026-11-23T00:00:00Z"), null, variants);
    files.put(BundleManifest.FILE_NAME, ByteBuffer.wrap(ManifestJson.toJson(manifest).getBytes(StandardCharsets.UTF_8)));
    return Bundle.fromBuffers(files);
  }

  /** A sample of class {@code label} that the head gets right from layer {@code confidentFrom} on. */
  static LabelledSample sample(int label, int confidentFrom) {
    float[] input = new float[PIXELS];
    input[0] = label;
    input[1] = confidentFrom;
    return new LabelledSample(input, label);
  }

  /** {@code g}'s content under its name in {@code precision}. */
  private static Graph copy(Map<String, ByteBuffer> files, Graph g, Precision precision) {
    String file = BundleManifest.fileName(g.file(), precision);
    files.put(file, files.get(g.file()).duplicate());
    return new Graph(file, g.sha256(), g.bytes(), g.params(), g.flops(), g.inputs(), g.outputs());
  }

  private static Graph graph(Map<String, ByteBuffer> files, String file, List<Tensor> in, List<Tensor> out) {
    byte[] content = TinyGraphs.graph(in.get(0), out, 0);
    files.put(file, ByteBuffer.wrap(content));
    return new Graph(file, null, 0, 10, 20, in, out).withContent(content);
  }

  /**
   * Runs the fake graphs. Tokens carry (k, t, layer) in their first three floats. Graph files
   * named in {@code failing} are refused at load, those in {@code fallback} "fall back" to CPU.
   */
  static final class FakeExecutor implements BlockExecutor {
    private final List<String> failing;
    private final List<String> fallback;
    int loaded;
    int closed;
    private Accelerator preferred = Accelerator.CPU;
    /** Every graph file loaded, in order. */
    final List<String> loadedFiles = new ArrayList<>();
    boolean executorClosed;

    FakeExecutor(List<String> failing, List<String> fallback) {
      this.failing = failing;
      this.fallback = fallback;
    }

    @Override
    public String name() {
      return "fake";
    }

    /** This executor, telling the runtime it prefers {@code accelerator} (what the precision choice asks). */
    FakeExecutor preferring(Accelerator accelerator) {
      preferred = accelerator;
      return this;
    }

    @Override
    public Accelerator preferredAccelerator() {
      return preferred;
    }

    @Override
    public LoadedGraph load(Graph graph, ByteBuffer model) {
      if (failing.contains(graph.file())) {
        throw new GraphException(graph.file() + ": delegate rejected the graph");
      }
      if (model == null || model.remaining() != graph.bytes()) {
        throw new GraphException("wrong model buffer for " + graph.file());
      }
      loaded++;
      loadedFiles.add(graph.file());
      ExecutionTarget target = fallback.contains(graph.file())
          ? ExecutionTarget.fallback(Accelerator.CPU, Accelerator.GPU, "fake cpu", "GPU refused an op")
          : ExecutionTarget.direct(Accelerator.GPU, "fake gpu");
      return new FakeGraph(graph, target);
    }

    @Override
    public void close() {
      executorClosed = true;
    }

    private final class FakeGraph extends ComputedGraph {
      private final ExecutionTarget target;

      FakeGraph(Graph spec, ExecutionTarget target) {
        super(spec);
        this.target = target;
      }

      @Override
      protected void compute(ByteBuffer input) {
        if (input.remaining() != spec.inputs().get(0).elementCount() * 4) {
          throw new GraphException(spec.file() + ": input has " + input.remaining() + " bytes");
        }
        ByteBuffer in = input.duplicate().order(ByteOrder.nativeOrder());
        float k = in.getFloat(in.position());
        float t = in.getFloat(in.position() + 4);
        String file = spec.file().replace(".fp16.", ".").replace(".int8.", "."); // every precision computes alike
        if (file.equals("stem.tflite")) {
          put(outputs[0], k, t, 0);
        } else if (file.startsWith("block_")) {
          float layer = in.getFloat(in.position() + 8) + 1;
          put(outputs[0], k, t, layer);
          put(outputs[1], k, layer >= t ? 10 : 0);
        } else {
          // head: cls = (k, margin); full: image = (k, t) and the full depth is always past t
          float margin = file.equals("full.tflite") ? (DEPTH >= t ? 10 : 0) : in.getFloat(in.position() + 4);
          float[] logits = new float[CLASSES];
          logits[(int) k] = margin;
          put(outputs[0], logits);
        }
      }

      private void put(ByteBuffer b, float... values) {
        b.clear();
        for (float v : values) {
          b.putFloat(v);
        }
        b.clear();
      }

      @Override
      public ExecutionTarget target() {
        return target;
      }

      @Override
      public long residentBytes() {
        return spec.bytes() + 100;
      }

      @Override
      public void close() {
        closed++;
      }
    }
  }
}
