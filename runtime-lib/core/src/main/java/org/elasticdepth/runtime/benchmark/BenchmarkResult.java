package org.elasticdepth.runtime.benchmark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.elasticdepth.runtime.spi.ExecutionTarget;

/**
 * Everything one benchmark run measured, in the shape of the versioned JSON document described by
 * {@code benchmark-result.schema.json} and docs/benchmark-schema.md. Like MLPerf's result files it
 * records what ran where: every graph's accelerator and every fallback, and every part that failed
 * or was skipped with its reason, next to the numbers of the parts that worked.
 *
 * <p>Times are milliseconds, memory is bytes. Values that were not measured are {@code null} (in
 * JSON: absent). All lists are unmodifiable.
 *
 * @param generator what produced the file, e.g. {@code "exporter bench 0.1.0"} or {@code
 *     "benchmark-app 0.1.0"}
 * @param createdAt ISO-8601 UTC time the run finished
 */
public record BenchmarkResult(
    int schemaVersion,
    String generator,
    String createdAt,
    DeviceInfo device,
    BundleInfo bundle,
    Settings settings,
    List<ExecutorResult> executors,
    List<AutomaticPrecision> precisionChoices) {

  /**
   * The schema version this code writes. Version 2 measures every precision of a bundle: one
   * executor entry per executor and precision, and the precision each executor would run by itself.
   */
  public static final int SCHEMA_VERSION = 2;
  /** The oldest schema version this code still reads (version 1: one precision, no choices). */
  public static final int OLDEST_READABLE_VERSION = 1;
  /** The value of the document's {@code "schema"} field, so a result file identifies itself. */
  public static final String SCHEMA_NAME = "elastic-depth-benchmark";

  public BenchmarkResult {
    // An entry that does not name its precision (version-1 results) measured the bundle's only one.
    List<ExecutorResult> named = new ArrayList<>();
    for (ExecutorResult e : copy(executors)) {
      named.add(e.precision() != null || bundle == null ? e : e.withPrecision(bundle.precision()));
    }
    executors = copy(named);
    precisionChoices = copy(precisionChoices);
  }

  /** A result without precision choices (version-1 results, single-precision callers). */
  public BenchmarkResult(int schemaVersion, String generator, String createdAt, DeviceInfo device, BundleInfo bundle,
      Settings settings, List<ExecutorResult> executors) {
    this(schemaVersion, generator, createdAt, device, bundle, settings, executors, List.of());
  }

  /** The same result with the bundle named by {@code location} (e.g. a path relative to the result file). */
  public BenchmarkResult withBundleLocation(String location) {
    return new BenchmarkResult(schemaVersion, generator, createdAt, device, bundle.withLocation(location), settings,
        executors, precisionChoices);
  }

  /** Whether the bundle carried more than one precision, so that entries must be told apart by it. */
  public boolean multiPrecision() {
    return bundle.precisions().size() > 1;
  }

  /**
   * How to name {@code e} in tables: the executor's name, followed by its precision when the
   * bundle carried several ({@code "xnnpack-1t int8"}).
   */
  public String label(ExecutorResult e) {
    return multiPrecision() ? e.name() + " " + e.precision() : e.name();
  }

  /** The entry of executor {@code name} measuring {@code precision} (a label), or {@code null}. */
  public ExecutorResult executor(String name, String precision) {
    for (ExecutorResult e : executors) {
      if (e.name().equals(name) && e.precision().equals(precision)) {
        return e;
      }
    }
    return null;
  }

  /** The precision executor {@code name} would run by itself, or {@code null} when not recorded. */
  public AutomaticPrecision precisionChoice(String name) {
    for (AutomaticPrecision c : precisionChoices) {
      if (c.executor().equals(name)) {
        return c;
      }
    }
    return null;
  }

  /** The executor names in the order measured, each once. */
  public List<String> executorNames() {
    List<String> names = new ArrayList<>();
    for (ExecutorResult e : executors) {
      if (!names.contains(e.name())) {
        names.add(e.name());
      }
    }
    return Collections.unmodifiableList(names);
  }

  /**
   * What each added block cost the process, from the first executor's depths: between the
   * shallowest and the deepest successful depth that recorded the resident set. Only the first
   * executor counts: each depth frees its graphs before the next loads, so the resident set keeps
   * its high-water mark, and it grows by what one more block needs only while no executor before
   * has already raised that mark. Empty without two such depths.
   */
  public Optional<BlockGrowth> blockGrowth() {
    if (executors.isEmpty() || executors.get(0).status() != Status.OK) {
      return Optional.empty();
    }
    List<DepthResult> measured = new ArrayList<>();
    for (DepthResult d : executors.get(0).depths()) {
      if (d.status() == Status.OK && d.processResidentBytes() != null) {
        measured.add(d);
      }
    }
    if (measured.size() < 2) {
      return Optional.empty();
    }
    DepthResult first = measured.get(0);
    DepthResult last = measured.get(measured.size() - 1);
    double blocks = last.depth() - first.depth();
    return Optional.of(new BlockGrowth(executors.get(0).name(), first.depth(), last.depth(),
        (last.processResidentBytes() - first.processResidentBytes()) / blocks,
        (last.residentBytes() - first.residentBytes()) / blocks, (last.graphBytes() - first.graphBytes()) / blocks));
  }

  /** Outcome of one part of the suite. */
  public enum Status {
    OK,
    FAILED,
    SKIPPED;

    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Status fromJson(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  /**
   * The bundle that was measured. {@code bundleId} is derived from the SHA-256 of every graph, so
   * results of the same model compare even when the bundle was copied under another name.
   * {@code manifestSha256} (the SHA-256 of manifest.json as stored), {@code inputShape} ([height,
   * width, channels]), {@code heads} and {@code mlpDim} say exactly which bundle and model shape
   * ran; they are null in results written before they existed.
   */
  public record BundleInfo(
      String bundleId,
      String location,
      String architecture,
      int depth,
      int dim,
      int tokens,
      int numClasses,
      String precision,
      List<Long> blockBytes,
      long stemBytes,
      long headBytes,
      Long fullBytes,
      Double calibratedThreshold,
      String manifestSha256,
      List<Integer> inputShape,
      Integer heads,
      Integer mlpDim,
      List<String> precisions) {
    public BundleInfo {
      blockBytes = copy(blockBytes);
      inputShape = inputShape == null ? null : copy(inputShape);
      precisions = precisions == null || precisions.isEmpty() ? List.of(precision) : copy(precisions);
    }

    /** A single-precision bundle (results written before bundles carried several). */
    public BundleInfo(String bundleId, String location, String architecture, int depth, int dim, int tokens,
        int numClasses, String precision, List<Long> blockBytes, long stemBytes, long headBytes, Long fullBytes,
        Double calibratedThreshold, String manifestSha256, List<Integer> inputShape, Integer heads, Integer mlpDim) {
      this(bundleId, location, architecture, depth, dim, tokens, numClasses, precision, blockBytes, stemBytes, headBytes,
          fullBytes, calibratedThreshold, manifestSha256, inputShape, heads, mlpDim, null);
    }

    /** The same bundle named by {@code location} (e.g. a path relative to the result file). */
    public BundleInfo withLocation(String location) {
      return new BundleInfo(bundleId, location, architecture, depth, dim, tokens, numClasses, precision, blockBytes,
          stemBytes, headBytes, fullBytes, calibratedThreshold, manifestSha256, inputShape, heads, mlpDim, precisions);
    }
  }

  /**
   * The precision the runtime picks by itself for one executor configuration ({@code
   * ElasticClassifier.preview} with default options), and why. {@code precision} and {@code
   * accelerator} are null when the executor could not be created ({@code reason} then says why);
   * {@code accuracyDrop} (a fraction) is null when the bundle does not say.
   */
  public record AutomaticPrecision(String executor, String precision, String accelerator, Double accuracyDrop,
      String reason) {}

  /** What the suite was asked to do. {@code threshold} is the early-exit threshold actually used. */
  public record Settings(
      List<Integer> depths,
      int warmupRuns,
      int timedRuns,
      int samples,
      Double threshold,
      double sustainedSeconds) {
    public Settings {
      depths = copy(depths);
    }
  }

  /** Where one graph ran, as its executor reported it. */
  public record GraphTarget(String graph, String accelerator, String requested, String detail, String fallbackReason) {
    public static GraphTarget of(String graph, ExecutionTarget t) {
      return new GraphTarget(graph, t.accelerator().name(), t.requested().name(), t.detail(), t.fallbackReason());
    }
  }

  /**
   * Everything measured with one executor configuration on the graphs of one {@code precision}
   * (a label: {@code "fp32"}, {@code "fp16"}, {@code "int8"}). {@code status} is {@code FAILED} when the
   * executor could not even be created ({@code error} says why); otherwise {@code OK}, and each
   * part carries its own status.
   *
   * @param setupMs creating the executor and loading the stem once, untimed otherwise: one-time
   *     costs (native libraries, delegate setup) that would else land on the first depth's init
   */
  public record ExecutorResult(
      String name,
      Status status,
      String error,
      Double setupMs,
      List<DepthResult> depths,
      FullComparison full,
      EarlyExit earlyExit,
      Sustained sustained,
      List<PolicyResult> exitPolicies,
      String precision) {
    public ExecutorResult {
      depths = copy(depths);
      exitPolicies = copy(exitPolicies);
    }

    /** A result that does not name its precision: {@link BenchmarkResult} fills in the bundle's. */
    public ExecutorResult(String name, Status status, String error, Double setupMs, List<DepthResult> depths,
        FullComparison full, EarlyExit earlyExit, Sustained sustained, List<PolicyResult> exitPolicies) {
      this(name, status, error, setupMs, depths, full, earlyExit, sustained, exitPolicies, null);
    }

    /** The same measurements, of the graphs of {@code precision} (a label such as {@code "int8"}). */
    public ExecutorResult withPrecision(String precision) {
      return new ExecutorResult(name, status, error, setupMs, depths, full, earlyExit, sustained, exitPolicies, precision);
    }

    /** A result without exit-policy passes (schema files written before they existed). */
    public ExecutorResult(String name, Status status, String error, Double setupMs, List<DepthResult> depths,
        FullComparison full, EarlyExit earlyExit, Sustained sustained) {
      this(name, status, error, setupMs, depths, full, earlyExit, sustained, List.of());
    }

    /** The successful result at {@code depth}, or {@code null}. */
    public DepthResult okDepth(int depth) {
      for (DepthResult d : depths) {
        if (d.depth() == depth && d.status() == Status.OK) {
          return d;
        }
      }
      return null;
    }
  }

  /**
   * The memory one more block costs on {@code executor}, averaged from depth {@code fromDepth} to {@code toDepth}:
   * the process's resident set ({@code processBytes}, what the device really pays, interpreter and
   * delegate bookkeeping included), the executor's own accounting ({@code accountedBytes}) and the
   * block's graph file ({@code graphBytes}). Derived from the results, not stored in the JSON.
   */
  public record BlockGrowth(String executor, int fromDepth, int toDepth, double processBytes, double accountedBytes, double graphBytes) {}

  /**
   * One depth d: stem, blocks 1..d and the head loaded fresh and run in a chain.
   *
   * @param initMs loading every graph of the chain, delegates included
   * @param firstInferenceMs the first run after loading (delegate warm-up, lazy allocation)
   * @param warmupMeanMs mean of the warm-up runs that followed
   * @param residentBytes the loaded graphs' own report ({@code LoadedGraph.residentBytes()})
   * @param graphBytes the size of the loaded graph files, for comparison
   * @param processResidentBytes the whole process's resident memory with the chain loaded, when
   *     the platform can tell
   */
  public record DepthResult(
      int depth,
      Status status,
      String error,
      Double initMs,
      Double firstInferenceMs,
      Double warmupMeanMs,
      LatencyStats latency,
      Long residentBytes,
      Long graphBytes,
      Long processResidentBytes,
      List<GraphTarget> targets) {
    public DepthResult {
      targets = copy(targets);
    }

    public static DepthResult failed(int depth, String error) {
      return new DepthResult(depth, Status.FAILED, error, null, null, null, null, null, null, null, List.of());
    }
  }

  /**
   * The chained graphs at full depth against the monolithic full.tflite, timed in alternation so
   * that drift (thermal, background load) hits both equally. {@code overheadPercent} = 100 *
   * (chained mean / full mean - 1).
   */
  public record FullComparison(
      Status status,
      String message,
      LatencyStats chained,
      LatencyStats full,
      Double overheadPercent,
      Double fullInitMs,
      Long fullResidentBytes,
      List<GraphTarget> targets) {
    public FullComparison {
      targets = copy(targets);
    }

    public static FullComparison notRun(Status status, String message) {
      return new FullComparison(status, message, null, null, null, null, null, List.of());
    }

    /**
     * 100 * (chained median / full median - 1): the overhead without the few slow runs a shared
     * machine's preemptions add to either side, which move the mean-based {@code overheadPercent}
     * by several points from run to run. Null unless the comparison ran.
     */
    public Double medianOverheadPercent() {
      return status != Status.OK ? null : 100 * (chained.p50Ms() / full.p50Ms() - 1);
    }
  }

  /**
   * The early-exit pass over the labelled samples at {@code threshold}: exit at the first layer
   * whose shared head's max softmax probability reaches it.
   *
   * @param exitHistogram m_i, the number of samples that exited after layer i (index 0 = layer 1)
   * @param layerAccuracy the shared head's accuracy after each layer (index 0 = layer 1)
   * @param speedUpByLayers sum(L*m_i) / sum(i*m_i)
   * @param speedUpByWallClock full-depth mean latency / early-exit mean latency
   * @param frontier the same samples replayed at other thresholds (by layers, not timed)
   */
  public record EarlyExit(
      Status status,
      String message,
      Double threshold,
      Integer samples,
      Double accuracy,
      Double fullDepthAccuracy,
      List<Double> layerAccuracy,
      List<Integer> exitHistogram,
      Double meanExitLayer,
      Double speedUpByLayers,
      LatencyStats earlyExitLatency,
      LatencyStats fullDepthLatency,
      Double speedUpByWallClock,
      List<FrontierPoint> frontier) {
    public EarlyExit {
      layerAccuracy = copy(layerAccuracy);
      exitHistogram = copy(exitHistogram);
      frontier = copy(frontier);
    }

    public static EarlyExit notRun(Status status, String message) {
      return new EarlyExit(status, message, null, null, null, null, List.of(), List.of(), null, null, null, null, null, List.of());
    }
  }

  /**
   * One exit policy run through the {@code ElasticClassifier} on the labelled samples: what it
   * predicted (from the bundle's calibration and the classifier's own per-graph times) next to
   * what was measured.
   *
   * @param policy {@code "guaranteed"} ({@code ExitPolicy.forAccuracyDrop} on a bundle with a
   *     guaranteed calibration) or {@code "latency"} ({@code ExitPolicy.forLatency(targetMs)})
   * @param description the policy's or latency plan's own sentence
   * @param targetMs the latency target, latency policies only
   * @param threshold the exit threshold used (the last plan's, for a latency target); null: no early exit
   * @param depthCap blocks run at most
   * @param runs classifications measured (the samples, repeated up to the timed-run count)
   * @param predictedAccuracy the calibration's accuracy for the threshold and cap
   * @param measuredAccuracy accuracy on the samples
   * @param guaranteedMaxDrop the accuracy drop guaranteed, guaranteed policy only
   * @param measuredDisagreement share of samples whose answer differs from the full-depth answer
   * @param predictedMeanMs expected mean latency: exit histogram x per-graph times measured online
   * @param measuredMeanMs measured mean latency of a classification
   * @param targetMet latency policies: whether the plan predicted the target could be met
   */
  public record PolicyResult(
      String policy,
      Status status,
      String message,
      String description,
      Double targetMs,
      Double threshold,
      Integer depthCap,
      Integer runs,
      Double predictedAccuracy,
      Double measuredAccuracy,
      Double guaranteedMaxDrop,
      Double measuredDisagreement,
      Double predictedMeanMs,
      Double measuredMeanMs,
      Boolean targetMet) {
    public static PolicyResult notRun(String policy, Double targetMs, Status status, String message) {
      return new PolicyResult(policy, status, message, null, targetMs, null, null, null, null, null, null, null, null,
          null, null);
    }
  }

  /** One threshold's accuracy and speed-up by layers on the sample set. */
  public record FrontierPoint(double threshold, double accuracy, double meanExitLayer, double speedUpByLayers) {}

  /** A run of {@code durationSeconds} at {@code depth}, one point per interval. */
  public record Sustained(Status status, String message, Integer depth, Double durationSeconds, List<SustainedPoint> points) {
    public Sustained {
      points = copy(points);
    }

    public static Sustained notRun(Status status, String message) {
      return new Sustained(status, message, null, null, List.of());
    }
  }

  /**
   * One interval of a sustained run ending {@code seconds} after its start. {@code thermalStatus}
   * is the platform's word for it (Android's PowerManager thermal status), {@code null} where the
   * platform has none.
   */
  public record SustainedPoint(double seconds, int runs, double meanMs, double p90Ms, String thermalStatus) {}

  static <T> List<T> copy(List<T> list) {
    return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
  }
}
