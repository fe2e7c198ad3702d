package org.elasticdepth.exporter.verify;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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

  private VerifyReport verify(LayerwiseReference reference, int count) {
    try (Bundle bundle = Bundle.fromDirectory(dir.toFile()); DesktopExecutor executor = DesktopExecutor.create()) {
      float[] images = reference == null ? null : RandomWeights.images(count, 784, 3);
      return BundleVerifier.verify(bundle, executor, reference, images, null, count, Tolerance.forPrecision("fp32"));
    }
  }
}
