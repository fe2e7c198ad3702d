package org.elasticdepth.runtime;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;

/**
 * Chooses the exit threshold and depth cap that meet a mean-latency target as accurately as the
 * calibrated frontier allows. Pure logic: no clock, no state, thread-safe.
 *
 * <p>Candidates are every depth cap d = 1..maxDepth, each without early exit (accuracy: the
 * layer-d accuracy) and with every frontier threshold that carries an exit histogram (accuracy:
 * its {@code accuracyByDepthCap[d]}). A candidate's expected latency is sum over layers l <= d of
 * P(exit at l) x (stem + blocks 1..l + l head calls + overhead), with P from the calibration's exit
 * histogram (images that would exit after d stop at d) and the times measured on this device. The
 * plan is the most accurate candidate whose expected latency fits the target (ties: the faster);
 * if none fits, the cheapest one, and the plan says the target cannot be met.
 */
public final class LatencyPlanner {
  /** Relative difference below which two expected latencies count as equal (rounding of the histogram sums). */
  private static final double TIE = 1e-9;

  private LatencyPlanner() {}

  /**
   * @param targetMillis the mean latency to meet
   * @param calibration the bundle's calibration, or null (then the deepest cap that fits is chosen, without early exit)
   * @param times per-graph times on this device
   * @param maxDepth the depth the {@link DepthPlanner} allows (memory, thermal), 1..L
   */
  public static LatencyPlan plan(double targetMillis, Calibration calibration, StageTimes times, int maxDepth) {
    Objects.requireNonNull(times, "times");
    if (!(targetMillis > 0) || Double.isInfinite(targetMillis)) {
      throw new IllegalArgumentException("latency target must be a positive number of milliseconds, got " + targetMillis);
    }
    if (maxDepth < 1 || maxDepth > times.depth()) {
      throw new IllegalArgumentException("maxDepth " + maxDepth + " is outside 1.." + times.depth());
    }
    double targetNanos = targetMillis * 1e6;
    Candidate best = null;
    Candidate cheapest = null;
    int considered = 0;
    for (int cap = 1; cap <= maxDepth; cap++) {
      double accuracy = calibration == null ? Double.NaN : calibration.layerAccuracy().get(cap - 1);
      Candidate never = new Candidate(Double.NaN, cap, times.nanosToLayer(cap, false), accuracy);
      for (Candidate c : candidatesAt(cap, never, calibration, times)) {
        considered++;
        if (cheapest == null || c.nanos < cheapest.nanos * (1 - TIE)) {
          cheapest = c;
        }
        if (c.nanos <= targetNanos && (best == null || c.betterThan(best))) {
          best = c;
        }
      }
    }
    if (best != null) {
      String reason = String.format(Locale.ROOT, "%s: predicted %.4f ms <= target %.4f ms, %s (most accurate of %d "
          + "configurations)", best.describe(), best.nanos / 1e6, targetMillis, accuracyText(best), considered);
      return new LatencyPlan(targetMillis, best.threshold, best.cap, best.nanos / 1e6, best.accuracy, true, reason,
          Double.NaN, 0);
    }
    String reason = String.format(Locale.ROOT, "target %.4f ms cannot be met: the cheapest configuration (%s) is "
            + "predicted at %.4f ms on this device; running it instead, %s", targetMillis, cheapest.describe(),
        cheapest.nanos / 1e6, accuracyText(cheapest));
    return new LatencyPlan(targetMillis, cheapest.threshold, cheapest.cap, cheapest.nanos / 1e6, cheapest.accuracy,
        false, reason, Double.NaN, 0);
  }

  private static List<Candidate> candidatesAt(int cap, Candidate never, Calibration calibration, StageTimes times) {
    List<Candidate> out = new java.util.ArrayList<>();
    out.add(never);
    if (calibration == null) {
      return out;
    }
    for (FrontierPoint p : calibration.frontier()) {
      if (p.exitCounts() == null || p.accuracyByDepthCap() == null || p.exitCounts().size() != times.depth()) {
        continue; // a bundle from before exit histograms: only the depth caps are plannable
      }
      out.add(new Candidate(p.threshold(), cap, expectedNanos(p.exitCounts(), cap, times), p.accuracyByDepthCap().get(cap - 1)));
    }
    return out;
  }

  /**
   * Expected latency of a threshold with exit histogram {@code exitCounts} (m_1..m_L) under depth
   * cap {@code cap}: sum over l of P(exit at l | cap) x time to reach and test layer l.
   */
  public static double expectedNanos(List<Long> exitCounts, int cap, StageTimes times) {
    double total = 0;
    for (long m : exitCounts) {
      total += m;
    }
    double expected = 0;
    double beyond = 0; // images that would go deeper than the cap: they stop at it
    for (int l = 1; l <= exitCounts.size(); l++) {
      double p = exitCounts.get(l - 1) / total;
      if (l < cap) {
        expected += p * times.nanosToLayer(l, true);
      } else {
        beyond += p;
      }
    }
    return expected + beyond * times.nanosToLayer(cap, true);
  }

  private static String accuracyText(Candidate c) {
    return Double.isNaN(c.accuracy) ? "accuracy unknown (no calibration)"
        : String.format(Locale.ROOT, "calibrated accuracy %.4f", c.accuracy);
  }

  private record Candidate(double threshold, int cap, double nanos, double accuracy) {
    /** More accurate; without calibration deeper; then faster. */
    boolean betterThan(Candidate other) {
      double mine = Double.isNaN(accuracy) ? cap : accuracy;
      double theirs = Double.isNaN(other.accuracy) ? other.cap : other.accuracy;
      if (mine != theirs) {
        return mine > theirs;
      }
      return nanos < other.nanos * (1 - TIE); // a tie keeps the earlier: no early exit before thresholds
    }

    String describe() {
      return Double.isNaN(threshold)
          ? String.format(Locale.ROOT, "depth %d, no early exit", cap)
          : String.format(Locale.ROOT, "exit at confidence >= %.4f, depth cap %d", threshold, cap);
    }
  }
}
