package org.elasticdepth.runtime.android;

import android.content.Context;
import android.os.Build;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.spi.Accelerator;
import org.elasticdepth.runtime.spi.BlockExecutor;
import org.elasticdepth.runtime.spi.ExecutionTarget;
import org.elasticdepth.runtime.spi.GraphException;
import org.elasticdepth.runtime.spi.LoadedGraph;
import org.tensorflow.lite.Delegate;
import org.tensorflow.lite.Interpreter;
import org.tensorflow.lite.gpu.CompatibilityList;
import org.tensorflow.lite.gpu.GpuDelegate;
import org.tensorflow.lite.gpu.GpuDelegateFactory;
import org.tensorflow.lite.nnapi.NnApiDelegate;

/**
 * The {@link BlockExecutor} for Android: each graph gets its own {@code
 * org.tensorflow.lite.Interpreter} (TFLite 2.16.1) on the GPU delegate, NNAPI or the CPU with
 * XNNPACK, as {@link Options#accelerator()} asks.
 *
 * <p><b>Fallback per graph.</b> If a delegate cannot be created, refuses the graph, or fails its
 * first inference (run on zeros while loading), it is closed and the graph is loaded on the CPU;
 * {@link LoadedGraph#target()} then reports {@link ExecutionTarget#fellBack()} with the reason. Only
 * a failure on the CPU, or tensors that contradict the manifest, end in a {@link GraphException}.
 *
 * <p><b>GPU delegate.</b> {@link AcceleratorPreference#AUTO} uses it only when TFLite's {@code
 * CompatibilityList} supports this device. Its compiled programs are cached in {@link
 * Options#serializationCacheDir()} (normally {@link Context#getCodeCacheDir()}, which Android clears
 * when the app is updated) under one token per graph, derived from the graph's SHA-256, so the
 * second start of the app skips most of the delegate's initialisation. The manifest of this library
 * declares {@code <uses-native-library android:name="libOpenCL.so" android:required="false"/>} so
 * that Android 12+ lets the delegate use OpenCL rather than OpenGL ES. Once the GPU has refused a
 * graph, this executor does not try it again for the following graphs (each try builds a GPU
 * context of its own): they load on the CPU, recorded as a fallback with the first refusal.
 *
 * <p><b>NNAPI</b> is used only when asked for ({@link AcceleratorPreference#NNAPI}): it is
 * deprecated from Android 15. Below Android 8.1 (API 27) NNAPI does not exist: graphs load on the
 * CPU and say so in their {@link ExecutionTarget}.
 *
 * <p><b>16 KiB pages.</b> The TFLite {@value #TFLITE_VERSION} native libraries are aligned to 4 KiB;
 * on a device with larger pages {@link #load} throws {@link UnsupportedPageSizeException} before
 * any native call.
 *
 * <p><b>Thread rules.</b> Load every graph on the thread that will run and close it (the engine's
 * owner thread): a GPU delegate is bound to the thread that created it, and a GPU graph used from
 * another thread throws {@link IllegalStateException}. The executor itself may be created on any
 * thread. Not thread-safe.
 */
public final class AndroidExecutor implements BlockExecutor {
  /** The TFLite for Android this library is built with (see the root pom). */
  static final String TFLITE_VERSION = "2.16.1";
  /**
   * LOAD segment alignment of TFLite {@value #TFLITE_VERSION}'s native libraries, every ABI
   * ({@code readelf -lW libtensorflowlite_jni.so}: Align 0x1000). Newer TFLite is not on Maven Central.
   */
  static final long TFLITE_NATIVE_ALIGNMENT = PageSize.FOUR_KIB;
  /** NNAPI arrived with Android 8.1. */
  public static final int NNAPI_MIN_API = 27;

  private final Options options;
  private final LongSupplier pageSize;
  private final int sdkInt;
  private Boolean gpuOnCompatibilityList;
  /** Why the GPU refused a graph of this executor, once it has; later graphs do not try it again. */
  private volatile String gpuRefusal;
  private boolean closed;

