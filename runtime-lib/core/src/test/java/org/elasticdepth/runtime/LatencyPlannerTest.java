package org.elasticdepth.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.junit.Test;

/** The latency target's choice, on given per-graph times (a fake clock): no timing in this test. */
public class LatencyPlannerTest {
  /**
   * 3 layers; stem 1 ms, blocks 2 ms each, head 0.5 ms, no overhead. Reaching layer l with the
   * head after every block costs 1 + 2.5 l ms: 3.5, 6, 8.5; without early exit 1 + 2 d + 0.5: 3.5, 5.5, 7.5.
   */
  private static final StageTimes TIMES = new StageTimes(1_000_000, new long[] {2_000_000, 2_000_000, 2_000_000}, 500_000, 0);

  /**
   * Full depth scores .90 (layers .70/.85/.90). Threshold 0.5 exits half the images at layer 1
   * and the rest at 2: uncapped expected cost 0.5 x 3.5 + 0.5 x 6 = 4.75 ms, accuracy .80.
   * Threshold 0.9 exits 20 % at 1, 30 % at 2, 50 % at 3: 0.2 x 3.5 + 0.3 x 6 + 0.5 x 8.5 = 6.75 ms, accuracy .89.
   */
  private static final Calibration CALIBRATION = new Calibration("validation", List.of(0.70, 0.85, 0.90), List.of(
      new FrontierPoint(0.5, 0.80, 1.5, 2.0, List.of(50L, 50L, 0L), List.of(0.70, 0.80, 0.80), null),
      new FrontierPoint(0.9, 0.89, 2.3, 3 / 2.3, List.of(20L, 30L, 50L), List.of(0.70, 0.86, 0.89), null)),
      0.01, 0.9);

  @Test
  public void expectedLatencyWeighsEachLayersCostByItsExitShare() {
    assertEquals(4.75e6, LatencyPlanner.expectedNanos(List.of(50L, 50L, 0L), 3, TIMES), 1e-6);
    assertEquals(6.75e6, LatencyPlanner.expectedNanos(List.of(20L, 30L, 50L), 3, TIMES), 1e-6);
    // capped at 2: the 50 % that would reach layer 3 stop at 2
    assertEquals(0.2 * 3.5e6 + 0.8 * 6e6, LatencyPlanner.expectedNanos(List.of(20L, 30L, 50L), 2, TIMES), 1e-6);
  }

  @Test
  public void picksTheMostAccurateConfigurationThatFits() {
    // 7.5 ms: full depth without exit (7.5, .90) fits and is the most accurate
    LatencyPlan full = LatencyPlanner.plan(7.5, CALIBRATION, TIMES, 3);
    assertTrue(full.targetMet());
    assertTrue(Double.isNaN(full.threshold()));
    assertEquals(3, full.depthCap());
    assertEquals(0.90, full.predictedAccuracy(), 0);
    assertEquals(7.5, full.predictedMillis(), 1e-9);
    assertFalse(full.exitPolicy().exitsEarly());
    // 7 ms: threshold 0.9 uncapped (6.75, .89) beats depth 2 without exit (5.5, .85)
    LatencyPlan t09 = LatencyPlanner.plan(7.0, CALIBRATION, TIMES, 3);
    assertEquals(0.9, t09.threshold(), 0);
    assertEquals(3, t09.depthCap());
    assertEquals(6.75, t09.predictedMillis(), 1e-9);
    assertEquals(0.9, t09.exitPolicy().confidenceThreshold().getAsDouble(), 0);
    // 5.6 ms: threshold 0.9 capped at 2 (5.5, .86) beats depth 2 without exit (5.5, .85) and 0.5 (4.75, .80)
    LatencyPlan capped = LatencyPlanner.plan(5.6, CALIBRATION, TIMES, 3);
    assertEquals(0.9, capped.threshold(), 0);
    assertEquals(2, capped.depthCap());
    assertEquals(0.86, capped.predictedAccuracy(), 0);
    // 5 ms: only threshold 0.5 (4.75, .80) and depth 1 (3.5, .70) fit
    LatencyPlan loose = LatencyPlanner.plan(5.0, CALIBRATION, TIMES, 3);
    assertEquals(0.5, loose.threshold(), 0);
    assertEquals(0.80, loose.predictedAccuracy(), 0);
    assertTrue(loose.reason(), loose.reason().contains("predicted 4.7500 ms <= target 5.0000 ms"));
  }

