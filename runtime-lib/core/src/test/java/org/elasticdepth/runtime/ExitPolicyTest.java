package org.elasticdepth.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.bundle.BundleManifest.Guarantee;
import org.elasticdepth.runtime.bundle.BundleManifest.LossBound;
import org.junit.Test;

public class ExitPolicyTest {
  /** Full depth scores 0.80; lower thresholds exit earlier and lose accuracy. */
  private static final Calibration CALIBRATION = new Calibration("validation", List.of(0.60, 0.70, 0.78, 0.80),
      List.of(
          new FrontierPoint(0.5, 0.70, 1.5, 2.67),
          new FrontierPoint(0.7, 0.775, 2.0, 2.0),
          new FrontierPoint(0.9, 0.79, 2.8, 1.43),
          new FrontierPoint(0.99, 0.80, 3.6, 1.11)),
      0.01, 0.9);

  @Test
  public void neverExitsEarly() {
    ExitPolicy never = ExitPolicy.never();
    assertFalse(never.exitsEarly());
    assertFalse(never.shouldExit(1f));
    assertFalse(never.confidenceThreshold().isPresent());
  }

  @Test
  public void thresholdExitsAtOrAboveIt() {
    ExitPolicy p = ExitPolicy.threshold(0.8);
    assertTrue(p.exitsEarly());
    assertTrue(p.shouldExit(0.8f + 1e-7f));
    assertTrue(p.shouldExit(1f));
    assertFalse(p.shouldExit(0.79f));
    assertTrue(ExitPolicy.threshold(0).shouldExit(0f));
    assertEquals(0.8, p.confidenceThreshold().getAsDouble(), 0);
  }

  @Test
  public void thresholdOutsideTheUnitIntervalIsRejected() {
    for (double bad : new double[] {-0.1, 1.01, Double.NaN}) {
      try {
        ExitPolicy.threshold(bad);
        fail("accepted " + bad);
      } catch (IllegalArgumentException expected) {
        assertTrue(expected.getMessage().contains("[0, 1]"));
      }
    }
  }

  @Test
  public void accuracyDropPicksTheSmallestThresholdThatKeepsAccuracy() {
    assertEquals(0.9, threshold(ExitPolicy.forAccuracyDrop(CALIBRATION, 0.01)), 0);
    assertEquals(0.7, threshold(ExitPolicy.forAccuracyDrop(CALIBRATION, 0.025)), 0);
    assertEquals(0.5, threshold(ExitPolicy.forAccuracyDrop(CALIBRATION, 0.10)), 0);
    assertEquals(0.99, threshold(ExitPolicy.forAccuracyDrop(CALIBRATION, 0.0)), 0);
    assertTrue(ExitPolicy.forAccuracyDrop(CALIBRATION, 0.01).toString().contains("speed-up 1.43x"));
  }

  @Test
  public void accuracyDropThatNoPointMeetsIsAClearError() {
    Calibration lossy = new Calibration("validation", List.of(0.6, 0.8), List.of(new FrontierPoint(0.5, 0.7, 1.2, 1.67)), 0.01, 0.5);
    try {
      ExitPolicy.forAccuracyDrop(lossy, 0.05);
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("no calibrated threshold keeps accuracy >= 0.7500"));
      assertTrue(e.getMessage(), e.getMessage().contains("threshold 0.5000 with 0.7000"));
    }
  }

  @Test
  public void missingCalibrationIsAClearError() {
    try {
      ExitPolicy.forAccuracyDrop(null, 0.01);
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().contains("no calibration"));
    }
    try {
      ExitPolicy.recommended(new Calibration("validation", List.of(0.5), List.of(), 0.01, 0.5));
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().contains("empty exit frontier"));
    }
    try {
      ExitPolicy.forAccuracyDrop(CALIBRATION, -0.01);
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().contains("maxDrop"));
    }
  }

  @Test
  public void recommendedUsesTheExportersThreshold() {
    assertEquals(0.9, threshold(ExitPolicy.recommended(CALIBRATION)), 0);
  }

  private static double threshold(ExitPolicy p) {
    return p.confidenceThreshold().getAsDouble();
  }

  /**
   * Bounds from strict (0.99) to loose (0.5): .004, .008, .02, .006. Fixed-sequence testing at
   * eps .01 stops at 0.7 (bound .02), so 0.5 is never reached although its own bound passes.
   */
  private static final Calibration GUARANTEED = new Calibration("validation", List.of(0.60, 0.70, 0.78, 0.80),
      List.of(
          new FrontierPoint(0.5, 0.70, 1.5, 2.67, null, null, new LossBound(5000, 15, 0.006)),
          new FrontierPoint(0.7, 0.775, 2.0, 2.0, null, null, new LossBound(5000, 80, 0.02)),
          new FrontierPoint(0.9, 0.79, 2.8, 1.43, null, null, new LossBound(5000, 25, 0.008)),
          new FrontierPoint(0.99, 0.80, 3.6, 1.11, null, null, new LossBound(5000, 10, 0.004))),
      0.01, 0.9, new Guarantee(Guarantee.DISAGREEMENT, 0.95, 0.01, 0.9));

  @Test
  public void accuracyDropUsesTheGuaranteedPointWhenTheBundleHasOne() {
    ExitPolicy p = ExitPolicy.forAccuracyDrop(GUARANTEED, 0.01);
    assertEquals(0.9, threshold(p), 0);
    assertTrue(p.toString(), p.toString().contains("guaranteed"));
    assertTrue(p.toString(), p.toString().contains("confidence 0.950"));
    assertTrue(p.toString(), p.toString().contains("25 of 5000"));
    // a larger drop passes 0.7 too, and then 0.5
    assertEquals(0.5, threshold(ExitPolicy.forAccuracyDrop(GUARANTEED, 0.03)), 0);
    // between: the sequence reaches 0.9, not 0.7
    assertEquals(0.9, threshold(ExitPolicy.forAccuracyDrop(GUARANTEED, 0.019)), 0);
    // the point estimate alone would have taken 0.7 for a 2.5-point drop; the guarantee does not
    assertEquals(0.9, threshold(ExitPolicy.forAccuracyDrop(GUARANTEED, 0.015)), 0);
  }

  @Test
  public void noGuaranteedThresholdIsAClearError() {
    try {
      ExitPolicy.forAccuracyDrop(GUARANTEED, 0.003);
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("no calibrated threshold is guaranteed"));
      assertTrue(e.getMessage(), e.getMessage().contains("bound 0.0040"));
    }
  }

  @Test
  public void latencyPolicyIsChosenAtRunTime() {
    ExitPolicy p = ExitPolicy.forLatency(8);
    assertTrue(p.isLatencyTarget());
    assertTrue(p.exitsEarly());
    assertFalse(p.confidenceThreshold().isPresent());
    assertEquals(8, p.latencyTargetMillis().getAsDouble(), 0);
    assertFalse(p.shouldExit(1f));
    assertFalse(ExitPolicy.threshold(0.9).isLatencyTarget());
    assertEquals(p, ExitPolicy.forLatency(8));
    assertFalse(p.equals(ExitPolicy.forLatency(9)));
  }
}
