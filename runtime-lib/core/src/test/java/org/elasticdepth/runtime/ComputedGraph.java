package org.elasticdepth.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.spi.LoadedGraph;

/**
 * A test fake's graph whose outputs are computed in Java: it owns one direct output buffer per
 * output tensor and, like a real executor, returns read-only views of them from {@link #run}.
 */
public abstract class ComputedGraph implements LoadedGraph {
  protected final Graph spec;
  protected final ByteBuffer[] outputs;

  protected ComputedGraph(Graph spec) {
    this.spec = spec;
    outputs = new ByteBuffer[spec.outputs().size()];
    for (int i = 0; i < outputs.length; i++) {
      outputs[i] = ByteBuffer.allocateDirect(spec.outputs().get(i).elementCount() * 4).order(ByteOrder.nativeOrder());
    }
  }

  /** Checks {@code input} and writes this graph's results into {@link #outputs}. */
  protected abstract void compute(ByteBuffer input);

  @Override
  public Graph spec() {
    return spec;
  }

  @Override
  public final ByteBuffer[] run(ByteBuffer input) {
    compute(input);
    ByteBuffer[] views = new ByteBuffer[outputs.length];
    for (int i = 0; i < views.length; i++) {
      views[i] = outputs[i].asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }
    return views;
  }
}
