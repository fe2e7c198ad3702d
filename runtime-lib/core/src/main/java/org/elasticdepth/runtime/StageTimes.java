package org.elasticdepth.runtime;

import java.util.Arrays;

/**
 * What one classification's parts take on this device, in nanoseconds: the stem, each block
 * (index 0 = layer 1), one head call, and the per-classification overhead outside the graphs
 * (copying the input, softmax, bookkeeping). Immutable; a snapshot of an {@link OnlineStageTimer}
 * or, in tests and benchmarks, given directly.
 */
public record StageTimes(long stemNanos, long[] blockNanos, long headNanos, long overheadNanos) {
  public StageTimes {
    blockNanos = blockNanos.clone();
    if (blockNanos.length == 0) {
      throw new IllegalArgumentException("a bundle has at least one block");
    }
    if (stemNanos < 0 || headNanos < 0 || overheadNanos < 0 || Arrays.stream(blockNanos).anyMatch(n -> n < 0)) {
      throw new IllegalArgumentException("stage times must be >= 0");
    }
  }

  @Override
  public long[] blockNanos() {
    return blockNanos.clone();
  }

  public int depth() {
    return blockNanos.length;
  }

  /**
   * Time to run stem and blocks 1..{@code layer}, with the head after each block when {@code
   * headEveryBlock} (early exit possible) or once after the last.
   */
  public long nanosToLayer(int layer, boolean headEveryBlock) {
    long sum = stemNanos + overheadNanos;
    for (int l = 0; l < layer; l++) {
      sum += blockNanos[l];
    }
    return sum + (headEveryBlock ? (long) layer * headNanos : headNanos);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StageTimes t && stemNanos == t.stemNanos && headNanos == t.headNanos
        && overheadNanos == t.overheadNanos && Arrays.equals(blockNanos, t.blockNanos);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(stemNanos) * 31 + Arrays.hashCode(blockNanos) + Long.hashCode(headNanos) * 7
        + Long.hashCode(overheadNanos);
  }

  @Override
  public String toString() {
    return "StageTimes{stem " + stemNanos + " ns, blocks " + Arrays.toString(blockNanos) + " ns, head " + headNanos
        + " ns, overhead " + overheadNanos + " ns}";
  }
}
