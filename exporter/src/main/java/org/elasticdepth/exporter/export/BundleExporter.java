package org.elasticdepth.exporter.export;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.elasticdepth.exporter.export.VitGraphs.BuiltGraph;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Graphs;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.bundle.BundleManifest.Provenance;

/**
 * Turns a trained model into an {@link ExportedBundle}: emits the graphs with {@link VitGraphs}
 * and describes them in a {@link BundleManifest} (core's format classes, the same the runtime
 * reads).
 */
public final class BundleExporter {
  /** The value of {@code model.architecture} in manifests written by this exporter. */
  public static final String ARCHITECTURE = "vit-pre-ln-shared-head";

  /** Everything the manifest says besides the graphs. {@code calibration} may be null. */
  public record Description(Input input, List<String> labels, Calibration calibration, String mode, int epochs,
      long seed, String data) {}

  private BundleExporter() {}

  /** The manifest's model section for a ViT of these dimensions. */
  public static Model model(int imageSize, int channels, int patchSize, int dim, int depth, int heads, int mlpDim,
      int numClasses, double layerNormEpsilon) {
    int grid = imageSize / patchSize;
    return new Model(ARCHITECTURE, imageSize, channels, patchSize, dim, depth, heads, mlpDim, numClasses,
        grid * grid + 1, layerNormEpsilon);
  }

  /** The manifest's model section for a training configuration. */
  public static Model model(VitConfig c) {
    // The float epsilon as its shortest decimal (1e-5, not 9.99999974737875e-6), as the manifest shows it.
    return model(c.imageSize(), c.channels(), c.patchSize(), c.dim(), c.depth(), c.heads(), c.mlpDim(),
        c.numClasses(), Double.parseDouble(Float.toString(c.layerNormEps())));
  }

  /**
   * Builds every graph and the manifest.
   *
   * @param includeFull also emit {@code full.tflite} (the monolithic model)
   * @throws ExportException if the weights do not match {@code model}
   */
  public static ExportedBundle export(Model model, VitWeights weights, Precision precision, boolean includeFull,
      Description description) {
    VitGraphs graphs = new VitGraphs(model, weights, precision);
    Map<String, byte[]> files = new LinkedHashMap<>();
    Graph stem = add(files, graphs.stem());
    List<Graph> blocks = new java.util.ArrayList<>();
    for (int l = 1; l <= model.depth(); l++) {
      blocks.add(add(files, graphs.block(l)));
    }
    Graph head = add(files, graphs.head());
    Graph full = includeFull ? add(files, graphs.full()) : null;
    Provenance provenance = new Provenance(description.mode(), description.epochs(), description.seed(),
        description.data(), precision.label(), exporterVersion(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT, BundleManifest.FORMAT_VERSION, model,
        description.input(), description.labels(), new Graphs(stem, blocks, head, full).withPrecision(precision),
        description.calibration(),
        provenance);
    return new ExportedBundle(manifest, files);
  }

  private static Graph add(Map<String, byte[]> files, BuiltGraph graph) {
    files.put(graph.file(), graph.bytes());
    return graph.manifestEntry();
  }

  private static String exporterVersion() {
    String version = BundleExporter.class.getPackage().getImplementationVersion();
    return version == null ? "0.1.0-SNAPSHOT" : version;
  }
}
