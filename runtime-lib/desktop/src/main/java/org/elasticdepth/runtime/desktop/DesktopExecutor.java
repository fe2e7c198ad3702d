package org.elasticdepth.runtime.desktop;

import java.nio.ByteBuffer;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.spi.BlockExecutor;

/**
 * The {@link BlockExecutor} on desktop TensorFlow Lite (org.bytedeco tensorflow-lite, Linux
 * x86-64): CPU only, through the XNNPACK delegate by default. Used by the exporter's {@code verify}
 * and by JVM tests; Android uses runtime-android instead.
 *
 * <pre>{@code
 * try (DesktopExecutor executor = DesktopExecutor.create(DesktopExecutor.Options.builder().setNumThreads(2).build());
 *     DesktopGraph block = executor.load(manifest.block(1), bundle.graph(manifest.block(1)))) {
 *   ByteBuffer[] out = block.run(tokens);
 * }
 * }</pre>
 *
 * <p>Every model is checked by TFLite's flatbuffer verifier before an interpreter is built, so a
 * truncated or malformed file is a {@link GraphException}, not a native crash; its tensor shapes
 * are then checked against the manifest's.
 *
 * <p>Thread rules: as {@link BlockExecutor}. The executor holds one op resolver that all its
 * graphs share (freed when the executor and its last graph are closed); each {@link DesktopGraph}
 * owns one interpreter and must be closed.
 */
public final class DesktopExecutor implements BlockExecutor {
  /** Immutable settings; build with {@link #builder()}. */
  public static final class Options {
    private final int numThreads;
    private final boolean useXnnpack;

    private Options(Builder b) {
      this.numThreads = b.numThreads;
      this.useXnnpack = b.useXnnpack;
    }

    public static Builder builder() {
      return new Builder();
    }

    /** Defaults: 1 thread, XNNPACK on. */
    public static Options defaults() {
      return builder().build();
    }

    public int numThreads() {
      return numThreads;
    }

    public boolean useXnnpack() {
      return useXnnpack;
    }

    /** Builder for {@link Options}; {@link #build()} validates. */
    public static final class Builder {
      private int numThreads = 1;
      private boolean useXnnpack = true;

      private Builder() {}

      /** Threads per interpreter (XNNPACK's thread pool), at least 1. */
      public Builder setNumThreads(int numThreads) {
        this.numThreads = numThreads;
        return this;
      }

      /** false runs TFLite's reference/optimized CPU kernels without the XNNPACK delegate. */
      public Builder setUseXnnpack(boolean useXnnpack) {
        this.useXnnpack = useXnnpack;
        return this;
      }

      public Options build() {
        if (numThreads < 1) {
          throw new IllegalArgumentException("numThreads must be >= 1, got " + numThreads);
        }
        return new Options(this);
      }
    }
  }

  private final Options options;
  private final SharedOpResolver resolver;
  private boolean closed;

  private DesktopExecutor(Options options) {
    this.options = options;
    this.resolver = new SharedOpResolver(options.useXnnpack());
  }

  public static DesktopExecutor create() {
    return create(Options.defaults());
  }

  public static DesktopExecutor create(Options options) {
    return new DesktopExecutor(options);
  }

  public Options options() {
    return options;
  }

  @Override
  public String name() {
    return "desktop-tflite";
  }

  /**
   * Verifies {@code model}, builds its interpreter, allocates its tensors and checks them against
   * {@code graph}'s signature. A heap buffer is copied to native memory; a direct (e.g.
   * memory-mapped) one is used in place and must outlive the returned graph, which references it.
   */
  @Override
  public DesktopGraph load(Graph graph, ByteBuffer model) {
    if (closed) {
      throw new IllegalStateException("executor is closed");
    }
    return DesktopGraph.load(graph, model, resolver, options);
  }

  /** The model file, its input and output tensors, and the kernels' copies of the weights ({@link DesktopGraph#residentBytes()}). */
  @Override
  public long residentBytesEstimate(Graph graph) {
    return graph.minimumResidentBytes() + DesktopGraph.weightCopyBytes(graph, options.useXnnpack());
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      resolver.release();
    }
  }
}
