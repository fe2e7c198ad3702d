package org.elasticdepth.runtime;

import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;

/**
 * What one graph costs, as the {@link DepthPlanner} sees it.
 *
 * @param memoryBytes resident bytes once loaded (see {@link #of(Graph)})
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
   * The manifest's estimate for {@code graph}: the model file (interpreters read weights from it
   * in place) plus its input and output tensors as float32, a lower bound of the tensor arena.
   * Deliberately not the executor's measured resident size, so that a plan never changes just
   * because a graph got loaded.
   */
  public static GraphCost of(Graph graph) {
    long activations = 0;
    for (Tensor t : graph.inputs()) {
      activations += t.elementCount();
    }
    for (Tensor t : graph.outputs()) {
      activations += t.elementCount();
    }
    return new GraphCost(graph.bytes() + Float.BYTES * activations, graph.flops(), NOT_MEASURED);
  }

  public boolean measured() {
    return measuredNanos != NOT_MEASURED;
  }

  public GraphCost withMeasuredNanos(long nanos) {
    return new GraphCost(memoryBytes, flops, nanos);
  }
}
