package org.elasticdepth.exporter.export;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.elasticdepth.exporter.calibrate.LayerPredictions;
import org.elasticdepth.exporter.export.VitGraphs.BuiltGraph;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.exporter.quantize.Int8Quantizer;
import org.elasticdepth.exporter.quantize.LayerEvaluation;
import org.elasticdepth.exporter.quantize.PrecisionCalibration;
import org.elasticdepth.exporter.quantize.QuantizationData;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Graphs;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.bundle.BundleManifest.Provenance;
import org.elasticdepth.runtime.bundle.BundleManifest.Quantization;
import org.elasticdepth.runtime.bundle.BundleManifest.Variant;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.desktop.DesktopExecutor;

/**
 * Turns a trained model into an {@link ExportedBundle}: emits the graphs with {@link VitGraphs}
 * in each asked-for precision and describes them in a {@link BundleManifest} (core's format
 * classes, the same the runtime reads). The first precision is the primary one; the others are
 * variants with their own files ({@code block_01.int8.tflite}), calibration and quantization record.
 */
public final class BundleExporter {
  /** The value of {@code model.architecture} in manifests written by this exporter. */
  public static final String ARCHITECTURE = "vit-pre-ln-shared-head";

  /** Everything the manifest says besides the graphs. {@code calibration} may be null. */
  public record Description(Input input, List<String> labels, Calibration calibration, String mode, int epochs,
      long seed, String data) {}

  /** One precision's graphs as the manifest describes them. */
  private record Built(Precision precision, Graphs graphs, Calibration calibration, Quantization quantization) {}

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
   * Builds every graph of one float precision (fp32 or fp16) and the manifest; the description's
   * calibration is used as it is.
   *
   * @param includeFull also emit {@code full.tflite} (the monolithic model)
   * @throws ExportException if the weights do not match {@code model}
   */
  public static ExportedBundle export(Model model, VitWeights weights, Precision precision, boolean includeFull,
      Description description) {
    if (precision == Precision.INT8) {
      throw new IllegalArgumentException("int8 needs calibration images: use export(..., QuantizationData, log)");
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    Built built = new Built(precision, graphs(new VitGraphs(model, weights, precision), precision, false, includeFull,
        files), description.calibration(), null);
    return bundle(model, description, built, List.of(), files);
  }

  /**
   * Builds the graphs of every precision in {@code precisions} (the first is the primary one) and
   * the manifest. int8 graphs are calibrated on {@code data}'s training images and their recipe
   * chosen on its validation split; every precision other than fp32 gets its own exit calibration
   * from its validation outputs through desktop TFLite (the run's settings, when the run has a
   * calibration).
   *
   * @param data needed for int8; without it, fp16 keeps the description's (float) calibration
   * @param log  receives progress lines (recipe trials)
   * @throws ExportException if the weights do not match {@code model}
   */
  public static ExportedBundle export(Model model, VitWeights weights, List<Precision> precisions, boolean includeFull,
      Description description, QuantizationData data, Consumer<String> log) {
    requireDistinct(precisions);
    Map<String, byte[]> files = new LinkedHashMap<>();
    List<Built> built = new ArrayList<>();
    try (DesktopExecutor executor = DesktopExecutor.create()) {
      LayerPredictions fp32Validation = null;
      for (int i = 0; i < precisions.size(); i++) {
        Precision p = precisions.get(i);
        boolean variant = i > 0;
        boolean recalibrate = p != Precision.FP32 && description.calibration() != null && data != null;
        if (p == Precision.INT8 && data == null) {
          throw new IllegalArgumentException("int8 graphs need the run's training and validation images");
        }
        if (p == Precision.INT8) {
          if (fp32Validation == null) {
            fp32Validation = validate(new VitGraphs(model, weights, Precision.FP32), executor, data);
          }
          log.accept("int8: ranges from " + data.calibrationCount() + " training images; recipes on "
              + data.validationLabels().length + " validation images (accepted: every layer within "
              + 100 * Int8Quantizer.MAX_LAYER_DROP + " point of fp32, last-layer agreement >= "
              + Int8Quantizer.MIN_AGREEMENT + ")");
          Int8Quantizer.Result q = Int8Quantizer.quantize(model, weights, data, fp32Validation, executor,
              Int8Quantizer.candidates(), log);
          log.accept("int8: chosen recipe " + q.chosen().recipe().describe()
              + (q.chosen().passes() ? "" : " (none passed: the best measured)"));
          Calibration calibration = description.calibration() == null ? null
              : PrecisionCalibration.calibrate(q.predictions(), description.calibration());
          built.add(new Built(p, graphs(q.graphs(), p, variant, includeFull, files), calibration,
              new Quantization(q.calibrationImages(), List.copyOf(q.int16Ops()), List.copyOf(q.floatOps()))));
        } else {
          VitGraphs graphs = new VitGraphs(model, weights, p);
          Calibration calibration = recalibrate
              ? PrecisionCalibration.calibrate(validate(graphs, executor, data), description.calibration())
              : description.calibration();
          built.add(new Built(p, graphs(graphs, p, variant, includeFull, files), calibration, null));
        }
      }
    }
    return bundle(model, description, built.get(0), built.subList(1, built.size()), files);
  }

  private static ExportedBundle bundle(Model model, Description description, Built primary, List<Built> others,
      Map<String, byte[]> files) {
    Provenance provenance = new Provenance(description.mode(), description.epochs(), description.seed(),
        description.data(), primary.precision().label(), exporterVersion(),
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    List<Variant> variants = new ArrayList<>();
    for (Built b : others) {
      variants.add(new Variant(b.precision(), b.graphs(), b.calibration(), b.quantization()));
    }
    BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT, BundleManifest.FORMAT_VERSION, model,
        description.input(), description.labels(), primary.graphs(), primary.calibration(), provenance,
        primary.quantization(), variants);
    return new ExportedBundle(manifest, files);
  }

  /** Emits stem, blocks, head (and full) into {@code files}; a variant's files carry its precision in their names. */
  private static Graphs graphs(VitGraphs graphs, Precision precision, boolean variant, boolean includeFull,
      Map<String, byte[]> files) {
    Graph stem = add(files, graphs.stem(), precision, variant);
    List<Graph> blocks = new ArrayList<>();
    for (int l = 1; l <= graphs.model().depth(); l++) {
      blocks.add(add(files, graphs.block(l), precision, variant));
    }
    Graph head = add(files, graphs.head(), precision, variant);
    Graph full = includeFull ? add(files, graphs.full(), precision, variant) : null;
    return new Graphs(stem, blocks, head, full).withPrecision(precision);
  }

  private static Graph add(Map<String, byte[]> files, BuiltGraph graph, Precision precision, boolean variant) {
    BuiltGraph named = variant ? graph.named(BundleManifest.fileName(graph.file(), precision)) : graph;
    files.put(named.file(), named.bytes());
    return named.manifestEntry();
  }

  private static LayerPredictions validate(VitGraphs graphs, DesktopExecutor executor, QuantizationData data) {
    return LayerEvaluation.run(graphs, executor, data.validationImages(), data.validationLabels());
  }

  private static void requireDistinct(List<Precision> precisions) {
    if (precisions.isEmpty()) {
      throw new IllegalArgumentException("no precision to export");
    }
    if (precisions.stream().distinct().count() != precisions.size()) {
      throw new IllegalArgumentException("precision listed twice: " + BundleManifest.labels(precisions));
    }
  }

  private static String exporterVersion() {
    String version = BundleExporter.class.getPackage().getImplementationVersion();
    return version == null ? "0.1.0-SNAPSHOT" : version;
  }
}
