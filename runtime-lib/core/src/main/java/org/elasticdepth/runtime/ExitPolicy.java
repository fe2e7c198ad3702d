package org.elasticdepth.runtime;

import java.util.Locale;
import java.util.OptionalDouble;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;

/**
 * When a classification may stop before its planned depth: at the first layer whose shared-head
 * confidence (max softmax probability) is at least a threshold, the rule the exporter's
 * calibration measured its frontier with. Immutable and thread-safe.
 */
public final class ExitPolicy {
  private static final ExitPolicy NEVER = new ExitPolicy(Double.NaN, "never exit early");

  private final double threshold; // NaN: never
  private final String description;

  private ExitPolicy(double threshold, String description) {
    this.threshold = threshold;
    this.description = description;
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
    return new ExitPolicy(threshold, String.format(Locale.ROOT, "exit at confidence >= %.4f", threshold));
  }

  /**
   * The smallest calibrated threshold (hence the earliest exits) whose validation accuracy is at
   * least the full-depth accuracy minus {@code maxDrop}.
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
    return !Double.isNaN(threshold);
  }

  /** The confidence threshold, empty for {@link #never()}. */
  public OptionalDouble confidenceThreshold() {
    return exitsEarly() ? OptionalDouble.of(threshold) : OptionalDouble.empty();
  }

  /** Whether a layer whose head gave {@code confidence} ends the classification. */
  public boolean shouldExit(float confidence) {
    return confidence >= threshold; // false for NaN threshold
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExitPolicy other && Double.compare(threshold, other.threshold) == 0;
  }

  @Override
  public int hashCode() {
    return Double.hashCode(threshold);
  }

  @Override
  public String toString() {
    return description;
  }
}
