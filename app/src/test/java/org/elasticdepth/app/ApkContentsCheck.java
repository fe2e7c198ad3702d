package org.elasticdepth.app;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.ManifestJson;
import org.junit.Test;

/**
 * Checks the built APK, so it runs after {@code package} (the {@code apk-contents} execution of
 * surefire in app/pom.xml, phase verify), not with the unit tests: the bundle's graphs must be
 * stored uncompressed, or Android cannot memory-map them and every start copies them into RAM.
 */
public class ApkContentsCheck {
  private static File apk() {
    String path = System.getProperty("apk.file");
    assertNotNull("system property apk.file (set by app/pom.xml) names the APK to check", path);
    File apk = new File(path);
    assertTrue(apk + " was not built", apk.isFile());
    return apk;
  }

  @Test
  public void bundleGraphsAreStoredUncompressed() throws IOException {
    try (ZipFile zip = new ZipFile(apk())) {
      String dir = "assets/" + RuntimeFactory.BUNDLE_ASSET_DIR + "/";
      ZipEntry manifestEntry = zip.getEntry(dir + BundleManifest.FILE_NAME);
      assertNotNull("the APK has no " + dir + BundleManifest.FILE_NAME, manifestEntry);
      BundleManifest manifest;
      try (InputStream in = zip.getInputStream(manifestEntry)) {
        manifest = ManifestJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      for (BundleManifest.Graph graph : manifest.graphs().all()) {
        ZipEntry entry = zip.getEntry(dir + graph.file());
        assertNotNull("the APK lacks " + dir + graph.file(), entry);
        assertEquals(graph.file() + " must be stored (uncompressed) so it can be memory-mapped",
            ZipEntry.STORED, entry.getMethod());
        assertEquals(graph.file() + " size", graph.bytes(), entry.getSize());
      }
    }
  }

  @Test
  public void sampleImagesAreShipped() throws IOException {
    try (ZipFile zip = new ZipFile(apk())) {
      assertNotNull(zip.getEntry("assets/" + SampleImages.IMAGES_ASSET));
      assertNotNull(zip.getEntry("assets/" + SampleImages.LABELS_ASSET));
      assertNotNull(zip.getEntry("classes.dex"));
    }
  }
}