  private AndroidExecutor(Options options, LongSupplier pageSize, int sdkInt) {
    this.options = options;
    this.pageSize = pageSize;
    this.sdkInt = sdkInt;
  }

  /** An executor with {@code options}. Creating it touches no native code. */
  public static AndroidExecutor create(Options options) {
    return new AndroidExecutor(options, PageSize::bytes, Build.VERSION.SDK_INT);
  }

  /** For tests: a device with another page size. */
  static AndroidExecutor create(Options options, LongSupplier pageSize) {
    return new AndroidExecutor(options, pageSize, Build.VERSION.SDK_INT);
  }

  /** An executor with the defaults and the GPU cache in {@code context}'s code-cache directory. */
  public static AndroidExecutor create(Context context) {
    return create(Options.builder().setSerializationCacheDir(context.getCodeCacheDir()).build());
  }

  public Options options() {
    return options;
  }

  @Override
  public String name() {
    return "android-tflite";
  }

  /**
   * {@inheritDoc}
   *
   * <p>{@code model} is handed to TFLite without a copy; keep it unmodified (a memory-mapped asset is
   * ideal). Call on the owner thread.
   */
  @Override
  public LoadedGraph load(Graph graph, ByteBuffer model) {
    if (closed) {
      throw new IllegalStateException("executor is closed; cannot load " + graph.file());
    }
    long page = pageSize.getAsLong();
    if (page > TFLITE_NATIVE_ALIGNMENT) {
      throw new UnsupportedPageSizeException(graph.file(), page, TFLITE_NATIVE_ALIGNMENT);
    }
    if (!model.isDirect()) {
      throw new GraphException(graph.file() + ": TFLite needs a direct (or memory-mapped) model buffer, got a heap buffer");
    }
    // TFLite refuses a direct model buffer in the other byte order, although the bytes are the same.
    ByteBuffer nativeModel = model.order() == ByteOrder.nativeOrder() ? model : model.duplicate().order(ByteOrder.nativeOrder());
    return DelegateFallback.load(graph.file(), attempts(), unavailable(), this::describe,
        target -> open(graph, nativeModel, target), this::refused);
  }

  /**
   * The first accelerator {@link #load} would try that is still available on this device and
   * executor (NNAPI below API 27 or a GPU that refused a graph are skipped): what the classifier
   * picks the bundle's precision for.
   */
  @Override
  public Accelerator preferredAccelerator() {
    Map<Accelerator, String> unavailable = unavailable();
    for (Accelerator a : attempts()) {
      if (!unavailable.containsKey(a)) {
        return a;
      }
    }
    return Accelerator.CPU;
  }

  private List<Accelerator> attempts() {
    return options.accelerator().attempts(options.accelerator().consultsCompatibilityList() && gpuOnCompatibilityList());
  }

  /** Accelerators not worth trying on this device or executor any more, and why. */
  private Map<Accelerator, String> unavailable() {
    Map<Accelerator, String> unavailable = new EnumMap<>(Accelerator.class);
    if (sdkInt < NNAPI_MIN_API) {
      unavailable.put(Accelerator.NNAPI, "NNAPI needs Android 8.1 (API " + NNAPI_MIN_API + "), this device runs API " + sdkInt);
    }
    String gpu = gpuRefusal;
    if (gpu != null) {
      unavailable.put(Accelerator.GPU, "the GPU refused an earlier graph of this executor (" + gpu + ")");
    }
    return unavailable;
  }

  private void refused(Accelerator accelerator, String reason) {
    if (accelerator == Accelerator.GPU && gpuRefusal == null) {
      gpuRefusal = reason;
    }
  }

  /** Why the GPU refused a graph of this executor, or null while it has refused none. */
  public String gpuRefusal() {
    return gpuRefusal;
  }

