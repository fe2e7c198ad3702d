package org.elasticdepth.runtime.desktop;

import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.bundle.graph.TinyGraphs;
import org.elasticdepth.runtime.spi.GraphException;
import org.junit.Test;

/**
 * An output tensor TFLite leaves without memory (an empty one: its data pointer is null) is a
 * GraphException naming the graph, not a NullPointerException. The structural validator refuses
 * such a graph before it gets here; this is the executor's own guard, for callers that load graphs
 * directly.
 */
public class TensorWithoutMemoryTest {
  @Test
  public void emptyOutputIsAGraphException() {
    Tensor in = new Tensor("x", new int[] {1, 4});
    List<Tensor> out = List.of(new Tensor("y", new int[] {1, 0}));
    byte[] bytes = TinyGraphs.graph(in, out, 0);
    Graph spec = new Graph("empty.tflite", null, 0, 0, 0, List.of(in), out).withContent(bytes);
    try (DesktopExecutor executor = DesktopExecutor.create()) {
      GraphException e = assertThrows(GraphException.class, () -> executor.load(spec, ByteBuffer.wrap(bytes)).close());
      assertTrue(e.getMessage(), e.getMessage().contains("empty.tflite"));
    }
  }
}
