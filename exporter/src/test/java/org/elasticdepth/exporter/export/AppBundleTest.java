package org.elasticdepth.exporter.export;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.DesktopGraph;
import org.junit.Test;

/**
 * The bundle committed as the app's default model (app/src/main/assets/bundle, regenerated with the
 * command in README.md) matches its manifest: hashes, sizes, every graph's shapes on TFLite, every
 * block one XNNPACK partition, and it stays well under 5 MB.
 */
public class AppBundleTest {
  /** Surefire runs in the exporter module's directory. */
  static final File APP_BUNDLE = new File("../app/src/main/assets/bundle");

  @Test
  public void committedBundleMatchesItsManifest() {
    assertTrue(APP_BUNDLE.getAbsolutePath() + " is missing; regenerate it with the command in README.md",
        APP_BUNDLE.isDirectory());
    try (Bundle bundle = Bundle.fromDirectory(APP_BUNDLE); DesktopExecutor executor = DesktopExecutor.create()) {
      BundleManifest m = bundle.manifest();
      bundle.verifyAll();
      long total = 0;
      for (BundleManifest.Graph g : m.graphs().all()) {
        total += g.bytes();
        // load() verifies the flatbuffer and checks the graph's tensors against the manifest's shapes
        try (DesktopGraph graph = executor.load(g, bundle.graph(g))) {
          ByteBuffer[] out = graph.run(ByteBuffer.allocateDirect(g.inputs().get(0).elementCount() * 4)
              .order(ByteOrder.nativeOrder()));
          assertEquals(g.outputs().size(), out.length);
          if (m.graphs().blocks().contains(g)) {
            assertTrue(g.file() + ": " + graph.executionPlan(), graph.isSingleXnnpackPartition());
          }
        }
      }
      assertTrue("bundle is " + total + " bytes", total < 4_000_000);
      assertEquals("fp32", m.provenance().precision());
      assertTrue("the app's bundle should carry its calibrated exit frontier", m.calibration() != null);
    }
  }
}
