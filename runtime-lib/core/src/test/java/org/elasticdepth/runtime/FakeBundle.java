package org.elasticdepth.runtime;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Graphs;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.bundle.BundleManifest.Provenance;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.bundle.ManifestJson;
import org.elasticdepth.runtime.bundle.graph.TinyGraphs;

/**
 * A tiny in-memory bundle for pure-logic tests: 4x4x1 images, 5 tokens of dim 4, 3 classes. The
 * graph files are valid but meaningless graphs of the given sizes ({@link TinyGraphs}); {@link
 * FakeExecutor} computes by file name instead.
 */
final class FakeBundle {
  static final int CLASSES = 3;
  static final int STEM_BYTES = 2000;
  static final int BLOCK_BYTES = 10_000;
  static final int HEAD_BYTES = 1500;
  static final long BLOCK_FLOPS = 2_000_000;

  private FakeBundle() {}

  static BundleManifest manifest(int depth) {
    return manifest(depth, null);
  }

  static BundleManifest manifest(int depth, Calibration calibration) {
    int[] image = {1, 4, 4, 1};
    int[] tokens = {1, 5, 4};
    int[] feature = {1, 4};
    int[] logits = {1, CLASSES};
    Graph stem = graph("stem.tflite", STEM_BYTES, 100_000, List.of(tensor("image", image)), List.of(tensor("tokens", tokens)));
    List<Graph> blocks = new ArrayList<>();
    for (int l = 1; l <= depth; l++) {
      blocks.add(graph(BundleManifest.blockFileName(l), BLOCK_BYTES, BLOCK_FLOPS, List.of(tensor("tokens", tokens)),
          List.of(tensor("tokens_out", tokens), tensor("cls", feature))));
    }
    Graph head = graph("head.tflite", HEAD_BYTES, 50_000, List.of(tensor("cls", feature)), List.of(tensor("logits", logits)));
    return new BundleManifest(BundleManifest.FORMAT, BundleManifest.FORMAT_VERSION,
        new Model("vit", 4, 1, 2, 4, depth, 1, 8, CLASSES, 5, 1e-6),
        new Input("NHWC", 4, 4, 1, 1 / 255f, new float[] {0.5f}, new float[] {0.25f}, "center-crop"),
        List.of("zero", "one", "two"),
        new Graphs(stem, blocks, head, null),
        calibration,
        new Provenance("aligned", 1, 7, "fake", "fp32", "test", "2026-01-01T00:00:00Z"));
  }

  /** The bundle's files: manifest.json and filler graph bytes whose hashes match the manifest. */
  static Map<String, ByteBuffer> files(BundleManifest manifest) {
    Map<String, ByteBuffer> files = new LinkedHashMap<>();
    files.put(BundleManifest.FILE_NAME, ByteBuffer.wrap(ManifestJson.toJson(manifest).getBytes(StandardCharsets.UTF_8)));
    for (Graph g : manifest.graphs().all()) {
      files.put(g.file(), ByteBuffer.wrap(content(g.inputs(), g.outputs(), (int) g.bytes())));
    }
    return files;
  }

  static Bundle open(int depth) {
    return Bundle.fromBuffers(files(manifest(depth)));
  }

  private static Graph graph(String file, int bytes, long flops, List<Tensor> inputs, List<Tensor> outputs) {
    return new Graph(file, "0".repeat(64), 1, 0, flops, inputs, outputs).withContent(content(inputs, outputs, bytes));
  }

  private static byte[] content(List<Tensor> inputs, List<Tensor> outputs, int bytes) {
    return TinyGraphs.graph(inputs.get(0), outputs, bytes);
  }

  private static Tensor tensor(String name, int[] shape) {
    return new Tensor(name, shape);
  }
}
