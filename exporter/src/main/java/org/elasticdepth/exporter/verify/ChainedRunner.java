package org.elasticdepth.exporter.verify;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.DesktopGraph;

/**
 * A whole bundle loaded on desktop TFLite, run the way a phone runs it: stem, then block after
 * block, the shared head after each. Activations go from graph to graph as native buffers.
 *
 * <p>Not thread-safe; close it to free the interpreters.
 */
public final class ChainedRunner implements AutoCloseable {
  private final BundleManifest manifest;
  private final List<DesktopGraph> loaded = new ArrayList<>();
  private final DesktopGraph stem;
  private final List<DesktopGraph> blocks = new ArrayList<>();
  private final DesktopGraph head;
  private final DesktopGraph full;
  private final ByteBuffer image;

  /** Hashes every graph (naming any that was tampered with), then verifies and loads each. */
  public ChainedRunner(Bundle bundle, DesktopExecutor executor) {
    this(bundle, bundle.manifest(), executor);
  }

  /**
   * As {@link #ChainedRunner(Bundle, DesktopExecutor)}, running the graphs of {@code view}: the
   * bundle manifest's single-precision view of one of its precisions ({@code forPrecision}).
   */
  public ChainedRunner(Bundle bundle, BundleManifest view, DesktopExecutor executor) {
    this.manifest = view;
    bundle.verifyAll();
    try {
      stem = load(bundle, executor, manifest.graphs().stem());
      for (int l = 1; l <= manifest.depth(); l++) {
        blocks.add(load(bundle, executor, manifest.block(l)));
      }
      head = load(bundle, executor, manifest.graphs().head());
      full = manifest.graphs().full() == null ? null : load(bundle, executor, manifest.graphs().full());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    image = ByteBuffer.allocateDirect(Math.multiplyExact(manifest.input().elementCount(), Float.BYTES)).order(ByteOrder.nativeOrder());
  }

  public BundleManifest manifest() {
    return manifest;
  }

  /** Block graph of 1-based {@code layer}. */
  public DesktopGraph block(int layer) {
    return blocks.get(layer - 1);
  }

  /** The monolithic graph, or null when the bundle has none. */
  public DesktopGraph full() {
    return full;
  }

  /** Every loaded graph (stem, blocks, head, full). */
  public List<DesktopGraph> graphs() {
    return List.copyOf(loaded);
  }

  /**
   * Runs one NHWC image ({@code imagesNhwc} from {@code offset}) through every block and returns
   * the head's logits after each: {@code [layer][class]}.
   */
  public float[][] layerLogits(float[] imagesNhwc, int offset) {
    fillImage(imagesNhwc, offset);
    ByteBuffer tokens = stem.run(image)[0];
    float[][] logits = new float[manifest.depth()][];
    for (int l = 0; l < logits.length; l++) {
      ByteBuffer[] out = blocks.get(l).run(tokens);
      tokens = out[0];
      logits[l] = floats(head.run(out[1])[0]);
    }
    return logits;
  }

  /** The monolithic graph's logits for one image. */
  public float[] fullLogits(float[] imagesNhwc, int offset) {
    fillImage(imagesNhwc, offset);
    return floats(full.run(image)[0]);
  }

  private void fillImage(float[] images, int offset) {
    image.clear();
    image.asFloatBuffer().put(images, offset, manifest.input().elementCount());
  }

  private static float[] floats(ByteBuffer buffer) {
    float[] values = new float[buffer.remaining() / Float.BYTES];
    buffer.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer().get(values);
    return values;
  }

  private DesktopGraph load(Bundle bundle, DesktopExecutor executor, BundleManifest.Graph graph) {
    DesktopGraph g = executor.load(graph, bundle.graph(graph));
    loaded.add(g);
    return g;
  }

  @Override
  public void close() {
    loaded.forEach(DesktopGraph::close);
    loaded.clear();
  }
}
