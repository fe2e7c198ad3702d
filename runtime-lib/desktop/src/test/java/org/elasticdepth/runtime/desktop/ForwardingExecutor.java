package org.elasticdepth.runtime.desktop;

import java.nio.ByteBuffer;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.spi.BlockExecutor;
import org.elasticdepth.runtime.spi.LoadedGraph;

/**
 * A {@link BlockExecutor} that hands every call to a real one: tests subclass it to count,
 * or to fail on purpose, only the calls they care about.
 */
public abstract class ForwardingExecutor implements BlockExecutor {
  protected final BlockExecutor real;

  protected ForwardingExecutor(BlockExecutor real) {
    this.real = real;
  }

  @Override
  public String name() {
    return real.name();
  }

  @Override
  public LoadedGraph load(Graph graph, ByteBuffer model) {
    return real.load(graph, model);
  }

  @Override
  public long residentBytesEstimate(Graph graph) {
    return real.residentBytesEstimate(graph);
  }

  @Override
  public void close() {
    real.close();
  }
}
