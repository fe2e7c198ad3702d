package org.elasticdepth.benchmark;

import android.content.Context;
import java.io.File;
import java.io.IOException;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import org.elasticdepth.runtime.benchmark.BenchmarkJson;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.benchmark.BenchmarkSuite;
import org.elasticdepth.runtime.benchmark.LabelledSample;
import org.elasticdepth.runtime.benchmark.ProgressListener;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleManifest;

/**
 * One benchmark run from start to file: opens the bundle, reads the sample set, runs the {@link
 * BenchmarkSuite} with the requested executors and writes the result JSON atomically.
 *
 * <p>Thread rules: {@link #run} blocks for as long as the suite takes and must run on a background
 * thread, which then owns every executor (GPU delegates are bound to it). Interrupting that thread
 * cancels the run; nothing is written then. The listener is called on that thread.
 */
final class BenchmarkJob implements Runnable {
  /** Told what happens, on the job's thread. Exactly one of the last three methods ends every run. */
  interface Listener extends ProgressListener {
    /** Something worth knowing that does not stop the run. */
    void onNote(String note);

    void onFinished(BenchmarkResult result, File file);

    void onFailed(String error, Throwable cause);

    void onCancelled();
  }

  private final Context context;
  private final BenchmarkRuntime runtime;
  private final BenchmarkRequest request;
  private final List<ExecutorChoice> executors;
  private final File outputDir;
  private final File bundlesDir;
  private final String generator;
  private final Listener listener;

  /**
   * @param executors the configurations {@code request} names, already resolved, in suite order
   * @param outputDir where the result is written, as {@link BenchmarkRequest#outName()} or a timestamped name
   * @param bundlesDir where pushed bundles are looked for ({@link BenchmarkRequest#bundle()})
   */
  BenchmarkJob(Context context, BenchmarkRuntime runtime, BenchmarkRequest request, List<ExecutorChoice> executors,
      File outputDir, File bundlesDir, String generator, Listener listener) {
    this.context = context.getApplicationContext();
    this.runtime = runtime;
    this.request = request;
    this.executors = List.copyOf(executors);
    this.outputDir = outputDir;
    this.bundlesDir = bundlesDir;
    this.generator = generator;
    this.listener = listener;
  }

  @Override
  public void run() {
    try {
      String bundleName = request.bundle() == null ? PushedBundles.BUILT_IN : request.bundle();
      listener.onProgress("", "opening and verifying bundle " + bundleName, 0, 1);
      BenchmarkResult result;
      try (Bundle bundle = request.bundle() == null ? runtime.openBundle(context)
          : PushedBundles.open(bundlesDir, request.bundle())) {
        BenchmarkSuite.Options.Builder options = BenchmarkSuite.Options.builder()
            .device(DeviceProbes.device(context))
            .generator(generator)
            .depths(request.depths())
            .warmupRuns(request.warmup())
            .timedRuns(request.runs())
            .sustainedSeconds(request.sustainedSeconds())
            .samples(samples(bundle.manifest()))
            .processResidentBytes(DeviceProbes::residentBytes)
            .thermalStatus(() -> DeviceProbes.thermalStatus(context));
        boolean gpuListed = !request.forceGpu() && executors.stream().anyMatch(ExecutorChoice::isGpu)
            && runtime.gpuOnCompatibilityList(context);
        for (ExecutorChoice choice : executors) {
          if (choice.isGpu() && !request.forceGpu() && !gpuListed) {
            options.addExecutor(choice.displayName(), () -> {
              throw new GpuNotOnCompatibilityList();
            });
          } else {
            options.addExecutor(choice.displayName(), () -> runtime.createExecutor(context, choice));
          }
        }
        result = BenchmarkSuite.create(options.build()).run(bundle, listener);
      }
      File file = new File(outputDir, request.outName() != null ? request.outName() : defaultName());
      listener.onProgress("", "writing " + file.getName(), 1, 1);
      BenchmarkJson.write(result, file);
      listener.onFinished(result, file);
    } catch (CancellationException e) {
      listener.onCancelled();
    } catch (RuntimeException | LinkageError e) {
      // An unusable bundle, a depth beyond it, an unwritable folder: the run as a whole cannot go on.
      listener.onFailed(message(e), e);
    }
  }

  /** The labelled samples for the early-exit pass, or none (with a note) if they cannot serve this bundle. */
  private List<LabelledSample> samples(BundleManifest manifest) {
    if (request.samples() == 0) {
      return List.of();
    }
    try {
      return SampleSet.read(context.getAssets(), manifest, request.samples());
    } catch (IOException | IllegalArgumentException e) {
      listener.onNote("early-exit pass skipped, the sample set is unusable: " + message(e));
      return new ArrayList<>();
    }
  }

  private static String defaultName() {
    return "benchmark-" + new SimpleDateFormat("yyyyMMdd-HHmmss", Locale.ROOT).format(new Date()) + ".json";
  }

  static String message(Throwable e) {
    String m = e.getMessage();
    String type = e instanceof BundleException b ? "bad bundle (" + b.problem() + ")" : e.getClass().getSimpleName();
    return type + (m == null || m.trim().isEmpty() ? "" : ": " + m);
  }

  /** The GPU configuration is not run where TFLite's compatibility list does not support the GPU. */
  static final class GpuNotOnCompatibilityList extends IllegalStateException {
    GpuNotOnCompatibilityList() {
      super("not run: TFLite's GPU compatibility list does not support this device's GPU (a driver it lists"
          + " as broken can crash the process); start with --ez forceGpu true to run it anyway");
    }
  }
}
