package org.elasticdepth.runtime;

/**
 * The device's thermal state. The constants mirror Android's {@code PowerManager.THERMAL_STATUS_*}
 * (API 29) one to one, so runtime-android passes the platform's value through {@link
 * #fromAndroidStatus} unchanged.
 *
 * <p>The {@link DepthPlanner} turns a level into a <em>depth cap</em>, a fixed fraction of the
 * model's depth, rather than into a smaller latency budget: the work per frame is proportional
 * to depth, so capping depth cuts heat directly, it works whether or not the app set a latency
 * budget, and it stays deterministic while measured latencies drift as the CPU throttles.
 */
public enum ThermalLevel {
  /** Not throttled. */
  NONE(1.0),
  /** Light throttling, user experience not affected: full depth still allowed. */
  LIGHT(1.0),
  /** Moderate throttling: at most 3/4 of the blocks. */
  MODERATE(0.75),
  /** Severe throttling: at most half of the blocks. */
  SEVERE(0.5),
  /** The platform is doing everything to cut power: at most a quarter of the blocks. */
  CRITICAL(0.25),
  /** Key components are shutting down: one block. */
  EMERGENCY(0.0),
  /** The device is about to shut down: one block. */
  SHUTDOWN(0.0);

  private final double depthFraction;

  ThermalLevel(double depthFraction) {
    this.depthFraction = depthFraction;
  }

  /**
   * The level for {@code PowerManager.getCurrentThermalStatus()}: {@code THERMAL_STATUS_NONE} (0)
   * to {@code THERMAL_STATUS_SHUTDOWN} (6). Never throws: Android orders its statuses by severity,
   * so a value a newer Android adds beyond SHUTDOWN is read as {@link #SHUTDOWN} (the safe side),
   * and a negative one (no such status exists) as {@link #NONE}.
   */
  public static ThermalLevel fromAndroidStatus(int status) {
    ThermalLevel[] levels = values();
    if (status < 0) {
      return NONE;
    }
    return levels[Math.min(status, levels.length - 1)];
  }

  /** Whether {@code status} is one of the values {@link #fromAndroidStatus} knows (0..6). */
  public static boolean isKnownAndroidStatus(int status) {
    return status >= 0 && status < values().length;
  }

  /** The deepest depth this level allows for a model of {@code modelDepth} blocks: at least 1. */
  public int depthCap(int modelDepth) {
    return Math.max(1, (int) Math.floor(modelDepth * depthFraction));
  }
}
