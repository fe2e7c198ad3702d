package org.elasticdepth.runtime.fuzz;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Graphs;
import org.elasticdepth.runtime.bundle.BundleManifest.Quantization;
import org.elasticdepth.runtime.bundle.ManifestJson;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.graph.GraphProfile;
import org.elasticdepth.runtime.bundle.graph.GraphValidator;
import org.elasticdepth.runtime.bundle.graph.QuantizedGraphs;
import org.elasticdepth.runtime.bundle.graph.TinyGraphs;
import org.elasticdepth.runtime.desktop.TestBundles;

/**
 * A fuzzing seed with quantized graphs: the int8 precision of the {@code tiny-precisions} fixture
 * (the exporter's int8 stem and head) as a single-precision bundle whose blocks are the hand-built
 * quantized block of the same signature ({@link QuantizedGraphs#block}: int8, a 16x8 island and a
 * float island), sizes, hashes and the quantization record made to match. Mutations of its graphs
 * reach quantization tables, int8/int16/int64 constants and the versions of quantized operators, and
 * classification runs them (the bundle has no other precision to fall back to).
 */
final class Int8SeedBundle {
  private Int8SeedBundle() {}

  /** Writes the seed bundle into {@code dir} (created) and returns it. */
  static File write(Path dir) throws IOException {
    Map<String, byte[]> source = TestBundles.bytes("tiny-precisions");
    BundleManifest int8 = ManifestJson.parse(new String(source.get(BundleManifest.FILE_NAME), StandardCharsets.UTF_8))
        .forPrecision(Precision.INT8);
    Map<String, byte[]> files = new LinkedHashMap<>();
    List<Graph> blocks = new ArrayList<>();
    for (Graph block : int8.graphs().blocks()) {
      byte[] graph = TinyGraphs.pack(QuantizedGraphs.block(block.inputs().get(0), block.outputs()));
      files.put(block.file(), graph);
      blocks.add(block.withContent(graph));
    }
    Graph stem = int8.graphs().stem();
    Graph head = int8.graphs().head();
    files.put(stem.file(), source.get(stem.file()));
    files.put(head.file(), source.get(head.file()));
    Graphs graphs = new Graphs(stem, blocks, head, null);
    SortedSet<String> int16 = new TreeSet<>();
    SortedSet<String> float32 = new TreeSet<>();
    for (Graph g : graphs.all()) {
      GraphProfile profile = GraphValidator.validate(g, ByteBuffer.wrap(files.get(g.file()))).profile();
      int16.addAll(profile.int16Ops());
      float32.addAll(profile.float32Ops());
    }
    BundleManifest seed = new BundleManifest(int8.format(), BundleManifest.FORMAT_VERSION, int8.model(), int8.input(),
        int8.labels(), graphs, int8.calibration(), int8.provenance(),
        new Quantization(int8.quantization().calibrationImages(), List.copyOf(int16), List.copyOf(float32)), List.of());
    files.put(BundleManifest.FILE_NAME, ManifestJson.toJson(seed).getBytes(StandardCharsets.UTF_8));
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
    return dir.toFile();
  }
}
