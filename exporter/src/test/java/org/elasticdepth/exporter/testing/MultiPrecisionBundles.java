package org.elasticdepth.exporter.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.elasticdepth.exporter.export.BundleExporter;
import org.elasticdepth.exporter.export.ExportedBundle;
import org.elasticdepth.exporter.export.RandomWeights;
import org.elasticdepth.exporter.export.TinyBundleFixture;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Graphs;
import org.elasticdepth.runtime.bundle.BundleManifest.Variant;
import org.elasticdepth.runtime.bundle.Precision;

/**
 * One bundle of several precisions from single-precision exports of the same model, as {@code
 * export --precision fp32,fp16,...} writes it: the primary's graphs under their own names, each
 * other precision's under {@code BundleManifest.fileName(base, precision)}, a version-2 manifest
 * with one {@link Variant} each (its own calibration). For tests, until the exporter writes such
 * bundles itself.
 */
public final class MultiPrecisionBundles {
  private MultiPrecisionBundles() {}

  /**
   * Writes the tiny random-weight fixture ({@code TinyBundleFixture}) in fp32 and fp16 as one
   * bundle, for measuring by hand (docs/results/bench/desktop-tiny-fp32-fp16.json), or with {@code
   * deit-tiny} a DeiT-Tiny-shaped one (224x224x3, patch 16, dim 192, 12 blocks, 3 heads, MLP 768,
   * 1000 classes, random weights: latency and memory do not depend on their values), or with
   * {@code no-full} the tiny one without its {@code full} graphs (runtime-desktop's test fixture
   * {@code bundles/tiny-fp32-fp16}):
   * {@code java -cp exporter/target/exporter.jar:exporter/target/test-classes
   * org.elasticdepth.exporter.testing.MultiPrecisionBundles OUT_DIR [deit-tiny|no-full]}.
   */
  public static void main(String[] args) {
    java.nio.file.Path out = java.nio.file.Path.of(args.length > 0 ? args[0] : "tiny-fp32-fp16");
    String variant = args.length > 1 ? args[1] : "";
    boolean deit = variant.equals("deit-tiny");
    ExportedBundle fp32 = deit ? deitTiny(Precision.FP32) : TinyBundleFixture.create(Precision.FP32);
    ExportedBundle fp16 = deit ? deitTiny(Precision.FP16) : TinyBundleFixture.create(Precision.FP16);
    if (variant.equals("no-full")) {
      fp32 = withoutFull(fp32);
      fp16 = withoutFull(fp16);
    }
    compose(fp32, fp16).write(out, null, true);
    System.out.println("wrote " + out.toAbsolutePath());
  }

  private static ExportedBundle deitTiny(Precision precision) {
    BundleManifest.Model model = BundleExporter.model(224, 3, 16, 192, 12, 3, 768, 1000, 1e-6);
    List<String> labels = new ArrayList<>();
    List<Double> accuracy = new ArrayList<>();
    for (int c = 0; c < 1000; c++) {
      labels.add("class " + c);
    }
    for (int l = 1; l <= 12; l++) {
      accuracy.add(0.001);
    }
    Calibration calibration = new Calibration("validation", accuracy,
        List.of(new BundleManifest.FrontierPoint(0.9, 0.001, 12, 1)), 0.01, 0.9);
    BundleManifest.Input input = new BundleManifest.Input("NHWC", 224, 224, 3, 1f / 255,
        new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, "center-crop");
    return BundleExporter.export(model, RandomWeights.create(model, 7), precision, true,
        new BundleExporter.Description(input, labels, calibration, "random-init", 0, 7, "none: seeded random weights"));
  }

  /**
   * @param primary the export whose graphs and calibration are the primary's
   * @param others exports of the same model in other precisions
   */
  public static ExportedBundle compose(ExportedBundle primary, ExportedBundle... others) {
    Map<String, byte[]> files = new LinkedHashMap<>(primary.files());
    List<Variant> variants = new ArrayList<>();
    for (ExportedBundle other : others) {
      BundleManifest m = other.manifest();
      Precision p = m.primaryPrecision();
      Graphs g = m.graphs();
      List<Graph> blocks = new ArrayList<>();
      g.blocks().forEach(b -> blocks.add(renamed(b, p, other, files)));
      Graphs graphs = new Graphs(renamed(g.stem(), p, other, files), blocks, renamed(g.head(), p, other, files),
          g.full() == null ? null : renamed(g.full(), p, other, files)).withPrecision(p);
      variants.add(new Variant(p, graphs, m.calibration(), m.quantization()));
    }
    BundleManifest m = primary.manifest();
    return new ExportedBundle(new BundleManifest(m.format(), BundleManifest.FORMAT_VERSION, m.model(), m.input(),
        m.labels(), m.graphs(), m.calibration(), m.provenance(), m.quantization(), variants), files);
  }

  /** {@code export} without its monolithic graph. */
  public static ExportedBundle withoutFull(ExportedBundle export) {
    BundleManifest m = export.manifest();
    Map<String, byte[]> files = new LinkedHashMap<>(export.files());
    if (m.graphs().full() != null) {
      files.remove(m.graphs().full().file());
    }
    Graphs g = m.graphs();
    return new ExportedBundle(new BundleManifest(m.format(), m.formatVersion(), m.model(), m.input(), m.labels(),
        new Graphs(g.stem(), g.blocks(), g.head(), null), m.calibration(), m.provenance(), m.quantization(),
        m.variants()), files);
  }

  /** {@code export} with {@code calibration} in place of its own. */
  public static ExportedBundle withCalibration(ExportedBundle export, Calibration calibration) {
    BundleManifest m = export.manifest();
    return new ExportedBundle(new BundleManifest(m.format(), m.formatVersion(), m.model(), m.input(), m.labels(),
        m.graphs(), calibration, m.provenance(), m.quantization(), m.variants()), export.files());
  }

  private static Graph renamed(Graph g, Precision p, ExportedBundle from, Map<String, byte[]> files) {
    String file = BundleManifest.fileName(g.file(), p);
    files.put(file, from.files().get(g.file()));
    return new Graph(file, g.sha256(), g.bytes(), g.params(), g.flops(), g.inputs(), g.outputs(), g.precision());
  }
}
