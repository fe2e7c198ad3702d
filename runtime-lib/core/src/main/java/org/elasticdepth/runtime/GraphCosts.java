package org.elasticdepth.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.elasticdepth.runtime.bundle.BundleManifest;

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

  /** Costs from the manifest alone: sizes and FLOPs, no measured latency. */
  public static GraphCosts fromManifest(BundleManifest manifest) {
    List<GraphCost> blocks = new ArrayList<>();
    manifest.graphs().blocks().forEach(b -> blocks.add(GraphCost.of(b)));
    return new GraphCosts(GraphCost.of(manifest.graphs().stem()), blocks, GraphCost.of(manifest.graphs().head()));
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
