package org.elasticdepth.runtime.android;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.desktop.ForwardingExecutor;
import org.elasticdepth.runtime.spi.BlockExecutor;
import org.elasticdepth.runtime.spi.ExecutionTarget;
import org.elasticdepth.runtime.spi.LoadedGraph;

/** Wraps a real executor and counts what is loaded and closed, to see that native resources are freed. */
final class CountingExecutor extends ForwardingExecutor {
  final AtomicInteger closes = new AtomicInteger();
  final List<CountingGraph> loaded = new CopyOnWriteArrayList<>();

  /** When set, every load first counts down {@code loadEntered} and then waits for this latch. */
  private volatile CountDownLatch loadGate;
  private volatile CountDownLatch loadEntered;

  CountingExecutor(BlockExecutor real) {
    super(real);
  }

  /** Makes every following load block (as a GPU delegate's init can) until {@code release} opens. */
  void blockLoads(CountDownLatch entered, CountDownLatch release) {
    loadEntered = entered;
    loadGate = release;
  }

  @Override
  public LoadedGraph load(Graph graph, ByteBuffer model) {
    CountDownLatch gate = loadGate;
    if (gate != null) {
      loadEntered.countDown();
      boolean interrupted = false;
      while (true) {
        try {
          gate.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // a native init would not stop either
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    CountingGraph g = new CountingGraph(super.load(graph, model));
    loaded.add(g);
    return g;
  }

  @Override
  public void close() {
    closes.incrementAndGet();
    super.close();
  }

  /** Files of the graphs loaded and not yet closed, in load order. */
  List<String> open() {
    List<String> files = new ArrayList<>();
    for (CountingGraph g : loaded) {
      if (g.closes.get() == 0) {
        files.add(g.spec().file());
      }
    }
    return files;
  }

  static final class CountingGraph implements LoadedGraph {
    private final LoadedGraph real;
    final AtomicInteger closes = new AtomicInteger();

    CountingGraph(LoadedGraph real) {
      this.real = real;
    }

    @Override
    public Graph spec() {
      return real.spec();
    }

    @Override
    public ByteBuffer[] run(ByteBuffer input) {
      return real.run(input);
    }

    @Override
    public ExecutionTarget target() {
      return real.target();
    }

    @Override
    public long residentBytes() {
      return real.residentBytes();
    }

    @Override
    public void close() {
      if (closes.incrementAndGet() == 1) {
        real.close();
      }
    }
  }
}
