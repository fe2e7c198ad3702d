package org.elasticdepth.runtime;

import org.elasticdepth.runtime.bundle.BundleManifest.Graph;

/**
 * What one graph costs, as the {@link DepthPlanner} sees it.
 *
 * @param memoryBytes resident bytes once loaded (see {@link #of(Graph, long)})
 * @param flops floating-point operations of one run, from the manifest
 * @param measuredNanos latency of one run measured on this device, or {@link #NOT_MEASURED}
 */
public record GraphCost(long memoryBytes, long flops, long measuredNanos) {
  public static final long NOT_MEASURED = -1;

  public GraphCost {
    if (memoryBytes < 0 || flops < 0) {
      throw new IllegalArgumentException("memoryBytes and flops must be >= 0");
    }
    if (measuredNanos < 0 && measuredNanos != NOT_MEASURED) {
      throw new IllegalArgumentException("measuredNanos must be >= 0 or NOT_MEASURED, got " + measuredNanos);
    }
  }

  /**
   * The cost of {@code graph} when it keeps {@code memoryBytes} resident, not yet measured. The
   * memory is an estimate known before loading ({@link
   * org.elasticdepth.runtime.spi.BlockExecutor#residentBytesEstimate}), deliberately not a
   * measurement, so that a plan never changes just because a graph got loaded.
   */
  public static GraphCost of(Graph graph, long memoryBytes) {
    return new GraphCost(memoryBytes, graph.flops(), NOT_MEASURED);
  }

  public boolean measured() {
    return measuredNanos != NOT_MEASURED;
  }

  public GraphCost withMeasuredNanos(long nanos) {
    return new GraphCost(memoryBytes, flops, nanos);
  }
}
