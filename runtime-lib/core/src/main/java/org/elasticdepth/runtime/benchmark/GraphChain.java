package org.elasticdepth.runtime.benchmark;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.GraphTarget;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.spi.BlockExecutor;
import org.elasticdepth.runtime.spi.LoadedGraph;

/**
 * Stem, blocks 1..d and the shared head of a bundle, loaded through one executor and run directly
 * on the SPI, so that the suite measures the graphs and the hand-over between them and nothing
 * else. Not thread-safe; used on the suite's thread only.
 */
final class GraphChain implements AutoCloseable {
  private final List<LoadedGraph> graphs; // stem, blocks..., head
  private final int depth;

  private GraphChain(List<LoadedGraph> graphs, int depth) {
    this.graphs = graphs;
    this.depth = depth;
  }

  /** Loads the chain for {@code depth}; on failure closes what was already loaded and rethrows. */
  static GraphChain load(BlockExecutor executor, BundleManifest manifest, Map<Graph, ByteBuffer> content, int depth) {
    List<Graph> specs = new ArrayList<>();
    specs.add(manifest.graphs().stem());
    for (int l = 1; l <= depth; l++) {
      specs.add(manifest.block(l));
    }
    specs.add(manifest.graphs().head());
    List<LoadedGraph> loaded = new ArrayList<>();
    try {
      for (Graph g : specs) {
        loaded.add(executor.load(g, content.get(g)));
      }
    } catch (RuntimeException | LinkageError e) {
      loaded.forEach(LoadedGraph::close);
      throw e;
    }
    return new GraphChain(loaded, depth);
  }

  int depth() {
    return depth;
  }

  private LoadedGraph stem() {
    return graphs.get(0);
  }

  private LoadedGraph block(int layer) {
    return graphs.get(layer);
  }

  private LoadedGraph head() {
    return graphs.get(graphs.size() - 1);
  }

  /** Full chain: stem, every block, the head once; returns the logits (valid until the next run). */
  ByteBuffer logits(ByteBuffer image) {
    ByteBuffer tokens = stem().run(image)[0];
    ByteBuffer[] out = null;
    for (int l = 1; l <= depth; l++) {
      out = block(l).run(tokens);
      tokens = out[0];
    }
    return head().run(out[1])[0];
  }

  /** Runs with the head after every block and stops at the first layer as confident as {@code threshold}. */
  Exit earlyExit(ByteBuffer image, double threshold) {
    ByteBuffer tokens = stem().run(image)[0];
    for (int l = 1; l <= depth; l++) {
      ByteBuffer[] out = block(l).run(tokens);
      tokens = out[0];
      Exit exit = Exit.of(l, head().run(out[1])[0]);
      if (exit.confidence() >= threshold || l == depth) {
        return exit;
      }
    }
    throw new IllegalStateException("a chain has at least one block");
  }

  /** The head's answer after every layer (index 0 = layer 1), for replaying other thresholds. */
  Exit[] everyLayer(ByteBuffer image) {
    Exit[] exits = new Exit[depth];
    ByteBuffer tokens = stem().run(image)[0];
    for (int l = 1; l <= depth; l++) {
      ByteBuffer[] out = block(l).run(tokens);
      tokens = out[0];
      exits[l - 1] = Exit.of(l, head().run(out[1])[0]);
    }
    return exits;
  }

  long residentBytes() {
    long sum = 0;
    for (LoadedGraph g : graphs) {
      sum += g.residentBytes();
    }
    return sum;
  }

  long graphBytes() {
    long sum = 0;
    for (LoadedGraph g : graphs) {
      sum += g.spec().bytes();
    }
    return sum;
  }

  List<GraphTarget> targets() {
    List<GraphTarget> targets = new ArrayList<>();
    for (LoadedGraph g : graphs) {
      targets.add(GraphTarget.of(g.spec().file(), g.target()));
    }
    return targets;
  }

  @Override
  public void close() {
    graphs.forEach(LoadedGraph::close);
  }

  /** The shared head's decision at one layer: predicted class and its softmax probability. */
  record Exit(int layer, int predicted, double confidence) {
    static Exit of(int layer, ByteBuffer logits) {
      ByteBuffer b = logits.duplicate().order(ByteOrder.nativeOrder());
      int n = b.remaining() / Float.BYTES;
      int base = b.position();
      int best = 0;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        float v = b.getFloat(base + i * Float.BYTES);
        if (v > max) {
          max = v;
          best = i;
        }
      }
      // max softmax probability = 1 / sum(exp(z_i - z_max)), computed stably.
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += Math.exp(b.getFloat(base + i * Float.BYTES) - max);
      }
      return new Exit(layer, best, 1.0 / sum);
    }
  }
}
