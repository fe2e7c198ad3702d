package org.elasticdepth.runtime;

import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;

/**
 * Keeps a classifier on its {@link ExitPolicy#forLatency} target: plans with the {@link
 * LatencyPlanner} from the current online times, measures the mean latency of the classifications
 * run under each choice, and asks for a new plan every {@value #REPLAN_EVERY} classifications, so
 * the choice follows the device's speed. Not thread-safe: used on the classifier's owner thread.
 */
final class LatencyTargetController {
  /** Classifications between plans: often enough to follow heating, rarely enough not to chase noise. */
  static final int REPLAN_EVERY = 32;

  private final double targetMillis;
  private final Calibration calibration;
  private LatencyPlan plan;
  private long measuredNanos;
  private long measuredRuns;
  private int sincePlan;

  LatencyTargetController(double targetMillis, Calibration calibration) {
    this.targetMillis = targetMillis;
    this.calibration = calibration;
  }

  /** Plans again; the measured mean carries over while the threshold and cap stay the same. */
  LatencyPlan replan(StageTimes times, int maxDepth) {
    LatencyPlan next = LatencyPlanner.plan(targetMillis, calibration, times, maxDepth);
    if (!next.sameChoice(plan)) {
      measuredNanos = 0;
      measuredRuns = 0;
    }
    sincePlan = 0;
    plan = withMeasurement(next);
    return plan;
  }

  LatencyPlan plan() {
    return plan;
  }

  /**
   * Records one classification's total time.
   *
   * @return whether it is time to plan again
   */
  boolean onClassified(long totalNanos) {
    measuredNanos += totalNanos;
    measuredRuns++;
    plan = withMeasurement(plan);
    return ++sincePlan >= REPLAN_EVERY;
  }

  private LatencyPlan withMeasurement(LatencyPlan p) {
    return measuredRuns == 0 ? p.withMeasured(Double.NaN, 0) : p.withMeasured(measuredNanos / 1e6 / measuredRuns, measuredRuns);
  }
}
