package org.elasticdepth.exporter.export;

import java.nio.file.Path;
import java.util.List;
import org.elasticdepth.exporter.data.FashionMnist;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;

/**
 * Writes the random-weight tiny bundle that runtime tests use (depth 3, dim 16, 2 heads, MLP 32,
 * 28x28x1 in 7x7 patches, the 10 Fashion-MNIST labels, a plausible calibration, full.tflite):
 *
 * <pre>
 * mvn -o -q -pl exporter test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=org.elasticdepth.exporter.export.TinyBundleFixture \
 *   -Dexec.args=../runtime-lib/desktop/src/test/resources/bundles/tiny
 * </pre>
 *
 * Deterministic apart from the manifest's createdAt. Superseded by a really trained tiny model once
 * training works (see the report of issue 4).
 */
public final class TinyBundleFixture {
  private TinyBundleFixture() {}

  public static void main(String[] args) {
    Path out = Path.of(args.length > 0 ? args[0] : "tiny-bundle");
    ExportedBundle bundle = create(Precision.FP32);
    bundle.write(out, null, true);
    System.out.println("wrote " + out.toAbsolutePath() + ": " + bundle.files().keySet() + ", " + bundle.graphBytes()
        + " graph bytes");
  }

  /** The fixture bundle in memory. */
  public static ExportedBundle create(Precision precision) {
    Model model = TinyModels.tiny();
    Input input = new Input("NHWC", 28, 28, 1, 1f / 255f, new float[] {0.2860f}, new float[] {0.3530f}, "center-crop");
    Calibration calibration = new Calibration("validation", List.of(0.70, 0.78, 0.81), List.of(
        new FrontierPoint(0.50, 0.760, 1.30, 3.0 / 1.30),
        new FrontierPoint(0.70, 0.790, 1.70, 3.0 / 1.70),
        new FrontierPoint(0.90, 0.805, 2.30, 3.0 / 2.30),
        new FrontierPoint(0.99, 0.810, 2.85, 3.0 / 2.85)), 0.01, 0.90);
    BundleExporter.Description description = new BundleExporter.Description(input, FashionMnist.LABELS, calibration,
        "random-init test fixture", 0, 7, "none: seeded random weights");
    return BundleExporter.export(model, RandomWeights.create(model, 7), precision, true, description);
  }
}
