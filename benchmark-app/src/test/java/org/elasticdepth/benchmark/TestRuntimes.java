package org.elasticdepth.benchmark;

import static org.robolectric.Shadows.shadowOf;

import android.app.ActivityManager;
import android.content.Context;
import android.os.Looper;
import androidx.test.core.app.ApplicationProvider;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.elasticdepth.runtime.android.AcceleratorPreference;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.ForwardingExecutor;
import org.elasticdepth.runtime.desktop.Polling;
import org.elasticdepth.runtime.desktop.TestBundles;
import org.elasticdepth.runtime.spi.BlockExecutor;
import org.elasticdepth.runtime.spi.GraphException;
import org.elasticdepth.runtime.spi.LoadedGraph;

/** Runs the benchmark on the desktop TFLite executor, which executes the same bundles on the JVM. */
final class TestRuntimes {
  static final String NO_DELEGATE = "desktop TFLite has no GPU or NNAPI delegate";

  private TestRuntimes() {}

  /**
   * runtime-desktop's tiny fixture (random weights, depth 3, 28x28x1, Fashion-MNIST labels) on
   * desktop TFLite: CPU configurations run with their thread count; GPU and NNAPI cannot be
   * created there, so they fail as a phone without those delegates would.
   *
   * @param brokenFile a graph file whose loading fails (as a delegate rejecting it would), or null
   */
  static BenchmarkRuntime tinyBundle(String brokenFile) {
    return desktop(() -> Bundle.fromBuffers(TestBundles.buffers(TestBundles.TINY)), brokenFile, true);
  }

  /** runtime-desktop's tiny random-weight model in fp32 and fp16 (one version-2 bundle) on desktop TFLite. */
  static BenchmarkRuntime tinyTwoPrecisionBundle() {
    return desktop(() -> Bundle.fromBuffers(TestBundles.buffers(TestBundles.TINY_FP32_FP16)), null, true);
  }

  /** The app's own bundle, opened from assets exactly as on a phone, run on desktop TFLite. */
  static BenchmarkRuntime appBundle() {
    return desktop(() -> BenchmarkRuntime.ANDROID.openBundle(ApplicationProvider.getApplicationContext()), null, true);
  }

  /**
   * As {@link #tinyBundle}, on a device whose GPU is ({@code gpuListed}) or is not on TFLite's
   * compatibility list; every configuration it is asked to create is added to {@code created}.
   */
  static BenchmarkRuntime tinyBundle(boolean gpuListed, List<String> created) {
    BenchmarkRuntime real = desktop(() -> Bundle.fromBuffers(TestBundles.buffers(TestBundles.TINY)), null, gpuListed);
    return new BenchmarkRuntime() {
      @Override
      public Bundle openBundle(Context context) {
        return real.openBundle(context);
      }

      @Override
      public BlockExecutor createExecutor(Context context, ExecutorChoice choice) {
        created.add(choice.key());
        return real.createExecutor(context, choice);
      }

      @Override
      public boolean gpuOnCompatibilityList(Context context) {
        return real.gpuOnCompatibilityList(context);
      }
    };
  }

  private static BenchmarkRuntime desktop(Supplier<Bundle> bundle, String brokenFile, boolean gpuListed) {
    return new BenchmarkRuntime() {
      @Override
      public Bundle openBundle(Context context) {
        return bundle.get();
      }

      @Override
      public boolean gpuOnCompatibilityList(Context context) {
        return gpuListed;
      }

      @Override
      public BlockExecutor createExecutor(Context context, ExecutorChoice choice) {
        if (choice.accelerator() != AcceleratorPreference.CPU) {
          throw new UnsupportedOperationException(NO_DELEGATE);
        }
        BlockExecutor desktop = DesktopExecutor.create(DesktopExecutor.Options.builder().setNumThreads(choice.threads()).build());
        return brokenFile == null ? desktop : new Failing(desktop, brokenFile);
      }
    };
  }

  /** Installs {@code runtime} and gives the (Robolectric) device some RAM to report. */
  static void install(BenchmarkRuntime runtime) {
    BenchmarkApplication app = ApplicationProvider.getApplicationContext();
    app.setRuntime(runtime);
    ActivityManager am = (ActivityManager) app.getSystemService(Context.ACTIVITY_SERVICE);
    ActivityManager.MemoryInfo info = new ActivityManager.MemoryInfo();
    info.availMem = 2L << 30;
    info.threshold = 256L << 20;
    info.totalMem = 4L << 30;
    shadowOf(am).setMemoryInfo(info);
  }

  /**
   * Runs the main looper until {@code condition} holds: the suite reports from its own thread and
   * posts to the main thread, which Robolectric only runs when asked.
   */
  static void await(String what, BooleanSupplier condition) {
    Polling.await(what, Duration.ofSeconds(60), () -> shadowOf(Looper.getMainLooper()).idle(), condition);
  }

  /** An executor whose loading of one graph file fails, like a delegate that rejects it. */
  private static final class Failing extends ForwardingExecutor {
    private final String brokenFile;

    Failing(BlockExecutor real, String brokenFile) {
      super(real);
      this.brokenFile = brokenFile;
    }

    @Override
    public LoadedGraph load(Graph graph, ByteBuffer model) {
      if (graph.file().equals(brokenFile)) {
        throw new GraphException(graph.file() + ": rejected on purpose by the test");
      }
      return super.load(graph, model);
    }
  }
}
