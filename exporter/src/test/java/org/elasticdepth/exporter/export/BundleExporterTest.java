package org.elasticdepth.exporter.export;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class BundleExporterTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void writesABundleTheRuntimeReads() throws Exception {
    Path dir = tmp.getRoot().toPath().resolve("bundle");
    Path zip = tmp.getRoot().toPath().resolve("bundle.zip");
    ExportedBundle exported = TinyBundleFixture.create(Precision.FP32);
    exported.write(dir, zip, false);
    for (File source : new File[] {dir.toFile(), zip.toFile()}) {
      try (Bundle bundle = source.isDirectory() ? Bundle.fromDirectory(source) : Bundle.fromZip(source)) {
        bundle.verifyAll();
        BundleManifest m = bundle.manifest();
        assertEquals(exported.manifest(), m);
        assertEquals("fp32", m.provenance().precision());
        assertEquals(List.of("block_01.tflite", "block_02.tflite", "block_03.tflite"),
            m.graphs().blocks().stream().map(BundleManifest.Graph::file).toList());
        assertEquals("full.tflite", m.graphs().full().file());
        assertEquals(10, m.labels().size());
        assertEquals(3, m.calibration().layerAccuracy().size());
        assertArrayEquals(new int[] {1, 17, 16}, m.graphs().stem().outputs().get(0).shape());
      }
    }
    assertEquals(List.of("bundle", "bundle.zip"), listing(tmp.getRoot().toPath())); // no temporaries left
  }

  @Test
  public void anExistingBundleIsRefusedAndLeftUntouchedWithoutForce() throws Exception {
    Path dir = tmp.getRoot().toPath().resolve("bundle");
    TinyBundleFixture.create(Precision.FP32).write(dir, null, false);
    byte[] manifestBefore = Files.readAllBytes(dir.resolve("manifest.json"));
    ExportedBundle fp16 = TinyBundleFixture.create(Precision.FP16);
    BundleException e = assertThrows(BundleException.class, () -> fp16.write(dir, null, false));
    assertTrue(e.getMessage(), e.getMessage().contains("already exists") && e.getMessage().contains("--force"));
    assertArrayEquals(manifestBefore, Files.readAllBytes(dir.resolve("manifest.json")));

    fp16.write(dir, null, true);
    try (Bundle bundle = Bundle.fromDirectory(dir.toFile())) {
      bundle.verifyAll();
      assertEquals("fp16", bundle.manifest().provenance().precision());
    }
    assertEquals(List.of("bundle"), listing(tmp.getRoot().toPath()));
  }

  @Test
  public void anExistingZipStopsTheExportBeforeTheDirectoryIsWritten() throws Exception {
    Path dir = tmp.getRoot().toPath().resolve("bundle");
    Path zip = tmp.getRoot().toPath().resolve("bundle.zip");
    Files.writeString(zip, "not mine");
    assertThrows(BundleException.class, () -> TinyBundleFixture.create(Precision.FP32).write(dir, zip, false));
    assertFalse(Files.exists(dir));
    assertEquals("not mine", Files.readString(zip));
  }

  @Test
  public void calibrationIsOptionalAndFullCanBeLeftOut() {
    BundleManifest fixture = TinyBundleFixture.create(Precision.FP32).manifest();
    BundleExporter.Description d = new BundleExporter.Description(fixture.input(), fixture.labels(), null, "aligned",
        1, 1, "test");
    ExportedBundle b = BundleExporter.export(TinyModels.tiny(), RandomWeights.create(TinyModels.tiny(), 1),
        Precision.FP32, false, d);
    assertNull(b.manifest().calibration());
    assertNull(b.manifest().graphs().full());
    assertFalse(b.files().containsKey("full.tflite"));
    assertNotNull(b.files().get("head.tflite"));
  }

  private static List<String> listing(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
