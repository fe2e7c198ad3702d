package org.elasticdepth.runtime.bundle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Graphs;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.bundle.BundleManifest.Provenance;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.bundle.graph.TinyGraphs;

/** A small consistent manifest whose graphs are valid but meaningless ({@link TinyGraphs}): enough to test the format. */
final class TestBundles {
  static final int DEPTH = 3;
  final Map<String, byte[]> files = new LinkedHashMap<>();
  final BundleManifest manifest;

  TestBundles() {
    Model model = new Model("vit-preln", 28, 1, 7, 16, DEPTH, 2, 32, 3, 17, 1e-5);
    Input input = new Input("NHWC", 28, 28, 1, 1f / 255, new float[] {0.286f}, new float[] {0.353f}, "center-crop");
    int[] image = {1, 28, 28, 1};
    int[] tokens = {1, 17, 16};
    int[] feature = {1, 16};
    Graph stem = graph("stem.tflite", List.of(new Tensor("image", image)), List.of(new Tensor("tokens", tokens)));
    List<Graph> blocks = new ArrayList<>();
    for (int l = 1; l <= DEPTH; l++) {
      blocks.add(graph(BundleManifest.blockFileName(l), List.of(new Tensor("tokens", tokens)),
          List.of(new Tensor("tokens_out", tokens), new Tensor("cls", feature))));
    }
    Graph head = graph("head.tflite", List.of(new Tensor("cls", feature)), List.of(new Tensor("logits", new int[] {1, 3})));
    Calibration calibration = new Calibration("validation", List.of(0.5, 0.7, 0.8),
        List.of(new FrontierPoint(0.5, 0.7, 1.5, 2.0), new FrontierPoint(0.9, 0.79, 2.5, 1.2)), 0.01, 0.9);
    manifest = new BundleManifest(BundleManifest.FORMAT, 1, model, input, List.of("a", "b", "c"),
        new Graphs(stem, blocks, head, null), calibration,
        new Provenance("aligned", 1, 42, "test", "fp32", "test", "2026-11-23T00:00:00Z"));
  }

  private Graph graph(String file, List<Tensor> in, List<Tensor> out) {
    byte[] content = TinyGraphs.graph(in.get(0), out, 0);
    files.put(file, content);
    return new Graph(file, null, 0, 10, 20, in, out).withContent(content);
  }
}
