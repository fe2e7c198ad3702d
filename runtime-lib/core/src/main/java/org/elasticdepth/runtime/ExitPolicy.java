package org.elasticdepth.runtime;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.bundle.BundleManifest.Guarantee;
import org.elasticdepth.runtime.bundle.BundleManifest.LossBound;

/**
 * When a classification may stop before its planned depth: at the first layer whose shared-head
 * confidence (max softmax probability) is at least a threshold, the rule the exporter's
 * calibration measured its frontier with. Immutable and thread-safe.
 *
 * <p>A {@linkplain #forLatency latency target} is the one policy whose threshold is not fixed
 * here: the classifier chooses threshold and depth cap on the device, from its own measured
 * per-graph times (see {@link LatencyPlan}).
 */
public final class ExitPolicy {
  private static final ExitPolicy NEVER = new ExitPolicy(Double.NaN, Double.NaN, "never exit early");

  private final double threshold; // NaN: never (or chosen at run time for a latency target)
  private final double latencyTargetMillis; // NaN unless forLatency
  private final String description;

  private ExitPolicy(double threshold, double latencyTargetMillis, String description) {
    this.threshold = threshold;
    this.latencyTargetMillis = latencyTargetMillis;
    this.description = description;
  }

  private ExitPolicy(double threshold, String description) {
    this(threshold, Double.NaN, description);
  }

  /** Always run to the planned depth; the head runs once, after the last planned block. */
  public static ExitPolicy never() {
    return NEVER;
  }

