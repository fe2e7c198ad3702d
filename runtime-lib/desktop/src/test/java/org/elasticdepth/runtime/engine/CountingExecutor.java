package org.elasticdepth.runtime.engine;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.spi.BlockExecutor;
import org.elasticdepth.runtime.spi.ExecutionTarget;
import org.elasticdepth.runtime.spi.LoadedGraph;

/** Wraps a real executor and counts, per graph file, how often it was loaded and closed, and on which threads. */
final class CountingExecutor implements BlockExecutor {
  private final BlockExecutor delegate;
  private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> closes = new ConcurrentHashMap<>();
  final Set<Thread> threads = ConcurrentHashMap.newKeySet();

  CountingExecutor(BlockExecutor delegate) {
    this.delegate = delegate;
  }

  int loads(String file) {
    AtomicInteger n = loads.get(file);
    return n == null ? 0 : n.get();
  }

  int closes(String file) {
    AtomicInteger n = closes.get(file);
    return n == null ? 0 : n.get();
  }

  /** Loaded and not yet closed. */
  int live(String file) {
    return loads(file) - closes(file);
  }

  @Override
  public long residentBytesEstimate(Graph graph) {
    return delegate.residentBytesEstimate(graph);
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public LoadedGraph load(Graph graph, ByteBuffer model) {
    threads.add(Thread.currentThread());
    LoadedGraph loaded = delegate.load(graph, model);
    loads.computeIfAbsent(graph.file(), f -> new AtomicInteger()).incrementAndGet();
    return new LoadedGraph() {
      private boolean closed;

      @Override
      public Graph spec() {
        return loaded.spec();
      }

      @Override
      public ByteBuffer[] run(ByteBuffer input) {
        threads.add(Thread.currentThread());
        return loaded.run(input);
      }

      @Override
      public ExecutionTarget target() {
        return loaded.target();
      }

      @Override
      public long residentBytes() {
        return loaded.residentBytes();
      }

      @Override
      public void close() {
        threads.add(Thread.currentThread());
        if (!closed) {
          closed = true;
          closes.computeIfAbsent(graph.file(), f -> new AtomicInteger()).incrementAndGet();
        }
        loaded.close();
      }
    };
  }

  @Override
  public void close() {
    delegate.close();
  }
}
