package org.elasticdepth.runtime;

import java.util.Locale;

/**
 * How a classifier meets an {@link ExitPolicy#forLatency} target: the confidence threshold (NaN:
 * no early exit) and depth cap it runs with, the mean latency and accuracy it predicted for them,
 * and the mean latency it measured since it chose them.
 *
 * @param targetMillis the requested mean latency
 * @param threshold the chosen exit threshold, NaN when the plan never exits early
 * @param depthCap blocks run at most (1..planned depth)
 * @param predictedMillis expected mean latency: sum over layers of P(exit there) x time to get there
 * @param predictedAccuracy the calibration's accuracy for this threshold and cap, NaN without calibration
 * @param targetMet whether the prediction fits the target; if not, this is the cheapest configuration
 * @param reason one sentence: what was chosen and why, or why the target cannot be met and what runs instead
 * @param measuredMillis mean measured latency of the classifications run under this choice, NaN before any
 * @param measuredRuns how many classifications {@code measuredMillis} averages
 */
public record LatencyPlan(
    double targetMillis,
    double threshold,
    int depthCap,
    double predictedMillis,
    double predictedAccuracy,
    boolean targetMet,
    String reason,
    double measuredMillis,
    long measuredRuns) {

  /** The exit rule this plan runs with. */
  public ExitPolicy exitPolicy() {
    return Double.isNaN(threshold) ? ExitPolicy.never() : ExitPolicy.threshold(threshold);
  }

  /** Whether {@code other} runs the same threshold and depth cap. */
  public boolean sameChoice(LatencyPlan other) {
    return other != null && depthCap == other.depthCap && Double.compare(threshold, other.threshold) == 0;
  }

  /** This plan with its measured mean latency. */
  public LatencyPlan withMeasured(double millis, long runs) {
    return new LatencyPlan(targetMillis, threshold, depthCap, predictedMillis, predictedAccuracy, targetMet, reason,
        millis, runs);
  }

  @Override
  public String toString() {
    return measuredRuns == 0 ? reason : reason + String.format(Locale.ROOT, "; measured %.4f ms over %d runs",
        measuredMillis, measuredRuns);
  }
}
