package org.elasticdepth.app;

import java.util.List;
import org.elasticdepth.runtime.ExitPolicy;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;

/** Turns the user's exit settings into the runtime's {@link ExitPolicy}, using the bundle's frontier. */
public final class ExitRules {
  private ExitRules() {}

  /**
   * The policy for {@code settings}. An accuracy target needs a calibrated frontier; a bundle
   * without one gets the manual threshold (the screen hides the target choice for it). A latency
   * target works with any bundle: without exit histograms the runtime only chooses the depth.
   */
  public static ExitPolicy policy(DemoSettings settings, Calibration calibration) {
    if (settings.exitRule() == DemoSettings.ExitRule.LATENCY_TARGET) {
      return ExitPolicy.forLatency(settings.latencyTargetMillis());
    }
    boolean hasFrontier = calibration != null && !calibration.frontier().isEmpty();
    if (settings.exitRule() == DemoSettings.ExitRule.MANUAL || !hasFrontier) {
      return ExitPolicy.threshold(settings.manualThreshold());
    }
    FrontierPoint point = nearest(calibration.frontier(), settings.targetThreshold());
    return point == null ? ExitPolicy.recommended(calibration) : ExitPolicy.threshold(point.threshold());
  }

  /** The frontier point whose threshold is closest to {@code threshold}; null for NaN (= recommended). */
  public static FrontierPoint nearest(List<FrontierPoint> frontier, float threshold) {
    if (Float.isNaN(threshold)) {
      return null;
    }
    FrontierPoint best = null;
    for (FrontierPoint p : frontier) {
      if (best == null || Math.abs(p.threshold() - threshold) < Math.abs(best.threshold() - threshold)) {
        best = p;
      }
    }
    return best;
  }
}
