package org.elasticdepth.app;

import static org.robolectric.Shadows.shadowOf;

import android.app.ActivityManager;
import android.content.Context;
import android.os.Looper;
import androidx.test.core.app.ApplicationProvider;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.elasticdepth.app.DemoSettings.ExecutorChoice;
import org.elasticdepth.runtime.android.AssetBundles;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.Polling;
import org.elasticdepth.runtime.desktop.TestBundles;
import org.elasticdepth.runtime.spi.BlockExecutor;

/** Runs the demo on the desktop TFLite executor, which executes the same bundles on the JVM. */
final class TestRuntimes {
  private TestRuntimes() {}

  /** The app's own bundle (assets/bundle, the exporter's default model) on desktop TFLite. */
  static RuntimeFactory appBundle() {
    return desktop(() -> AssetBundles.fromAssets(ApplicationProvider.<Context>getApplicationContext(), RuntimeFactory.BUNDLE_ASSET_DIR));
  }

  /** runtime-desktop's tiny fixture: random weights, depth 3, 28x28x1, Fashion-MNIST labels. */
  static RuntimeFactory tinyBundle() {
    return desktop(() -> Bundle.fromBuffers(TestBundles.buffers(TestBundles.TINY)));
  }

  /** The tiny fixture with one file replaced, to see how the app copes with a broken bundle. */
  static RuntimeFactory tinyBundleWith(String file, ByteBuffer content) {
    return desktop(() -> {
      Map<String, ByteBuffer> files = TestBundles.buffers(TestBundles.TINY);
      files.put(file, content);
      return Bundle.fromBuffers(files);
    });
  }

  static RuntimeFactory desktop(Supplier<Bundle> bundle) {
    return new RuntimeFactory() {
      @Override
      public Bundle openBundle(Context context) {
        return bundle.get();
      }

      @Override
      public BlockExecutor createExecutor(Context context, ExecutorChoice choice, int threads) {
        // Desktop TFLite has only the CPU: the choice is the Android executor's business.
        return DesktopExecutor.create(DesktopExecutor.Options.builder()
            .setNumThreads(threads == DemoSettings.AUTO_THREADS ? 1 : threads).build());
      }
    };
  }

  /** Installs {@code factory} and gives the (Robolectric) device plenty of memory, like a phone at rest. */
  static void install(RuntimeFactory factory) {
    DemoApplication app = ApplicationProvider.getApplicationContext();
    app.setRuntimeFactory(factory);
    ActivityManager am = (ActivityManager) app.getSystemService(Context.ACTIVITY_SERVICE);
    ActivityManager.MemoryInfo info = new ActivityManager.MemoryInfo();
    info.availMem = 2L << 30;
    info.threshold = 256L << 20;
    info.totalMem = 4L << 30;
    shadowOf(am).setMemoryInfo(info);
    shadowOf(am).setMemoryClass(256);
  }

  /**
   * Runs the main looper until {@code condition} holds: results come from the classifier's
   * threads and are posted to the main thread, which Robolectric only runs when asked.
   */
  static void await(String what, BooleanSupplier condition) {
    Polling.await(what, Duration.ofSeconds(30), () -> shadowOf(Looper.getMainLooper()).idle(), condition);
  }
}
