package org.elasticdepth.runtime;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.runtime.Classification.StageKind;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.spi.BlockExecutor;
import org.elasticdepth.runtime.spi.LoadedGraph;

/**
 * The graphs a classifier keeps loaded: the stem, the head and blocks 1..{@link #loadedDepth()} of
 * one precision, each warmed up on zeros when it loads (the runs feed the stage timer). {@link
 * #resize} closes blocks beyond a new depth, freeing their native memory, and loads missing ones.
 *
 * <p>Thread rules: everything but {@link #loadedDepth()} runs on the classifier's owner thread,
 * where the graphs were created (GPU delegates need that).
 */
final class ResidentGraphs {
  private final Bundle bundle;
  private final BundleManifest manifest; // the precision's view
  private final BlockExecutor executor;
  private final int warmUpRuns;
  private final OnlineStageTimer timer;
  private final LoadedGraph[] blocks;
  private volatile int loadedDepth; // blocks[0 .. loadedDepth-1] are loaded, the rest null
  private LoadedGraph stem;
  private LoadedGraph head;
  private ByteBuffer zeros;
  private boolean released;

  ResidentGraphs(Bundle bundle, BundleManifest manifest, BlockExecutor executor, int warmUpRuns, OnlineStageTimer timer) {
    this.bundle = bundle;
    this.manifest = manifest;
    this.executor = executor;
    this.warmUpRuns = warmUpRuns;
    this.timer = timer;
    this.blocks = new LoadedGraph[manifest.depth()];
  }

  /** Loads the stem and the head (once). */
  void loadStemAndHead() {
    stem = load(manifest.graphs().stem(), StageKind.STEM, 0);
    head = load(manifest.graphs().head(), StageKind.HEAD, 0);
  }

  LoadedGraph stem() {
    return stem;
  }

  LoadedGraph head() {
    return head;
  }

  /** Block {@code layer} (1-based, at most {@link #loadedDepth()}). */
  LoadedGraph block(int layer) {
    return blocks[layer - 1];
  }

  /** How many blocks are loaded (blocks 1..n); readable from any thread. */
  int loadedDepth() {
    return loadedDepth;
  }

  boolean released() {
    return released;
  }

  /** Closes blocks beyond {@code depth} and loads the missing ones; on failure restores the previous depth. */
  void resize(int depth) {
    while (loadedDepth > depth) {
      int l = loadedDepth;
      LoadedGraph graph = blocks[l - 1];
      blocks[l - 1] = null;
      loadedDepth = l - 1;
      graph.close();
    }
    int before = loadedDepth;
    try {
      while (loadedDepth < depth) {
        int l = loadedDepth + 1;
        blocks[l - 1] = load(manifest.block(l), StageKind.BLOCK, l);
        loadedDepth = l;
      }
    } catch (RuntimeException | Error e) {
      resize(before);
      throw e;
    }
  }

  /** Bytes the loaded graphs keep resident, as the executor reports them. */
  long residentBytes() {
    long sum = stem.residentBytes() + head.residentBytes();
    for (int l = 0; l < loadedDepth; l++) {
      sum += blocks[l].residentBytes();
    }
    return sum;
  }

  /** Closes every graph, blocks first; idempotent. The first failure is thrown after all were tried. */
  void releaseAll() {
    if (released) {
      return;
    }
    released = true;
    RuntimeException failure = null;
    List<LoadedGraph> all = new ArrayList<>();
    for (int l = loadedDepth; l >= 1; l--) {
      all.add(blocks[l - 1]);
      blocks[l - 1] = null;
    }
    loadedDepth = 0;
    all.add(head);
    all.add(stem);
    head = null;
    stem = null;
    for (LoadedGraph graph : all) {
      if (graph == null) {
        continue;
      }
      try {
        graph.close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Loads a graph from its verified bytes and warms it up, measuring its latency. */
  private LoadedGraph load(Graph spec, StageKind kind, int layer) {
    LoadedGraph graph = executor.load(spec, bundle.graph(spec));
    try {
      ByteBuffer in = zeros(spec.inputs().get(0).elementCount());
      for (int run = 0; run < warmUpRuns; run++) {
        long t0 = System.nanoTime();
        graph.run(in);
        long nanos = System.nanoTime() - t0;
        if (run > 0 || warmUpRuns == 1) { // the first of several runs pays one-off costs (allocation, weight packing)
          timer.record(kind, layer, nanos);
        }
      }
      return graph;
    } catch (RuntimeException | Error e) {
      graph.close();
      throw e;
    }
  }

  private ByteBuffer zeros(int elements) {
    int bytes = Math.multiplyExact(elements, Float.BYTES); // bounded by BundleLimits.MAX_TENSOR_BYTES
    if (zeros == null || zeros.capacity() < bytes) {
      zeros = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }
    ByteBuffer view = zeros.duplicate().order(ByteOrder.nativeOrder());
    ((Buffer) view).limit(bytes); // via Buffer: see BundleSource
    return view;
  }
}