  private AndroidLoadedGraph open(Graph graph, ByteBuffer model, ExecutionTarget target) {
    Interpreter.Options interpreterOptions = new Interpreter.Options().setNumThreads(options.cpuThreads());
    // XNNPACK also runs whatever part of the graph a delegate leaves to the CPU.
    interpreterOptions.setUseXNNPACK(true);
    Delegate delegate = switch (target.accelerator()) {
      case GPU -> new GpuDelegate(gpuOptions(graph));
      case NNAPI -> new NnApiDelegate(nnApiOptions(graph));
      case CPU -> null;
    };
    Interpreter interpreter;
    try {
      if (delegate != null) {
        interpreterOptions.addDelegate(delegate);
      }
      interpreter = new Interpreter(model, interpreterOptions);
    } catch (RuntimeException | LinkageError e) {
      if (delegate != null) {
        delegate.close();
      }
      throw e;
    }
    return AndroidLoadedGraph.open(graph, model, interpreter, delegate, target);
  }

  private GpuDelegateFactory.Options gpuOptions(Graph graph) {
    GpuDelegateFactory.Options gpu = new GpuDelegate.Options()
        .setPrecisionLossAllowed(options.allowFp16())
        // The same graphs run frame after frame: favour steady throughput over first-run latency.
        .setInferencePreference(GpuDelegateFactory.Options.INFERENCE_PREFERENCE_SUSTAINED_SPEED);
    File cacheDir = options.serializationCacheDir();
    if (cacheDir != null) {
      gpu.setSerializationParams(cacheDir.getAbsolutePath(), modelToken(graph, options.allowFp16()));
    }
    return gpu;
  }

  private NnApiDelegate.Options nnApiOptions(Graph graph) {
    NnApiDelegate.Options nnapi = new NnApiDelegate.Options()
        .setAllowFp16(options.allowFp16())
        .setExecutionPreference(NnApiDelegate.Options.EXECUTION_PREFERENCE_SUSTAINED_SPEED)
        // NNAPI's reference CPU driver is far slower than XNNPACK: leave CPU work to TFLite.
        .setUseNnapiCpu(false);
    File cacheDir = options.serializationCacheDir();
    if (cacheDir != null) {
      nnapi.setCacheDir(cacheDir.getAbsolutePath()).setModelToken(modelToken(graph, options.allowFp16()));
    }
    return nnapi;
  }

  private String describe(Accelerator accelerator) {
    return describe(accelerator, options);
  }

  /** Free text for {@link ExecutionTarget#detail()}. */
  static String describe(Accelerator accelerator, Options options) {
    String precision = options.allowFp16() ? "fp16 allowed" : "fp32";
    String cache = options.serializationCacheDir() == null ? "no cache" : "serialization cache";
    return switch (accelerator) {
      case GPU -> "GPU delegate, " + precision + ", " + cache;
      case NNAPI -> "NNAPI (deprecated from Android 15), " + precision + ", " + cache;
      case CPU -> "XNNPACK, " + options.cpuThreads() + (options.cpuThreads() == 1 ? " thread" : " threads");
    };
  }

  /**
   * The delegate cache token of {@code graph}: its SHA-256 prefix plus the precision, because a
   * program compiled for fp16 must not be reused for fp32. Same graph bytes, same token, so
   * re-exported bundles invalidate the cache exactly when a graph changes.
   */
  static String modelToken(Graph graph, boolean allowFp16) {
    String sha = graph.sha256();
    if (sha == null || !sha.matches("[0-9a-f]{64}")) {
      throw new GraphException(graph.file() + " has no valid SHA-256 in the manifest (" + sha + "), needed for its cache token");
    }
    return "elasticdepth-" + sha.substring(0, 32) + (allowFp16 ? "-fp16" : "-fp32");
  }

  /** Asks TFLite's GPU allow-list once per executor. */
  private boolean gpuOnCompatibilityList() {
    if (gpuOnCompatibilityList == null) {
      gpuOnCompatibilityList = isGpuOnCompatibilityList();
    }
    return gpuOnCompatibilityList;
  }

