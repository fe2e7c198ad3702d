package org.elasticdepth.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.spi.Accelerator;
import org.elasticdepth.runtime.spi.BlockExecutor;
import org.elasticdepth.runtime.spi.ExecutionTarget;
import org.elasticdepth.runtime.spi.GraphException;
import org.elasticdepth.runtime.spi.LoadedGraph;

/**
 * Computes {@link FakeBundle}'s graphs in Java and counts what happens to them. With the first
 * pixel's normalised value {@code s}: the stem fills every token with {@code s}; each block adds
 * 1 and emits the CLS token; the head puts logit {@code v = cls[0]} on class {@code round(v) mod
 * 3} and 0 elsewhere. So after layer {@code l} the prediction is class {@code round(s+l) mod 3}
 * with confidence {@link #confidence}.
 */
final class FakeExecutor implements BlockExecutor {
  final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> closes = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  final List<String> events = Collections.synchronizedList(new ArrayList<>());
  volatile String failLoading;
  volatile boolean nanLogits;

  /** The head's confidence for logit {@code v} with 3 classes. */
  static float confidence(double v) {
    return (float) (Math.exp(v) / (Math.exp(v) + FakeBundle.CLASSES - 1));
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public LoadedGraph load(Graph graph, ByteBuffer model) {
    threads.add(Thread.currentThread());
    if (graph.file().equals(failLoading)) {
      throw new GraphException("cannot load " + graph.file() + " (test)");
    }
    loads.computeIfAbsent(graph.file(), f -> new AtomicInteger()).incrementAndGet();
    events.add("load " + graph.file());
    return new FakeGraph(graph);
  }

  int loaded(String file) {
    return count(loads, file) - count(closes, file);
  }

  static int count(Map<String, AtomicInteger> counts, String file) {
    AtomicInteger n = counts.get(file);
    return n == null ? 0 : n.get();
  }

  @Override
  public void close() {}

  private final class FakeGraph extends ComputedGraph {
    private boolean closed;

    FakeGraph(Graph spec) {
      super(spec);
    }

    @Override
    protected void compute(ByteBuffer input) {
      threads.add(Thread.currentThread());
      if (closed) {
        throw new IllegalStateException(spec.file() + " used after close");
      }
      runs.computeIfAbsent(spec.file(), f -> new AtomicInteger()).incrementAndGet();
      Tensor in = spec.inputs().get(0);
      if (input.remaining() != in.elementCount() * 4) {
        throw new GraphException(spec.file() + ": input has " + input.remaining() + " bytes, expected " + in.elementCount() * 4);
      }
      FloatBuffer x = input.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
      if (spec.file().equals("stem.tflite")) {
        fill(outputs[0], x.get(0));
      } else if (spec.file().equals("head.tflite")) {
        float v = x.get(0);
        fill(outputs[0], 0);
        outputs[0].putFloat(4 * Math.floorMod(Math.round(v), FakeBundle.CLASSES), nanLogits ? Float.NaN : v);
      } else {
        float v = x.get(0) + 1;
        fill(outputs[0], v);
        fill(outputs[1], v);
      }
    }

    private void fill(ByteBuffer buffer, float value) {
      for (int i = 0; i < buffer.capacity(); i += 4) {
        buffer.putFloat(i, value);
      }
    }

    @Override
    public ExecutionTarget target() {
      return ExecutionTarget.direct(Accelerator.CPU, "fake");
    }

    @Override
    public long residentBytes() {
      return spec.bytes();
    }

    @Override
    public void close() {
      threads.add(Thread.currentThread());
      if (!closed) {
        closed = true;
        closes.computeIfAbsent(spec.file(), f -> new AtomicInteger()).incrementAndGet();
        events.add("close " + spec.file());
      }
    }
  }
}
