package org.elasticdepth.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToLongFunction;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.spi.BlockExecutor;

/** The costs of a bundle's stem, blocks (layer 1..L in order) and head, input of the {@link DepthPlanner}. */
public record GraphCosts(GraphCost stem, List<GraphCost> blocks, GraphCost head) {
  public GraphCosts {
    Objects.requireNonNull(stem, "stem");
    Objects.requireNonNull(head, "head");
    blocks = List.copyOf(blocks);
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("a bundle has at least one block");
    }
  }

  /**
   * Costs before anything ran on {@code executor}: FLOPs from the manifest, memory as the executor
   * estimates it ({@link BlockExecutor#residentBytesEstimate}), no measured latency.
   */
  public static GraphCosts forExecutor(BundleManifest manifest, BlockExecutor executor) {
    return of(manifest, executor::residentBytesEstimate);
  }

  /**
   * {@link #forExecutor} for an opened bundle: a graph is never charged less than its activation
   * bound ({@link org.elasticdepth.runtime.bundle.graph.GraphStructure#activationBytes}, computed
   * from its shapes when the bundle was opened), so a graph whose tensors would make the
   * interpreter allocate gigabytes cannot hide behind a small estimate. For the exporter's graphs
   * the executor's estimate is the larger (a default block: 169 KB of activations, 419 KB charged).
   */
  public static GraphCosts forBundle(Bundle bundle, BlockExecutor executor) {
    return forBundle(bundle, bundle.manifest(), executor);
  }

  /** {@link #forBundle(Bundle, BlockExecutor)} for the graphs of {@code precision}, a view of the bundle's manifest ({@link BundleManifest#forPrecision}). */
  public static GraphCosts forBundle(Bundle bundle, BundleManifest precision, BlockExecutor executor) {
    return of(precision, g -> Math.max(executor.residentBytesEstimate(g), bundle.structure(g).activationBytes()));
  }

  /** Costs from the manifest alone: memory is the lower bound of model file + input/output tensors. */
  public static GraphCosts fromManifest(BundleManifest manifest) {
    return of(manifest, Graph::minimumResidentBytes);
  }

  private static GraphCosts of(BundleManifest manifest, ToLongFunction<Graph> memory) {
    List<GraphCost> blocks = new ArrayList<>();
    manifest.graphs().blocks().forEach(b -> blocks.add(GraphCost.of(b, memory.applyAsLong(b))));
    Graph stem = manifest.graphs().stem();
    Graph head = manifest.graphs().head();
    return new GraphCosts(GraphCost.of(stem, memory.applyAsLong(stem)), blocks, GraphCost.of(head, memory.applyAsLong(head)));
  }

  /** The model's depth L. */
  public int depth() {
    return blocks.size();
  }

  /** The cost of 1-based layer {@code layer}'s block. */
  public GraphCost block(int layer) {
    return blocks.get(layer - 1);
  }
}
