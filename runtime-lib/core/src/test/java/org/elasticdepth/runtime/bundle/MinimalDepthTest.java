package org.elasticdepth.runtime.bundle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.MinimalDepth;
import org.junit.Test;

/** The optional calibration.minimalDepth field: its rule, its JSON, and the checks a reader makes. */
public class MinimalDepthTest {
  private final TestBundles bundles = new TestBundles(); // layer accuracy 0.5, 0.7, 0.8

  @Test
  public void smallestDepthWithinTheDropOfFullDepth() {
    List<Double> accuracy = List.of(0.815, 0.864, 0.885, 0.891, 0.894, 0.896);
    assertEquals(5, MinimalDepth.smallestWithin(accuracy, 0.002));
    assertEquals(4, MinimalDepth.smallestWithin(accuracy, 0.005)); // 0.891 is exactly 0.5 points below
    assertEquals(3, MinimalDepth.smallestWithin(accuracy, 0.011));
    assertEquals(6, MinimalDepth.smallestWithin(accuracy, 0.0));
    assertEquals(1, MinimalDepth.smallestWithin(accuracy, 0.2));
    // not monotonic: the first layer within the drop counts, even if a later one dips
    assertEquals(2, MinimalDepth.smallestWithin(List.of(0.5, 0.9, 0.7, 0.9), 0.005));
  }

  @Test
  public void survivesTheJsonRoundTrip() {
    BundleManifest m = withMinimalDepth(List.of(new MinimalDepth(0.005, 3), new MinimalDepth(0.1, 2)));
    String json = ManifestJson.toJson(m);
    assertTrue(json, json.contains("\"minimalDepth\""));
    BundleManifest back = ManifestJson.parse(json);
    assertEquals(m, back);
    assertEquals(new MinimalDepth(0.005, 3), back.calibration().strictestMinimalDepth().orElseThrow());
  }

  @Test
  public void versionOneManifestsWithoutItStillLoadAndWriteAsBefore() {
    String json = ManifestJson.toJson(bundles.manifest);
    assertFalse(json, json.contains("minimalDepth"));
    BundleManifest back = ManifestJson.parse(json);
    assertEquals(List.of(), back.calibration().minimalDepth());
    assertTrue(back.calibration().strictestMinimalDepth().isEmpty());
    assertEquals(json, ManifestJson.toJson(back));
  }

  @Test
  public void aDepthThatDoesNotFollowFromTheAccuraciesIsRejected() {
    // 0.8 - 0.005: only layer 3 qualifies, so a claimed 1 (a forged, too shallow cap) is inconsistent
    assertRejected(List.of(new MinimalDepth(0.005, 1)), Problem.INCONSISTENT, "gives 3");
    assertRejected(List.of(new MinimalDepth(0.005, 0)), Problem.INCONSISTENT, "gives 3");
    assertRejected(List.of(new MinimalDepth(0.1, 2), new MinimalDepth(0.005, 3)), Problem.INCONSISTENT, "ascending");
    assertRejected(List.of(new MinimalDepth(0.1, 2), new MinimalDepth(0.1, 2)), Problem.INCONSISTENT, "ascending");
    assertRejected(List.of(new MinimalDepth(-0.01, 3)), Problem.MALFORMED_MANIFEST, "accuracyDrop");
    assertRejected(List.of(new MinimalDepth(1.0, 1)), Problem.MALFORMED_MANIFEST, "accuracyDrop");
  }

  @Test
  public void aMalformedFieldIsNamed() {
    String json = ManifestJson.toJson(withMinimalDepth(List.of(new MinimalDepth(0.005, 3))));
    try {
      ManifestJson.parse(json.replace("\"depth\": 3\n", "\"depth\": \"three\"\n"));
      fail("expected a malformed manifest");
    } catch (BundleException e) {
      assertEquals(Problem.MALFORMED_MANIFEST, e.problem());
      assertTrue(e.getMessage(), e.getMessage().contains("manifest.calibration.minimalDepth[0].depth"));
    }
  }

  private void assertRejected(List<MinimalDepth> depths, Problem problem, String message) {
    try {
      ManifestJson.toJson(withMinimalDepth(depths));
      fail("expected " + problem + " for " + depths);
    } catch (BundleException e) {
      assertEquals(depths.toString(), problem, e.problem());
      assertTrue(e.getMessage(), e.getMessage().contains(message));
    }
  }

  private BundleManifest withMinimalDepth(List<MinimalDepth> depths) {
    BundleManifest m = bundles.manifest;
    Calibration c = m.calibration();
    Calibration with = new Calibration(c.split(), c.layerAccuracy(), c.frontier(), c.targetAccuracyDrop(),
        c.recommendedThreshold(), depths);
    return new BundleManifest(m.format(), m.formatVersion(), m.model(), m.input(), m.labels(), m.graphs(), with,
        m.provenance());
  }
}
