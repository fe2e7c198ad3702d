package org.elasticdepth.exporter.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.exporter.data.DatasetException;
import org.elasticdepth.exporter.data.FashionMnist;
import org.elasticdepth.exporter.data.ImageFolder;
import org.elasticdepth.exporter.data.ImageSet;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.benchmark.BenchmarkSuite;
import org.elasticdepth.runtime.benchmark.LabelledSample;
import org.elasticdepth.runtime.benchmark.ProgressListener;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.desktop.DesktopExecutor;

/**
 * The desktop twin of benchmark-app: the same {@link BenchmarkSuite} with one {@link
 * DesktopExecutor} per thread count, a labelled image folder or the Fashion-MNIST test set as the
 * labelled samples.
 */
public final class DesktopBenchmark {
  private DesktopBenchmark() {}

  /**
   * What {@code exporter bench} was asked for. {@code samples} 0 skips the early-exit and exit-policy
   * passes; empty {@code latencyTargetsMs}: the suite's default targets (depth-1 to full-depth time).
   */
  public record Request(List<Integer> threads, List<Integer> depths, int warmupRuns, int timedRuns, int samples,
      Path data, Double threshold, double sustainedSeconds, List<Double> latencyTargetsMs) {
    public Request(List<Integer> threads, List<Integer> depths, int warmupRuns, int timedRuns, int samples, Path data,
        Double threshold, double sustainedSeconds) {
      this(threads, depths, warmupRuns, timedRuns, samples, data, threshold, sustainedSeconds, List.of());
    }
  }

  public static BenchmarkResult run(Bundle bundle, Request request, String generator, ProgressListener listener)
      throws DatasetException {
    BenchmarkSuite.Options.Builder options = BenchmarkSuite.Options.builder()
        .device(DesktopDevice.describe())
        .generator(generator)
        .depths(request.depths())
        .warmupRuns(request.warmupRuns())
        .timedRuns(request.timedRuns())
        .sustainedSeconds(request.sustainedSeconds())
        .latencyTargetsMs(request.latencyTargetsMs())
        .processResidentBytes(DesktopDevice::processResidentBytes)
        .samples(request.samples() > 0 ? labelledSamples(bundle.manifest(), request.data(), request.samples()) : List.of());
    if (request.threshold() != null) {
      options.threshold(request.threshold());
    }
    for (int n : request.threads()) {
      DesktopExecutor.Options executor = DesktopExecutor.Options.builder().setNumThreads(n).build();
      options.addExecutor(executorName(n), () -> DesktopExecutor.create(executor));
    }
    return BenchmarkSuite.create(options.build()).run(bundle, listener);
  }

  public static String executorName(int threads) {
    return "CPU " + threads + (threads == 1 ? " thread" : " threads");
  }

  /**
   * The labelled images of the early-exit pass: an image folder's (its {@code test/} split when it has one) translated
   * exactly as the runtime translates a picture ({@link org.elasticdepth.runtime.InputTranslator}), or Fashion-MNIST's
   * test set.
   */
  static List<LabelledSample> labelledSamples(BundleManifest manifest, Path data, int count) throws DatasetException {
    if (data != null && !Files.exists(data.resolve("t10k-images-idx3-ubyte.gz"))
        && !Files.exists(data.resolve("t10k-images-idx3-ubyte")) && ImageFolder.looksLikeImageFolder(data)) {
      Path root = Files.isDirectory(data.resolve("test")) && Files.isDirectory(data.resolve("train"))
          ? data.resolve("test") : data;
      return ImageFolder.samples(root, manifest, count);
    }
    return fashionMnistTest(manifest, data, count);
  }

  /**
   * The first {@code count} Fashion-MNIST test images normalised for {@code manifest}'s stem.
   *
   * @throws IllegalArgumentException if the bundle does not take 28x28x1 images of 10 classes
   */
  static List<LabelledSample> fashionMnistTest(BundleManifest manifest, Path data, int count) throws DatasetException {
    BundleManifest.Input input = manifest.input();
    if (input.height() != FashionMnist.IMAGE_SIZE || input.width() != FashionMnist.IMAGE_SIZE || input.channels() != 1
        || manifest.model().numClasses() != FashionMnist.LABELS.size()) {
      throw new IllegalArgumentException("the bundle takes " + input.height() + "x" + input.width() + "x"
          + input.channels() + " images of " + manifest.model().numClasses()
          + " classes, not Fashion-MNIST's 28x28x1 of 10: pass --samples 0 to skip the early-exit pass");
    }
    ImageSet test = FashionMnist.test(FashionMnist.locate(data));
    int n = Math.min(count, test.size());
    List<LabelledSample> samples = new ArrayList<>(n);
    byte[] pixels = new byte[test.imageBytes()];
    for (int i = 0; i < n; i++) {
      test.copyPixels(i, pixels, 0); // one channel: CHW and HWC are the same bytes
      samples.add(LabelledSample.fromPixels(input, pixels, test.label(i)));
    }
    return samples;
  }
}
