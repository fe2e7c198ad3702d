package org.elasticdepth.runtime.bundle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.bundle.BundleManifest.Guarantee;
import org.elasticdepth.runtime.bundle.BundleManifest.LossBound;
import org.junit.Test;

/** The optional frontier statistics (exit histogram, capped accuracy, loss bound, guarantee): additive to format 1. */
public class FrontierStatisticsFormatTest {
  private final TestBundles fixture = new TestBundles();

  private BundleManifest with(Calibration calibration) {
    BundleManifest m = fixture.manifest;
    return new BundleManifest(m.format(), m.formatVersion(), m.model(), m.input(), m.labels(), m.graphs(), calibration,
        m.provenance());
  }

  private static FrontierPoint point(double threshold, List<Long> counts, List<Double> capped, LossBound bound) {
    return new FrontierPoint(threshold, 0.79, 2.0, 1.5, counts, capped, bound);
  }

  private static Calibration calibration(List<FrontierPoint> points, Guarantee guarantee) {
    return new Calibration("validation", List.of(0.5, 0.7, 0.8), points, 0.01, 0.9, guarantee);
  }

  private static final Calibration FULL = calibration(List.of(
      point(0.5, List.of(60L, 30L, 10L), List.of(0.5, 0.68, 0.7), new LossBound(100, 9, 0.1499)),
      point(0.9, List.of(20L, 30L, 50L), List.of(0.5, 0.75, 0.79), new LossBound(100, 1, 0.0465))),
      new Guarantee(Guarantee.DISAGREEMENT, 0.95, 0.05, 0.9));

  @Test
  public void statisticsSurviveTheRoundTrip() {
    BundleManifest m = with(FULL);
    BundleManifest back = ManifestJson.parse(ManifestJson.toJson(m));
    assertEquals(m, back);
    assertEquals(List.of(20L, 30L, 50L), back.calibration().frontier().get(1).exitCounts());
    assertEquals(0.0465, back.calibration().frontier().get(1).lossBound().upperBound(), 0);
    assertEquals(0.9, back.calibration().guarantee().threshold(), 0);
  }

  @Test
  public void aGuaranteeWithoutCertifiedThresholdOmitsIt() {
    Calibration none = calibration(FULL.frontier(), new Guarantee(Guarantee.DISAGREEMENT, 0.95, 0.01, null));
    String json = ManifestJson.toJson(with(none));
    assertNull(ManifestJson.parse(json).calibration().guarantee().threshold());
  }

  @Test
  public void firstFormatManifestsStillLoadWithoutThem() {
    String json = ManifestJson.toJson(fixture.manifest);
    assertTrue(!json.contains("exitCounts") && !json.contains("lossBound") && !json.contains("guarantee"));
    Calibration c = ManifestJson.parse(json).calibration();
    assertNull(c.guarantee());
    assertNull(c.frontier().get(0).exitCounts());
    assertNull(c.frontier().get(0).accuracyByDepthCap());
    assertNull(c.frontier().get(0).lossBound());
  }

  @Test
  public void inconsistentStatisticsAreTyped() {
    String good = ManifestJson.toJson(with(FULL));
    assertProblem(Problem.MALFORMED_MANIFEST, good.replace("\"losses\": 9", "\"losses\": 101"), "lossBound");
    assertProblem(Problem.MALFORMED_MANIFEST, good.replace("\"upperBound\": 0.1499", "\"upperBound\": 1.5"), "upperBound");
    assertProblem(Problem.MALFORMED_MANIFEST, good.replace("\"confidence\": 0.95", "\"confidence\": 1.0"), "confidence");
    assertProblem(Problem.MALFORMED_MANIFEST, good.replace("\"maxLoss\": 0.05", "\"maxLoss\": 0.0"), "maxLoss");
    assertProblem(Problem.MALFORMED_MANIFEST, good.replace("\"losses\": 9", "\"losses\": \"9\""), "losses must be a number");
    assertInvalid(Problem.INCONSISTENT, calibration(List.of(point(0.5, List.of(60L, 40L), null, null)), null),
        "exitCounts has 2 values");
    assertInvalid(Problem.MALFORMED_MANIFEST, calibration(List.of(point(0.5, List.of(0L, 0L, 0L), null, null)), null),
        "counts no image");
    assertInvalid(Problem.INCONSISTENT, calibration(List.of(point(0.5, null, List.of(0.5, 0.6), null)), null),
        "accuracyByDepthCap has 2 values");
    assertInvalid(Problem.INCONSISTENT, calibration(List.of(point(0.5, null, null, null)),
        new Guarantee(Guarantee.DISAGREEMENT, 0.95, 0.01, null)), "lossBound on every frontier point");
  }

  private void assertInvalid(Problem problem, Calibration calibration, String message) {
    try {
      ManifestValidator.validate(with(calibration));
      fail("accepted: " + message);
    } catch (BundleException e) {
      assertEquals(e.getMessage(), problem, e.problem());
      assertTrue(e.getMessage(), e.getMessage().contains(message));
    }
  }

  private static void assertProblem(Problem problem, String json, String message) {
    try {
      ManifestJson.parse(json);
      fail("accepted: " + message);
    } catch (BundleException e) {
      assertEquals(e.getMessage(), problem, e.problem());
      assertTrue(e.getMessage(), e.getMessage().contains(message));
    }
  }
}
