package org.elasticdepth.runtime.spi;

import java.nio.ByteBuffer;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;

/**
 * One TFLite graph of a bundle, ready to run: a thin wrapper over one interpreter.
 *
 * <p>Thread rules: not thread-safe. Use it from one thread at a time; implementations backed by
 * the GPU delegate additionally require the thread that created them. {@link
 * org.elasticdepth.runtime.ElasticClassifier} confines all its graphs to one owner thread.
 */
public interface LoadedGraph extends AutoCloseable {
  /** The manifest entry this graph was loaded from. */
  Graph spec();

  /**
   * Runs the graph on {@code input}, a float32 buffer in native byte order holding exactly the
   * graph's single input tensor (its remaining bytes are read, its position is not moved).
   *
   * @return one float32, native-order buffer per output tensor, in the manifest's order, owned by
   *     this graph: read-only views valid until the next {@code run} or {@link #close}. Executors
   *     may point them straight at native tensor memory so that activations travel from graph to
   *     graph without Java arrays.
   * @throws GraphException if the input size is wrong or the interpreter fails
   */
  ByteBuffer[] run(ByteBuffer input);

  /** Where this graph runs, including any per-graph fallback. */
  ExecutionTarget target();

  /**
   * Bytes this graph keeps resident: the model buffer plus the interpreter's tensor arena, as far
   * as the backend can tell.
   */
  long residentBytes();

  /** Releases the interpreter and its delegate. Idempotent. */
  @Override
  void close();
}
