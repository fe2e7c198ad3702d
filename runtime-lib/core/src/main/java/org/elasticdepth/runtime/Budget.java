package org.elasticdepth.runtime;

import java.util.Locale;
import java.util.Objects;

/**
 * What the device can spend on one classification, the input of the {@link DepthPlanner}.
 * Immutable; start from {@link #unlimited()} and narrow it with the {@code with...} methods:
 *
 * <pre>{@code
 * Budget budget = Budget.unlimited()
 *     .withMemoryBytes(64L << 20)   // resident bytes of all loaded graphs
 *     .withLatencyMillis(33)        // worst case per frame, no early exit
 *     .withThermal(ThermalLevel.MODERATE);
 * }</pre>
 *
 * @param memoryBytes most bytes the loaded graphs may keep resident; {@link Long#MAX_VALUE} for no limit
 * @param latencyMillis most milliseconds one classification may take at its planned depth when no
 *     input exits early; {@link Double#POSITIVE_INFINITY} for no limit
 * @param thermal the device's thermal state, which caps depth (see {@link ThermalLevel})
 * @param maxDepth the caller's own depth cap (e.g. a benchmark sweeping depths); values above the
 *     model's depth do not bind; {@link Integer#MAX_VALUE} for no cap
 */
public record Budget(long memoryBytes, double latencyMillis, ThermalLevel thermal, int maxDepth) {
  private static final Budget UNLIMITED =
      new Budget(Long.MAX_VALUE, Double.POSITIVE_INFINITY, ThermalLevel.NONE, Integer.MAX_VALUE);

  public Budget {
    if (memoryBytes <= 0) {
      throw new IllegalArgumentException("memoryBytes must be > 0, got " + memoryBytes);
    }
    if (!(latencyMillis > 0)) { // also rejects NaN
      throw new IllegalArgumentException("latencyMillis must be > 0, got " + latencyMillis);
    }
    Objects.requireNonNull(thermal, "thermal");
    if (maxDepth < 1) {
      throw new IllegalArgumentException("maxDepth must be >= 1, got " + maxDepth);
    }
  }

  /** No memory or latency limit, no thermal pressure, no depth cap: full depth. */
  public static Budget unlimited() {
    return UNLIMITED;
  }

  public Budget withMemoryBytes(long bytes) {
    return new Budget(bytes, latencyMillis, thermal, maxDepth);
  }

  public Budget withLatencyMillis(double millis) {
    return new Budget(memoryBytes, millis, thermal, maxDepth);
  }

  public Budget withThermal(ThermalLevel level) {
    return new Budget(memoryBytes, latencyMillis, level, maxDepth);
  }

  public Budget withMaxDepth(int depth) {
    return new Budget(memoryBytes, latencyMillis, thermal, depth);
  }

  public boolean limitsMemory() {
    return memoryBytes != Long.MAX_VALUE;
  }

  public boolean limitsLatency() {
    return latencyMillis != Double.POSITIVE_INFINITY;
  }

  @Override
  public String toString() {
    return "Budget{memory=" + (limitsMemory() ? Units.bytes(memoryBytes) : "unlimited")
        + ", latency=" + (limitsLatency() ? String.format(Locale.ROOT, "%.1f ms", latencyMillis) : "unlimited")
        + ", thermal=" + thermal
        + (maxDepth == Integer.MAX_VALUE ? "" : ", maxDepth=" + maxDepth) + "}";
  }
}
