package org.elasticdepth.app;

import android.content.Context;
import org.elasticdepth.app.DemoSettings.ExecutorChoice;
import org.elasticdepth.runtime.android.AcceleratorPreference;
import org.elasticdepth.runtime.android.AndroidExecutor;
import org.elasticdepth.runtime.android.AssetBundles;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.spi.BlockExecutor;

/**
 * Where the demo gets its bundle and executor. The app uses {@link #ANDROID} (the bundle in {@code
 * assets/bundle/}, TFLite for Android); JVM tests install another through {@link
 * DemoApplication#setRuntimeFactory}, e.g. the desktop executor, which runs the same bundle
 * without a phone.
 *
 * <p>Both methods are called on the classifier's owner thread.
 */
public interface RuntimeFactory {
  /** The assets folder of the bundle exported by the exporter's default command. */
  String BUNDLE_ASSET_DIR = "bundle";

  /** Opens the bundle to classify with. @throws org.elasticdepth.runtime.bundle.BundleException if it is unusable */
  Bundle openBundle(Context context);

  /** An executor for the user's choice; {@code threads} is {@link DemoSettings#AUTO_THREADS} or 1..8. */
  BlockExecutor createExecutor(Context context, ExecutorChoice choice, int threads);

  /** The bundle from the APK's assets on TFLite for Android. */
  RuntimeFactory ANDROID = new RuntimeFactory() {
    @Override
    public Bundle openBundle(Context context) {
      return AssetBundles.fromAssets(context, BUNDLE_ASSET_DIR);
    }

    @Override
    public BlockExecutor createExecutor(Context context, ExecutorChoice choice, int threads) {
      AndroidExecutor.Options.Builder options = AndroidExecutor.Options.builder()
          .setAccelerator(preference(choice))
          .setSerializationCacheDir(context.getCodeCacheDir());
      if (threads != DemoSettings.AUTO_THREADS) {
        options.setCpuThreads(threads);
      }
      return AndroidExecutor.create(options.build());
    }

    private AcceleratorPreference preference(ExecutorChoice choice) {
      return switch (choice) {
        case AUTO -> AcceleratorPreference.AUTO;
        case GPU -> AcceleratorPreference.GPU;
        case NNAPI -> AcceleratorPreference.NNAPI;
        case CPU -> AcceleratorPreference.CPU;
      };
    }
  };
}
