package org.elasticdepth.runtime;

import java.util.Arrays;

/**
 * The classifier's own measurement of each graph's latency on this device: an exponentially
 * weighted moving average per graph (stem, every block, head) and of the per-classification
 * overhead outside the graphs, so the figures follow the device as it heats up or cools down.
 * Feeds the {@link DepthPlanner} (through {@link GraphCost#measuredNanos()}) and latency targets
 * ({@link LatencyPlanner}). Not thread-safe: the classifier touches it on its owner thread only.
 */
public final class OnlineStageTimer {
  /** Weight of the newest run: about the last 4-8 runs dominate, so heating shows within a second. */
  public static final double SMOOTHING = 0.25;
  /**
   * A run counts at most this many times the current average: a preempted run (the OS gave the
   * core away for a millisecond) must not swing the plans, while a real slowdown, even 10x, is
   * followed within a few runs (each may raise the average by 75 %).
   */
  public static final long OUTLIER_FACTOR = 4;

  private final int depth;
  private final long[] nanos; // index 0 stem, 1..L blocks, L+1 head
  private long overheadNanos = GraphCost.NOT_MEASURED;

  public OnlineStageTimer(int depth) {
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be >= 1, got " + depth);
    }
    this.depth = depth;
    nanos = new long[depth + 2];
    Arrays.fill(nanos, GraphCost.NOT_MEASURED);
  }

  public int depth() {
    return depth;
  }

  public void recordStem(long runNanos) {
    nanos[0] = smooth(nanos[0], runNanos);
  }

  /** @param layer 1-based */
  public void recordBlock(int layer, long runNanos) {
    if (layer < 1 || layer > depth) {
      throw new IllegalArgumentException("layer " + layer + " is outside 1.." + depth);
    }
    nanos[layer] = smooth(nanos[layer], runNanos);
  }

  public void recordHead(long runNanos) {
    nanos[depth + 1] = smooth(nanos[depth + 1], runNanos);
  }

  /** One run of a stem ({@code layer} ignored), block {@code layer} (1-based) or head. */
  public void record(Classification.StageKind kind, int layer, long runNanos) {
    switch (kind) {
      case STEM -> recordStem(runNanos);
      case BLOCK -> recordBlock(layer, runNanos);
      case HEAD -> recordHead(runNanos);
    }
  }

  /** One classification's time outside the graphs: its total minus the sum of its graph runs. */
  public void recordOverhead(long runNanos) {
    overheadNanos = smooth(overheadNanos, Math.max(0, runNanos));
  }

  /** The stem's smoothed latency, or {@link GraphCost#NOT_MEASURED}. */
  public long stemNanos() {
    return nanos[0];
  }

  /** Block {@code layer}'s (1-based) smoothed latency, or {@link GraphCost#NOT_MEASURED}. */
  public long blockNanos(int layer) {
    return nanos[layer];
  }

  /** The head's smoothed latency, or {@link GraphCost#NOT_MEASURED}. */
  public long headNanos() {
    return nanos[depth + 1];
  }

  /** The smoothed overhead per classification, 0 before the first classification. */
  public long overheadNanos() {
    return Math.max(0, overheadNanos);
  }

  private static long smooth(long previous, long runNanos) {
    if (runNanos < 0) {
      throw new IllegalArgumentException("a run cannot take " + runNanos + " ns");
    }
    if (previous == GraphCost.NOT_MEASURED) {
      return runNanos;
    }
    long counted = previous > 0 ? Math.min(runNanos, OUTLIER_FACTOR * previous) : runNanos;
    return Math.round((1 - SMOOTHING) * previous + SMOOTHING * counted);
  }
}
