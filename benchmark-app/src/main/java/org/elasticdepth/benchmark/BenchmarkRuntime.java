package org.elasticdepth.benchmark;

import android.content.Context;
import org.elasticdepth.runtime.android.AndroidExecutor;
import org.elasticdepth.runtime.android.AssetBundles;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.spi.BlockExecutor;

/**
 * Where the benchmark gets its bundle and executors. The app uses {@link #ANDROID} (the bundle in
 * {@code assets/bundle/}, TFLite for Android); JVM tests install another through {@link
 * BenchmarkApplication#setRuntime}, e.g. the desktop executor, which runs the same bundle without
 * a phone.
 *
 * <p>Both methods are called on the suite's background thread; {@link #createExecutor} once per
 * executor configuration and precision of the bundle, and a configuration whose executor cannot be
 * created (it throws) is recorded as failed while the suite goes on.
 */
public interface BenchmarkRuntime {
  /** The assets folder of the bundle exported by the exporter's default command. */
  String BUNDLE_ASSET_DIR = "bundle";

  /** Opens the bundle to measure. @throws org.elasticdepth.runtime.bundle.BundleException if it is unusable */
  Bundle openBundle(Context context);

  /** A fresh executor for {@code choice}. */
  BlockExecutor createExecutor(Context context, ExecutorChoice choice);

  /**
   * Whether TFLite's GPU compatibility list supports this device's GPU; the GPU configuration runs
   * only then, unless the request forces it.
   */
  default boolean gpuOnCompatibilityList(Context context) {
    return AndroidExecutor.isGpuOnCompatibilityList();
  }

  /** The bundle from the APK's assets on TFLite for Android. */
  BenchmarkRuntime ANDROID = new BenchmarkRuntime() {
    @Override
    public Bundle openBundle(Context context) {
      return AssetBundles.fromAssets(context, BUNDLE_ASSET_DIR);
    }

    @Override
    public BlockExecutor createExecutor(Context context, ExecutorChoice choice) {
      // Same cache as the demo app, so init times are what an app pays; a graph's very first
      // load on a device also compiles its GPU program into that cache.
      return AndroidExecutor.create(AndroidExecutor.Options.builder()
          .setAccelerator(choice.accelerator())
          .setCpuThreads(choice.threads())
          .setSerializationCacheDir(context.getCodeCacheDir())
          .build());
    }
  };
}
