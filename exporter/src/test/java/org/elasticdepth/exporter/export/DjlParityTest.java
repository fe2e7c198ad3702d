package org.elasticdepth.exporter.export;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.HeadLayout;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.exporter.verify.BundleVerifier;
import org.elasticdepth.exporter.verify.DjlReference;
import org.elasticdepth.exporter.verify.VerifyReport;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The bundle on desktop TFLite against the DJL model it was exported from (randomly initialised). */
public class DjlParityTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void greyAndRgbModelsMatchDjlAtEveryLayer() throws Exception {
    for (VitConfig config : List.of(new VitConfig(28, 1, 7, 16, 3, 2, 32, 10, 0f, 1e-5f),
        new VitConfig(12, 3, 4, 24, 2, 4, 40, 5, 0f, 1e-5f))) {
      try (ElasticVit vit = ElasticVit.initialize(config, HeadLayout.SHARED, 5)) {
        Model model = BundleExporter.model(config);
        VitWeights weights = VitWeights.of(vit.namedWeights(), vit.weightShapes());
        Path dir = tmp.getRoot().toPath().resolve("bundle-" + config.channels());
        export(model, weights, Precision.FP32).write(dir, null, false);

        int count = 16;
        float[] images = RandomWeights.images(count, config.imageFloats(), 9);
        try (Bundle bundle = Bundle.fromDirectory(dir.toFile()); DesktopExecutor executor = DesktopExecutor.create()) {
          VerifyReport report = BundleVerifier.verify(bundle, executor, new DjlReference(vit), images, null, count,
              VerifyReport.Tolerance.forPrecision("fp32"));
          assertTrue("worst diff " + report.worstLogitDiff(), report.worstLogitDiff() <= 1e-4);
          assertEquals(1.0, report.worstAgreement(), 0);
          assertTrue(report.passed());
        }
      }
    }
  }

  @Test
  public void nchwAndNhwcConversionsAreInverse() {
    float[] nhwc = RandomWeights.images(2, 5 * 5 * 3, 1);
    float[] back = DjlReference.toNhwc(DjlReference.toNchw(nhwc, 0, 2, 5, 3), 2, 5, 3);
    assertEquals(0, VitGraphsTest.maxDiff(nhwc, back), 0);
  }

  static ExportedBundle export(Model model, VitWeights weights, Precision precision) {
    Input input = new Input("NHWC", model.imageSize(), model.imageSize(), model.channels(), 1f / 255f,
        filled(model.channels(), 0.5f), filled(model.channels(), 0.25f), "center-crop");
    List<String> labels = new java.util.ArrayList<>();
    for (int c = 0; c < model.numClasses(); c++) {
      labels.add("class " + c);
    }
    return BundleExporter.export(model, weights, precision, true,
        new BundleExporter.Description(input, labels, null, "aligned", 1, 5, "test"));
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, v);
    return a;
  }
}