  /**
   * Whether TFLite's GPU compatibility list supports the GPU delegate on this device (what {@link
   * AcceleratorPreference#AUTO} follows); a missing GPU library counts as "not supported".
   */
  public static boolean isGpuOnCompatibilityList() {
    try (CompatibilityList list = new CompatibilityList()) {
      return list.isDelegateSupportedOnThisDevice();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /**
   * The model file, the accelerator's copies of its weights and its input and output tensors, twice
   * (the interpreter's and this library's buffers), as {@link LoadedGraph#residentBytes()} counts
   * them after loading.
   */
  @Override
  public long residentBytesEstimate(Graph graph) {
    // the I/O tensors twice: the interpreter's and this library's buffers
    return graph.minimumResidentBytes() + graph.ioTensorBytes() + AndroidLoadedGraph.acceleratorWeightBytes(graph);
  }

  /** Graphs are closed by their owner; nothing executor-wide holds native memory. Idempotent. */
  @Override
  public void close() {
    closed = true;
  }

  /**
   * Immutable executor options, validated by {@link Builder#build()}.
   *
   * @param accelerator which accelerator to try first (CPU is always the fallback)
   * @param cpuThreads threads for XNNPACK and any CPU part of a delegated graph
   * @param serializationCacheDir where GPU programs (and NNAPI compilations) are cached, or {@code
   *     null} for no cache; normally {@link Context#getCodeCacheDir()}
   * @param allowFp16 let the GPU and NNAPI compute fp32 graphs in fp16: usually much faster on
   *     mobile GPUs, but confidences shift slightly, which can move an early exit near the threshold
   */
  public record Options(AcceleratorPreference accelerator, int cpuThreads, File serializationCacheDir, boolean allowFp16) {
    /** The most XNNPACK threads: beyond the big cores, more threads only add contention. */
    public static final int MAX_CPU_THREADS = 8;

    /** @throws IllegalArgumentException naming the first invalid option */
    public Options {
      if (accelerator == null) {
        throw new IllegalArgumentException("accelerator must not be null");
      }
      if (cpuThreads < 1 || cpuThreads > MAX_CPU_THREADS) {
        throw new IllegalArgumentException(String.format(Locale.ROOT, "cpuThreads must be in 1..%d, got %d", MAX_CPU_THREADS, cpuThreads));
      }
      if (serializationCacheDir != null && serializationCacheDir.exists() && !serializationCacheDir.isDirectory()) {
        throw new IllegalArgumentException("serializationCacheDir " + serializationCacheDir + " is not a directory");
      }
    }

    public static Builder builder() {
      return new Builder();
    }

    public Builder toBuilder() {
      return new Builder().setAccelerator(accelerator).setCpuThreads(cpuThreads).setSerializationCacheDir(serializationCacheDir)
          .setAllowFp16(allowFp16);
    }

    /** Builds {@link Options}; every setter may be called in any order, {@link #build()} validates. */
    public static final class Builder {
      private AcceleratorPreference accelerator = AcceleratorPreference.AUTO;
      private int cpuThreads = Math.min(4, Runtime.getRuntime().availableProcessors());
      private File serializationCacheDir;
      private boolean allowFp16 = true;

      private Builder() {}

      /** Default {@link AcceleratorPreference#AUTO}. */
      public Builder setAccelerator(AcceleratorPreference accelerator) {
        this.accelerator = accelerator;
        return this;
      }

      /** Default: the number of cores, at most 4. */
      public Builder setCpuThreads(int cpuThreads) {
        this.cpuThreads = cpuThreads;
        return this;
      }

      /** Default {@code null} (no cache); {@link AndroidExecutor#create(Context)} sets the code-cache dir. */
      public Builder setSerializationCacheDir(File serializationCacheDir) {
        this.serializationCacheDir = serializationCacheDir;
        return this;
      }

      /** Default {@code true}, as in TFLite's GPU delegate. */
      public Builder setAllowFp16(boolean allowFp16) {
        this.allowFp16 = allowFp16;
        return this;
      }

      /** @throws IllegalArgumentException naming the first invalid option */
      public Options build() {
        return new Options(accelerator, cpuThreads, serializationCacheDir, allowFp16);
      }
    }
  }
}
