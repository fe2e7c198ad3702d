package org.elasticdepth.runtime.bundle.graph;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.junit.Test;

/** The validator accepts the app's committed default bundle (fp32, depth 6), every graph of it. */
public class CommittedBundleValidationTest {
  static final File APP_BUNDLE = new File("../../app/src/main/assets/bundle");

  @Test
  public void acceptsEveryGraphOfTheCommittedBundle() {
    try (Bundle bundle = Bundle.fromDirectory(APP_BUNDLE)) {
      for (Graph g : bundle.manifest().graphs().all()) {
        GraphStructure s = GraphValidator.validate(g, bundle.graph(g));
        System.out.println(g.file() + " " + s + " bytes=" + g.bytes() + " params=" + g.params() + " min=" + g.minimumResidentBytes());
        assertTrue(s.activationBytes() > g.ioTensorBytes());
        assertTrue(s.constantBytes() >= 4 * g.params());
      }
    }
  }
}