  /**
   * Exit at the first layer whose confidence is {@code >= threshold}.
   *
   * @param threshold in [0, 1]; 0 exits after block 1, 1 only on a (numerically) certain prediction
   */
  public static ExitPolicy threshold(double threshold) {
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new IllegalArgumentException("exit threshold must be in [0, 1], got " + threshold);
    }
    return new ExitPolicy(threshold, null); // described on demand: latency plans create these per classification
  }

  /**
   * The earliest-exiting calibrated threshold for an accuracy drop of at most {@code maxDrop}.
   *
   * <p>When the bundle carries a {@linkplain Guarantee guaranteed calibration} (per-threshold
   * Clopper-Pearson bounds), the choice is guaranteed: thresholds are tested from strict to loose
   * and the loosest one reached before the first whose bound exceeds {@code maxDrop} is used
   * (fixed-sequence testing, Learn-then-Test, Angelopoulos et al. 2021). Then, with the
   * calibration's confidence, the rate at which the early exit disagrees with the full-depth
   * prediction on new data from the calibration's distribution, and so the accuracy drop, is at
   * most {@code maxDrop}. Otherwise it is the point estimate: the smallest threshold whose
   * validation accuracy is at least the full-depth accuracy minus {@code maxDrop}. The policy's
   * description says which.
   *
   * @param calibration the bundle's calibration, {@code manifest.calibration()}
   * @param maxDrop accepted accuracy drop as a fraction, e.g. 0.01 for one point
   * @throws IllegalArgumentException if the bundle has no calibration or frontier, or no frontier
   *     point is accurate enough (the message names the best one)
   */
  public static ExitPolicy forAccuracyDrop(Calibration calibration, double maxDrop) {
    if (!(maxDrop >= 0 && maxDrop <= 1)) {
      throw new IllegalArgumentException("maxDrop must be in [0, 1], got " + maxDrop);
    }
    Calibration c = requireFrontier(calibration);
    if (c.guarantee() != null) {
      return guaranteed(c, maxDrop);
    }
    double full = c.layerAccuracy().get(c.layerAccuracy().size() - 1);
    double floor = full - maxDrop;
    FrontierPoint best = null;
    for (FrontierPoint p : c.frontier()) { // sorted by ascending threshold: the first match exits earliest
      if (p.accuracy() >= floor - 1e-12) {
        return new ExitPolicy(p.threshold(), String.format(Locale.ROOT,
            "exit at confidence >= %.4f (calibrated: accuracy %.4f vs %.4f at full depth, mean exit layer %.2f, speed-up %.2fx)",
            p.threshold(), p.accuracy(), full, p.meanExitLayer(), p.speedUp()));
      }
      if (best == null || p.accuracy() > best.accuracy()) {
        best = p;
      }
    }
    throw new IllegalArgumentException(String.format(Locale.ROOT,
        "no calibrated threshold keeps accuracy >= %.4f (full depth %.4f - maxDrop %.4f); the most accurate is "
            + "threshold %.4f with %.4f: accept a larger drop or use ExitPolicy.never()",
        floor, full, maxDrop, best.threshold(), best.accuracy()));
  }

  /** Fixed-sequence testing over the stored bounds, strict (high threshold) to loose. */
  private static ExitPolicy guaranteed(Calibration c, double maxDrop) {
    Guarantee g = c.guarantee();
    List<FrontierPoint> points = c.frontier();
    FrontierPoint certified = null;
    for (int i = points.size() - 1; i >= 0; i--) {
      LossBound bound = points.get(i).lossBound();
      if (bound.upperBound() > maxDrop) {
        break; // the first failure ends the sequence: looser thresholds are not tested
      }
      certified = points.get(i);
    }
    if (certified == null) {
      FrontierPoint strictest = points.get(points.size() - 1);
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "no calibrated threshold is guaranteed to keep the %s rate <= %.4f with confidence %.3f: the strictest, "
              + "%.4f, has bound %.4f (%d of %d calibration images lost): accept a larger drop or use ExitPolicy.never()",
          g.loss(), maxDrop, g.confidence(), strictest.threshold(), strictest.lossBound().upperBound(),
          strictest.lossBound().losses(), strictest.lossBound().samples()));
    }
    LossBound b = certified.lossBound();
    return new ExitPolicy(certified.threshold(), String.format(Locale.ROOT,
        "exit at confidence >= %.4f (guaranteed: %s rate <= %.4f, hence accuracy drop <= %.4f, with confidence %.3f; "
            + "Clopper-Pearson bound %.4f from %d of %d calibration images, fixed-sequence testing; "
            + "validation accuracy %.4f, speed-up %.2fx)",
        certified.threshold(), g.loss(), maxDrop, maxDrop, g.confidence(), b.upperBound(), b.losses(), b.samples(),
        certified.accuracy(), certified.speedUp()));
  }

  /**
   * Meet a mean latency of {@code millis} per classification as accurately as possible, on the
   * device the classifier runs on. The classifier picks the threshold and depth cap whose
   * expected latency, sum over layers l of P(exit at l) x (time to reach and test layer l), fits
   * the target: P from the bundle's calibrated exit histograms, times measured online per graph
   * (updated as the device heats up or cools down). {@link ElasticClassifier#latencyPlan()}
   * reports the choice with predicted and measured mean latency; a target below the cheapest
   * depth gives a plan that says so and runs the fastest configuration instead.
   *
   * @param millis target mean latency in milliseconds, positive and finite
   */
  public static ExitPolicy forLatency(double millis) {
    if (!(millis > 0) || Double.isInfinite(millis)) {
      throw new IllegalArgumentException("latency target must be a positive number of milliseconds, got " + millis);
    }
    return new ExitPolicy(Double.NaN, millis,
        String.format(Locale.ROOT, "mean latency target %.3f ms (threshold and depth chosen on the device)", millis));
  }

  /** The threshold the exporter recommended for its target accuracy drop. */
  public static ExitPolicy recommended(Calibration calibration) {
    Calibration c = requireFrontier(calibration);
    return new ExitPolicy(c.recommendedThreshold(), String.format(Locale.ROOT,
        "exit at confidence >= %.4f (recommended for an accuracy drop of %.4f)", c.recommendedThreshold(), c.targetAccuracyDrop()));
  }

  private static Calibration requireFrontier(Calibration calibration) {
    if (calibration == null) {
      throw new IllegalArgumentException("the bundle has no calibration: export it with calibration, or pass an explicit threshold");
    }
    if (calibration.frontier().isEmpty()) {
      throw new IllegalArgumentException("the bundle's calibration has an empty exit frontier");
    }
    return calibration;
  }

  /** Whether this policy can stop before the planned depth (then the head runs after every block). */
  public boolean exitsEarly() {
    return !Double.isNaN(threshold) || isLatencyTarget();
  }

  /** Whether this is a {@link #forLatency} policy, whose threshold the classifier chooses. */
  public boolean isLatencyTarget() {
    return !Double.isNaN(latencyTargetMillis);
  }

  /** The mean latency target of a {@link #forLatency} policy, empty for the others. */
  public OptionalDouble latencyTargetMillis() {
    return isLatencyTarget() ? OptionalDouble.of(latencyTargetMillis) : OptionalDouble.empty();
  }

  /** The confidence threshold, empty for {@link #never()} and a latency target (chosen at run time). */
  public OptionalDouble confidenceThreshold() {
    return Double.isNaN(threshold) ? OptionalDouble.empty() : OptionalDouble.of(threshold);
  }

  /**
   * Whether a layer whose head gave {@code confidence} ends the classification. Always false for
   * a latency target: the classifier applies the threshold of its current {@link LatencyPlan}.
   */
  public boolean shouldExit(float confidence) {
    return confidence >= threshold; // false for NaN threshold
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExitPolicy other && Double.compare(threshold, other.threshold) == 0
        && Double.compare(latencyTargetMillis, other.latencyTargetMillis) == 0;
  }

  @Override
  public int hashCode() {
    return 31 * Double.hashCode(threshold) + Double.hashCode(latencyTargetMillis);
  }

  @Override
  public String toString() {
    return description != null ? description : String.format(Locale.ROOT, "exit at confidence >= %.4f", threshold);
  }
}