  @Test
  public void equalAccuracyPrefersTheFasterConfiguration() {
    // threshold 0.5 capped at 3 or at 2 both score .80 at 4.75 ms; depth cap 1 exits everything at 3.5 ms with .70
    LatencyPlan p = LatencyPlanner.plan(4.8, CALIBRATION, TIMES, 3);
    assertEquals(0.80, p.predictedAccuracy(), 0);
    assertEquals(4.75, p.predictedMillis(), 1e-9);
  }

  @Test
  public void theDepthPlannersCapBounds() {
    LatencyPlan p = LatencyPlanner.plan(100, CALIBRATION, TIMES, 2);
    assertEquals(2, p.depthCap());
    assertEquals(0.86, p.predictedAccuracy(), 0);
  }

  @Test
  public void aTargetBelowTheCheapestDepthSaysSoAndRunsTheFastest() {
    LatencyPlan p = LatencyPlanner.plan(1.0, CALIBRATION, TIMES, 3);
    assertFalse(p.targetMet());
    assertEquals(1, p.depthCap());
    assertEquals(3.5, p.predictedMillis(), 1e-9);
    assertTrue(p.reason(), p.reason().contains("target 1.0000 ms cannot be met"));
    assertTrue(p.reason(), p.reason().contains("predicted at 3.5000 ms"));
    assertTrue(p.reason(), p.reason().contains("running it instead"));
  }

  @Test
  public void withoutCalibrationTheDeepestDepthThatFitsRunsWithoutExit() {
    LatencyPlan p = LatencyPlanner.plan(6.0, null, TIMES, 3);
    assertTrue(p.targetMet());
    assertEquals(2, p.depthCap());
    assertTrue(Double.isNaN(p.threshold()));
    assertTrue(Double.isNaN(p.predictedAccuracy()));
    assertTrue(p.reason(), p.reason().contains("accuracy unknown"));
  }

  @Test
  public void frontierPointsWithoutHistogramsAreSkipped() {
    Calibration old = new Calibration("validation", List.of(0.70, 0.85, 0.90),
        List.of(new FrontierPoint(0.5, 0.80, 1.5, 2.0)), 0.01, 0.5);
    LatencyPlan p = LatencyPlanner.plan(5.0, old, TIMES, 3);
    assertEquals(1, p.depthCap()); // depth 2 needs 5.5 ms; 0.5's histogram is unknown
    assertTrue(Double.isNaN(p.threshold()));
  }

  @Test
  public void badTargetsAreRejected() {
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      try {
        ExitPolicy.forLatency(bad);
        fail("accepted " + bad);
      } catch (IllegalArgumentException expected) {
        assertTrue(expected.getMessage().contains("latency target"));
      }
      try {
        LatencyPlanner.plan(bad, CALIBRATION, TIMES, 3);
        fail("accepted " + bad);
      } catch (IllegalArgumentException expected) {
        assertTrue(expected.getMessage().contains("latency target"));
      }
    }
    try {
      LatencyPlanner.plan(5, CALIBRATION, TIMES, 4);
      fail();
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage().contains("maxDepth 4"));
    }
  }

  @Test
  public void onlineTimerSmoothsEachGraph() {
    OnlineStageTimer timer = new OnlineStageTimer(2);
    assertEquals(GraphCost.NOT_MEASURED, timer.blockNanos(1));
    timer.recordBlock(1, 1000);
    assertEquals(1000, timer.blockNanos(1));
    timer.recordBlock(1, 2000); // heating: 0.75 x 1000 + 0.25 x 2000
    assertEquals(1250, timer.blockNanos(1));
    assertEquals(0, timer.overheadNanos());
    timer.recordOverhead(400);
    assertEquals(400, timer.overheadNanos());
    assertEquals(GraphCost.NOT_MEASURED, timer.blockNanos(2));
    // a preempted run counts as 4x the average at most: 0.75 x 1250 + 0.25 x 5000
    timer.recordBlock(1, 1_000_000);
    assertEquals(2188, timer.blockNanos(1));
    // a lasting 10x slowdown is followed within a few runs
    for (int i = 0; i < 12; i++) {
      timer.recordBlock(1, 12_500);
    }
    assertTrue(timer.blockNanos(1) > 11_000);
  }
}
