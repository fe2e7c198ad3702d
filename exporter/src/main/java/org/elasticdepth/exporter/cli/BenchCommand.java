package org.elasticdepth.exporter.cli;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.elasticdepth.exporter.bench.BenchTable;
import org.elasticdepth.exporter.bench.DesktopBenchmark;
import org.elasticdepth.exporter.io.PortablePaths;
import org.elasticdepth.runtime.benchmark.BenchmarkJson;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.bundle.Bundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bench}: the benchmark-app suite on desktop TFLite, written in the same JSON schema. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks a bundle on desktop TFLite (one executor per thread count): latency per depth, chained "
        + "blocks vs full.tflite, early exit on labelled images (an image folder, or the Fashion-MNIST test set), the "
        + "guaranteed and latency-target exit policies (predicted vs measured accuracy and latency), resident memory. Prints the table and "
        + "writes the result JSON (docs/benchmark-schema.md).")
public final class BenchCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "BUNDLE_DIR", description = "a bundle directory (or .zip)")
  File bundleDir;

  @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "where to write the result")
  Path out;

  @Option(names = "--threads", split = ",", defaultValue = "1", paramLabel = "N[,N...]",
      description = "CPU thread counts to measure, one executor each (default: ${DEFAULT-VALUE})")
  List<Integer> threads;

  @Option(names = "--depths", split = ",", paramLabel = "D[,D...]", description = "depths to measure (default: 1..L)")
  List<Integer> depths = List.of();

  @Option(names = "--runs", defaultValue = "100", description = "timed runs per depth (default: ${DEFAULT-VALUE})")
  int runs;

  @Option(names = "--warmup", defaultValue = "10", description = "warm-up runs per depth (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--samples", defaultValue = "10000",
      description = "labelled images for the early-exit pass, 0 to skip it (default: ${DEFAULT-VALUE}; an image "
          + "folder gives at most what it holds, spread over its classes)")
  int samples;

  @Option(names = "--data", paramLabel = "DIR", description = "a labelled image folder (one sub-folder per class, named "
      + "as the bundle's labels; its test/ split if it has train/ and test/), translated as the runtime translates "
      + "pictures; or a Fashion-MNIST directory (default: $FASHION_MNIST_DIR, then the Debian package's)")
  Path data;

  @Option(names = "--threshold", description = "early-exit threshold (default: the bundle's calibrated one)")
  Double threshold;

  @Option(names = "--latency-targets", split = ",", paramLabel = "MS[,MS...]",
      description = "mean-latency targets for ExitPolicy.forLatency, in ms (default: 6 from the classifier's depth-1 "
          + "to its full-depth time)")
  List<Double> latencyTargets = List.of();

  @Option(names = "--sustained-seconds", defaultValue = "0", description = "length of the sustained run, 0 to skip it")
  double sustainedSeconds;

  @Override
  public Integer call() throws Exception {
    for (int n : threads) {
      if (n < 1) {
        throw new IllegalArgumentException("--threads values must be >= 1, got " + n);
      }
    }
    if (samples < 0) {
      throw new IllegalArgumentException("--samples must be >= 0, got " + samples);
    }
    BenchmarkResult result;
    try (Bundle bundle = bundleDir.isFile() ? Bundle.fromZip(bundleDir) : Bundle.fromDirectory(bundleDir)) {
      DesktopBenchmark.Request request = new DesktopBenchmark.Request(threads, depths, warmup, runs, samples, data,
          threshold, sustainedSeconds, latencyTargets);
      result = DesktopBenchmark.run(bundle, request, "exporter bench 0.1.0",
          (executor, stage, step, total) -> System.err.printf(Locale.ROOT, "[%d/%d] %s: %s%n", step, total, executor, stage));
    }
    // the result names the bundle relative to itself, not by this machine's absolute path
    Path resultDir = out.toAbsolutePath().getParent();
    result = result.withBundleLocation(PortablePaths.relative(bundleDir.toPath(), resultDir));
    BenchmarkJson.write(result, out.toFile());
    System.out.print(BenchTable.format(result));
    System.out.println();
    System.out.println("wrote " + out);
    return 0;
  }
}
