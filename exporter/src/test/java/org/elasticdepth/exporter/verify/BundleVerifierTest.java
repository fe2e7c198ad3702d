package org.elasticdepth.exporter.verify;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.elasticdepth.exporter.cli.ExporterCli;
import org.elasticdepth.exporter.testing.MultiPrecisionBundles;
import org.elasticdepth.exporter.export.ExportedBundle;
import org.elasticdepth.exporter.export.RandomWeights;
import org.elasticdepth.exporter.export.ReferenceVit;
import org.elasticdepth.exporter.export.TinyBundleFixture;
import org.elasticdepth.exporter.export.TinyModels;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.exporter.verify.VerifyReport.Tolerance;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.ManifestJson;
import org.elasticdepth.runtime.bundle.Sha256;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class BundleVerifierTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();
  private Path dir;

  @Before
  public void writeTinyBundle() {
    dir = tmp.getRoot().toPath().resolve("tiny");
    TinyBundleFixture.create(Precision.FP32).write(dir, null, false);
  }

  @Test
  public void fp32BundleMatchesTheReferenceWithinTolerance() {
    ReferenceVit reference = new ReferenceVit(TinyModels.tiny(), RandomWeights.create(TinyModels.tiny(), 7));
    VerifyReport report = verify(reference, 32);
    assertTrue(report.print() , report.passed());
    assertTrue(report.worstLogitDiff() <= 1e-4);
    assertEquals(1.0, report.worstAgreement(), 0);
    assertTrue(report.fullVsChained() <= 1e-4);
    assertTrue(report.splitBlocks().isEmpty());
    String printed = report.print();
    assertTrue(printed, printed.contains("PASS") && printed.contains("one XNNPACK partition"));
  }

  @Test
  public void aDifferentModelFailsTheComparison() {
    ReferenceVit other = new ReferenceVit(TinyModels.tiny(), RandomWeights.create(TinyModels.tiny(), 8));
    VerifyReport report = verify(other, 8);
    assertFalse(report.passed());
    assertTrue(report.print().contains("FAIL"));
  }

  @Test
  public void withoutACheckpointEveryGraphStillLoadsAndRuns() {
    VerifyReport report = verify(null, 2);
    assertNull(report.maxLogitDiff());
    assertEquals(6, report.graphs().size());
    assertTrue(report.passed());
  }

  @Test
  public void aTamperedFileIsNamed() throws Exception {
    Path block = dir.resolve("block_02.tflite");
    byte[] bytes = Files.readAllBytes(block);
    bytes[bytes.length - 40] ^= 1;
    Files.write(block, bytes);
    BundleException e = assertThrows(BundleException.class, () -> verify(null, 1));
    assertEquals(BundleException.Problem.INTEGRITY, e.problem());
    assertTrue(e.getMessage(), e.getMessage().contains("block_02.tflite") && e.getMessage().contains("SHA-256"));
  }

  @Test
  public void aTruncatedFileIsAClearError() throws Exception {
    Path block = dir.resolve("block_01.tflite");
    byte[] bytes = Files.readAllBytes(block);
    Files.write(block, Arrays.copyOf(bytes, bytes.length / 2));
    BundleException e = assertThrows(BundleException.class, () -> verify(null, 1));
    assertTrue(e.getMessage(), e.getMessage().contains("block_01.tflite") && e.getMessage().contains("truncated"));
  }

  @Test
  public void aTruncatedFileWhoseManifestWasUpdatedToMatchIsRefusedBeforeTflite() throws Exception {
    Path block = dir.resolve("block_01.tflite");
    byte[] truncated = Arrays.copyOf(Files.readAllBytes(block), 3000);
    Files.write(block, truncated);
    BundleManifest m = ManifestJson.parse(Files.readString(dir.resolve("manifest.json")));
    BundleManifest.Graph g = m.block(1).withContent(truncated);
    java.util.List<BundleManifest.Graph> blocks = new java.util.ArrayList<>(m.graphs().blocks());
    blocks.set(0, g);
    BundleManifest forged = new BundleManifest(m.format(), m.formatVersion(), m.model(), m.input(), m.labels(),
        new BundleManifest.Graphs(m.graphs().stem(), blocks, m.graphs().head(), m.graphs().full()),
        m.calibration(), m.provenance());
    Files.writeString(dir.resolve("manifest.json"), ManifestJson.toJson(forged));
    assertEquals(Sha256.hex(truncated), forged.block(1).sha256());
    InvalidGraphException e = assertThrows(InvalidGraphException.class, () -> verify(null, 1));
    assertEquals(e.getMessage(), "block_01.tflite", e.file());
    assertEquals(e.getMessage(), InvalidGraphException.Rule.FLATBUFFER, e.rule());
  }

  @Test
  public void fp16ErrorIsMeasuredAndReported() {
    Path fp16 = tmp.getRoot().toPath().resolve("fp16");
    ExportedBundle bundle = TinyBundleFixture.create(Precision.FP16);
    bundle.write(fp16, null, false);
    ReferenceVit reference = new ReferenceVit(TinyModels.tiny(), RandomWeights.create(TinyModels.tiny(), 7));
    try (Bundle b = Bundle.fromDirectory(fp16.toFile()); DesktopExecutor executor = DesktopExecutor.create()) {
      float[] images = RandomWeights.images(8, 784, 3);
      VerifyReport report = BundleVerifier.verify(b, executor, reference, images, null, 8, Tolerance.forPrecision("fp16"));
      assertEquals("fp16", report.precision());
      assertTrue("fp16 error " + report.worstLogitDiff(), report.worstLogitDiff() > 1e-5);
      assertTrue("fp16 error " + report.worstLogitDiff(), report.worstLogitDiff() < 5e-2);
      assertFalse(new VerifyReport(report.location(), report.precision(), report.graphs(), report.images(),
          report.maxLogitDiff(), report.agreement(), null, null, report.fullVsChained(),
          Tolerance.forPrecision("fp32")).passed());
    }
  }

  @Test
  public void everyPrecisionIsCheckedWithItsOwnToleranceAndItsOpsPlaced() {
    Path both = tmp.getRoot().toPath().resolve("fp32-fp16");
    MultiPrecisionBundles.compose(TinyBundleFixture.create(Precision.FP32), TinyBundleFixture.create(Precision.FP16))
        .write(both, null, false);
    ReferenceVit reference = new ReferenceVit(TinyModels.tiny(), RandomWeights.create(TinyModels.tiny(), 7));
    List<VerifyReport> reports;
    try (Bundle b = Bundle.fromDirectory(both.toFile()); DesktopExecutor executor = DesktopExecutor.create()) {
      reports = BundleVerifier.verify(b, b.manifest().precisions(), executor, reference, RandomWeights.images(8, 784, 3),
          null, 8, p -> Tolerance.forPrecision(p.label()));
    }
    assertEquals(List.of("fp32", "fp16"), reports.stream().map(VerifyReport::precision).toList());
    VerifyReport fp32 = reports.get(0);
    VerifyReport fp16 = reports.get(1);
    assertTrue(fp32.print(), fp32.passed() && fp32.worstLogitDiff() <= 1e-4);
    assertTrue(fp16.print(), fp16.passed());
    assertTrue("fp16 error " + fp16.worstLogitDiff(), fp16.worstLogitDiff() > 1e-5); // its own graphs ran
    fp16.graphs().forEach(g -> assertTrue(g.file(), g.file().endsWith(".fp16.tflite")));
    for (VerifyReport r : reports) {
      for (VerifyReport.GraphCheck g : r.graphs()) {
        assertFalse(g.file(), g.placement().isEmpty());
        if (g.block()) {
          assertTrue(g.placement().toString(), g.placement().stream().allMatch(o -> o.tflite() == 0 && o.xnnpack() > 0));
        }
      }
    }
    String printed = fp16.print();
    assertTrue(printed, printed.contains("ops: ") && printed.contains("FULLY_CONNECTED") && printed.contains(" XNNPACK"));
    assertTrue(printed, printed.contains("fp16 PASS (tolerance: max |logit diff| <= 5e-02"));
  }

  @Test
  public void int8IsJudgedByAgreementAndAccuracyNotByLogits() {
    Tolerance int8 = Tolerance.forPrecision("int8");
    double[] logits = {0.8, 0.6, 0.5}; // far beyond any float tolerance
    double[] reference = {0.700, 0.800, 0.850};
    // early layers may flip near-ties; the last layer agrees on 99.5 %, accuracy within 0.4 points
    VerifyReport good = report(logits, new double[] {0.90, 0.97, 0.995}, new double[] {0.697, 0.796, 0.846}, reference, int8);
    assertTrue(good.print(), good.passed());
    assertEquals(0.004, good.worstAccuracyDrop(), 1e-12);
    assertFalse(report(logits, new double[] {0.90, 0.97, 0.995}, reference, reference, Tolerance.forPrecision("fp32")).passed());
    assertFalse("the last layer disagrees too often",
        report(logits, new double[] {0.99, 0.99, 0.98}, reference, reference, int8).passed());
    assertFalse("0.6 points lost at layer 2",
        report(logits, new double[] {1, 1, 1}, new double[] {0.700, 0.794, 0.850}, reference, int8).passed());
    // an int8 block that leaves ops to TFLite's kernels is listed, not failed; a float one fails
    List<VerifyReport.GraphCheck> split = List.of(new VerifyReport.GraphCheck("block_01.int8.tflite", 10, true, false,
        List.of("TfLiteXNNPackDelegate", "MEAN"), List.of(new org.elasticdepth.runtime.desktop.OpPlacement("MEAN", 1, 1))));
    VerifyReport splitInt8 = new VerifyReport("x", "int8", split, 1000, logits, new double[] {0.90, 0.97, 0.995},
        new double[] {0.697, 0.796, 0.846}, reference, Double.NaN, int8);
    assertTrue(splitInt8.print(), splitInt8.passed());
    assertTrue(splitInt8.print(), splitInt8.print().contains("ops: MEAN 1 XNNPACK + 1 TFLite"));
    assertFalse(new VerifyReport("x", "fp32", split, 1000, null, null, null, null, Double.NaN,
        Tolerance.forPrecision("fp32")).passed());
    String printed = good.print();
    assertTrue(printed, printed.contains("worst per-layer accuracy drop vs the reference: 0.40 points"));
    assertTrue(printed, printed.contains("int8 PASS (tolerance: agreement >= 99.0% at the last layer, accuracy within 0.5 points"));
  }

  private static VerifyReport report(double[] logits, double[] agreement, double[] accuracy, double[] referenceAccuracy,
      Tolerance tolerance) {
    return new VerifyReport("x", "int8", List.of(), 1000, logits, agreement, accuracy, referenceAccuracy, Double.NaN,
        tolerance);
  }

  @Test
  public void theCommandChecksEveryPrecisionAndRefusesOneTheBundleLacks() throws Exception {
    Path both = tmp.getRoot().toPath().resolve("cli-fp32-fp16");
    MultiPrecisionBundles.compose(TinyBundleFixture.create(Precision.FP32), TinyBundleFixture.create(Precision.FP16))
        .write(both, null, false);
    java.io.PrintStream stdout = System.out;
    java.io.PrintStream stderr = System.err;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int all;
    int missing;
    try {
      System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
      System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
      all = ExporterCli.commandLine().execute("verify", both.toString());
      missing = ExporterCli.commandLine().execute("verify", both.toString(), "--precision", "int8");
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
    String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(text, 0, all);
    assertTrue(text, text.contains("== fp32 ==") && text.contains("== fp16 =="));
    assertTrue(text, text.contains("block_01.fp16.tflite") && text.contains("ops: "));
    assertTrue(text, text.contains("PASS: fp32 PASS, fp16 PASS"));
    assertEquals(2, missing);
    assertTrue(err.toString(java.nio.charset.StandardCharsets.UTF_8),
        err.toString(java.nio.charset.StandardCharsets.UTF_8).contains("--precision int8: the bundle carries fp32, fp16"));
  }

  private VerifyReport verify(LayerwiseReference reference, int count) {
    try (Bundle bundle = Bundle.fromDirectory(dir.toFile()); DesktopExecutor executor = DesktopExecutor.create()) {
      float[] images = reference == null ? null : RandomWeights.images(count, 784, 3);
      return BundleVerifier.verify(bundle, executor, reference, images, null, count, Tolerance.forPrecision("fp32"));
    }
  }
}
