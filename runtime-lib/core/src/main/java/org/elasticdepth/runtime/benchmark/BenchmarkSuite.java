package org.elasticdepth.runtime.benchmark;

import org.elasticdepth.runtime.Budget;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.ExitMath;
import org.elasticdepth.runtime.PrecisionChoice;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TimeZone;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.AutomaticPrecision;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.BundleInfo;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.DepthResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.EarlyExit;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.FrontierPoint;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.FullComparison;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.GraphTarget;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.PolicyResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Settings;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Sustained;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.SustainedPoint;
import org.elasticdepth.runtime.benchmark.GraphChain.Exit;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.Sha256;
import org.elasticdepth.runtime.spi.BlockExecutor;
import org.elasticdepth.runtime.spi.LoadedGraph;

/**
 * The benchmark suite, the same code on phones and on desktop: for every executor configuration
 * and every depth it loads the chain fresh and measures init (delegates included), the first
 * inference, warm-up and timed runs, and resident memory; then the chained graphs against
 * full.tflite, an early-exit pass over labelled samples, and an optional sustained run. A bundle
 * of several precisions is measured precision by precision (a fresh executor each, each precision's
 * own graphs and calibrated threshold), and for every executor the suite records which precision
 * the runtime would pick there by itself ({@code ElasticClassifier.preview}).
 *
 * <p>A part that fails (an executor that cannot be created, a depth a delegate rejects) is recorded
 * as failed with its error and the suite goes on. The one-time SHA-256 check of the graphs happens
 * before anything is timed, so init times are loading only.
 *
 * <p>Thread rules: {@link #run} does all the work on the calling thread (executors such as the GPU
 * delegate are bound to it), so call it off the UI thread. Interrupting that thread stops the
 * suite with a {@link CancellationException} between two runs.
 */
public final class BenchmarkSuite {
  /** Thresholds replayed for the early-exit frontier, besides the one in use. */
  static final double[] FRONTIER_THRESHOLDS = {0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99, 0.995, 0.999};

  private final Options options;

  private BenchmarkSuite(Options options) {
    this.options = options;
  }

  public static BenchmarkSuite create(Options options) {
    return new BenchmarkSuite(options);
  }

  public Options options() {
    return options;
  }

  /**
   * Runs the whole suite on {@code bundle}.
   *
   * @throws IllegalArgumentException if a requested depth is outside 1..L or a sample does not fit
   *     the bundle's input or labels
   * @throws org.elasticdepth.runtime.bundle.BundleException if a graph fails its integrity check
   * @throws CancellationException if the thread was interrupted
   */
  public BenchmarkResult run(Bundle bundle, ProgressListener listener) {
    BundleManifest manifest = bundle.manifest();
    List<Integer> depths = depthsFor(manifest);
    checkSamples(manifest);
    // Every graph of every precision is verified once here, before anything is timed.
    Map<Graph, ByteBuffer> content = new HashMap<>();
    for (Graph g : manifest.allGraphs()) {
      content.put(g, bundle.graph(g));
    }
    Run run = new Run(bundle, content, depths, listener);
    List<ExecutorResult> results = new ArrayList<>();
    List<AutomaticPrecision> choices = new ArrayList<>();
    for (Map.Entry<String, ExecutorFactory> e : options.executors.entrySet()) {
      choices.add(run.executor(e.getKey(), e.getValue(), results));
    }
    Settings settings = new Settings(depths, options.warmupRuns, options.timedRuns, options.samples.size(),
        thresholdFor(manifest), options.sustainedSeconds);
    return new BenchmarkResult(BenchmarkResult.SCHEMA_VERSION, options.generator, now(), options.device,
        bundleInfo(bundle, manifest), settings, results, choices);
  }

  /** The early-exit threshold for one precision's manifest: the option, else its own calibration's. */
  private Double thresholdFor(BundleManifest view) {
    return options.threshold != null ? options.threshold
        : view.calibration() != null ? Double.valueOf(view.calibration().recommendedThreshold()) : null;
  }

  private List<Integer> depthsFor(BundleManifest manifest) {
    int depthL = manifest.depth();
    if (options.depths.isEmpty()) {
      List<Integer> all = new ArrayList<>();
      for (int d = 1; d <= depthL; d++) {
        all.add(d);
      }
      return all;
    }
    for (int d : options.depths) {
      if (d < 1 || d > depthL) {
        throw new IllegalArgumentException("depth " + d + " is outside 1.." + depthL + " of this bundle");
      }
    }
    return options.depths;
  }

  private void checkSamples(BundleManifest manifest) {
    int size = manifest.input().elementCount();
    int classes = manifest.model().numClasses();
    for (int i = 0; i < options.samples.size(); i++) {
      LabelledSample s = options.samples.get(i);
      if (s.inputView().length != size || s.label() >= classes) {
        throw new IllegalArgumentException("sample " + i + " has " + s.inputView().length + " values and label "
            + s.label() + ", but the bundle takes " + size + " values and has " + classes + " classes");
      }
    }
  }

  private static BundleInfo bundleInfo(Bundle bundle, BundleManifest m) {
    StringBuilder hashes = new StringBuilder();
    for (Graph g : m.graphs().all()) {
      hashes.append(g.sha256());
    }
    String id = Sha256.hex(hashes.toString().getBytes(StandardCharsets.US_ASCII)).substring(0, 16);
    List<Long> blockBytes = new ArrayList<>();
    m.graphs().blocks().forEach(b -> blockBytes.add(b.bytes()));
    Graph full = m.graphs().full();
    return new BundleInfo(id, bundle.location(), m.model().architecture(), m.depth(), m.model().dim(), m.model().tokens(),
        m.model().numClasses(), m.provenance().precision(), blockBytes, m.graphs().stem().bytes(), m.graphs().head().bytes(),
        full == null ? null : full.bytes(), m.calibration() == null ? null : m.calibration().recommendedThreshold(),
        bundle.manifestSha256(), List.of(m.input().height(), m.input().width(), m.input().channels()), m.model().heads(),
        m.model().mlpDim(), labels(m.precisions()));
  }

  private static List<String> labels(List<Precision> precisions) {
    List<String> labels = new ArrayList<>();
    precisions.forEach(p -> labels.add(p.label()));
    return labels;
  }

  private static String now() {
    SimpleDateFormat iso = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT);
    iso.setTimeZone(TimeZone.getTimeZone("UTC"));
    return iso.format(new Date());
  }

  /** State of one {@link #run}: the bundle, the precision being measured, and progress accounting. */
  private final class Run {
    private final Bundle bundle;
    private final Map<Graph, ByteBuffer> content;
    private final List<Integer> depths;
    private final ProgressListener listener;
    private final ByteBuffer timingInput;
    private final int totalSteps;
    private int step;
    private String executorName = "";
    /** The precision being measured: its single-precision view of the manifest and its threshold. */
    private BundleManifest manifest;
    private Double threshold;

    Run(Bundle bundle, Map<Graph, ByteBuffer> content, List<Integer> depths, ProgressListener listener) {
      this.bundle = bundle;
      this.content = content;
      this.depths = depths;
      this.listener = listener;
      BundleManifest m = bundle.manifest();
      this.timingInput = options.samples.isEmpty()
          ? direct(syntheticInput(m.input().elementCount()))
          : direct(options.samples.get(0).inputView());
      this.totalSteps = options.executors.size() * m.precisions().size() * (depths.size() + 4);
    }

    /**
     * Measures every precision of the bundle (the primary first) with executor configuration
     * {@code name}, a fresh executor each, appending one result per precision to {@code results};
     * returns the precision the runtime would choose for this executor by itself.
     */
    AutomaticPrecision executor(String name, ExecutorFactory factory, List<ExecutorResult> results) {
      List<Precision> precisions = bundle.manifest().precisions();
      AutomaticPrecision choice = null;
      for (Precision precision : precisions) {
        manifest = bundle.manifest().forPrecision(precision);
        threshold = thresholdFor(manifest);
        executorName = precisions.size() > 1 ? name + " " + precision.label() : name;
        BlockExecutor executor;
        long setupStart = System.nanoTime();
        try {
          executor = factory.create();
          setUp(executor);
        } catch (RuntimeException | LinkageError e) {
          rethrowCancellation(e);
          step += depths.size() + 4;
          listener.onProgress(executorName, "failed: " + message(e), step, totalSteps);
          results.add(new ExecutorResult(name, Status.FAILED, message(e), null, List.of(), FullComparison.notRun(
              Status.SKIPPED, "executor failed"), EarlyExit.notRun(Status.SKIPPED, "executor failed"),
              Sustained.notRun(Status.SKIPPED, "executor failed"), List.of(), precision.label()));
          if (choice == null) {
            choice = new AutomaticPrecision(name, null, null, null, "the executor failed: " + message(e));
          }
          continue;
        }
        double setupMs = ms(System.nanoTime() - setupStart);
        try (BlockExecutor ex = executor) {
          if (choice == null || choice.precision() == null) {
            choice = automaticPrecision(name, ex);
          }
          results.add(measure(name, ex, setupMs).withPrecision(precision.label()));
        }
      }
      return choice;
    }

    /** What {@code ElasticClassifier.preview} picks for this executor with default options. */
    private AutomaticPrecision automaticPrecision(String name, BlockExecutor executor) {
      try {
        ElasticClassifier.Options defaults = ElasticClassifier.Options.builder().setBudget(Budget.unlimited()).build();
        PrecisionChoice c = ElasticClassifier.preview(bundle, executor, defaults).precision();
        return new AutomaticPrecision(name, c.precision().label(), c.accelerator().name(),
            Double.isNaN(c.accuracyDrop()) ? null : c.accuracyDrop(), c.reason());
      } catch (RuntimeException | LinkageError e) {
        rethrowCancellation(e);
        return new AutomaticPrecision(name, null, null, null, "the preview failed: " + message(e));
      }
    }

    /** Every part of the suite on the current precision's graphs; progress names {@link #executorName}. */
    private ExecutorResult measure(String configuration, BlockExecutor ex, double setupMs) {
      String name = executorName;
      List<DepthResult> depthResults = new ArrayList<>();
      for (int d : depths) {
        listener.onProgress(name, "depth " + d, step, totalSteps);
        depthResults.add(guard(() -> depth(ex, d), e -> DepthResult.failed(d, e)));
        step++;
      }
      listener.onProgress(name, "chained vs full graph", step, totalSteps);
      FullComparison full = guard(() -> full(ex), e -> FullComparison.notRun(Status.FAILED, e));
      step++;
      listener.onProgress(name, "early exit", step, totalSteps);
      EarlyExit earlyExit = guard(() -> earlyExit(ex), e -> EarlyExit.notRun(Status.FAILED, e));
      step++;
      listener.onProgress(name, "exit policies", step, totalSteps);
      List<PolicyResult> policies = guard(
          () -> new ExitPolicyPasses(bundle, manifest.primaryPrecision(), ex, options.samples, options.warmupRuns,
              options.timedRuns, BenchmarkSuite::checkInterrupted).run(options.latencyTargetsMs),
          e -> List.of(PolicyResult.notRun("exit policies", null, Status.FAILED, e)));
      step++;
      listener.onProgress(name, "sustained run", step, totalSteps);
      Sustained sustained = guard(() -> sustained(ex), e -> Sustained.notRun(Status.FAILED, e));
      step++;
      listener.onProgress(name, "done", step, totalSteps);
      return new ExecutorResult(configuration, Status.OK, null, setupMs, depthResults, full, earlyExit, sustained,
          policies);
    }

    /** Loads and closes the stem once; an executor that cannot even do that counts as failed. */
    private void setUp(BlockExecutor executor) {
      Graph stem = manifest.graphs().stem();
      try {
        executor.load(stem, content.get(stem)).close();
      } catch (RuntimeException | LinkageError e) {
        executor.close();
        throw e;
      }
    }

    private DepthResult depth(BlockExecutor executor, int d) {
      long start = System.nanoTime();
      try (GraphChain chain = GraphChain.load(executor, manifest, content, d)) {
        long init = System.nanoTime() - start;
        long first = time(chain);
        long[] warmup = new long[options.warmupRuns];
        for (int i = 0; i < warmup.length; i++) {
          warmup[i] = time(chain);
        }
        long[] timed = new long[options.timedRuns];
        for (int i = 0; i < timed.length; i++) {
          timed[i] = time(chain);
        }
        Long process = processResidentBytes();
        return new DepthResult(d, Status.OK, null, ms(init), ms(first), warmup.length == 0 ? null : ms(mean(warmup)),
            LatencyStats.ofNanos(timed), chain.residentBytes(), chain.graphBytes(), process,
            chain.targets());
      }
    }

    private FullComparison full(BlockExecutor executor) {
      Graph fullGraph = manifest.graphs().full();
      if (fullGraph == null) {
        return FullComparison.notRun(Status.SKIPPED, "the bundle has no full.tflite");
      }
      long start = System.nanoTime();
      try (LoadedGraph full = executor.load(fullGraph, content.get(fullGraph))) {
        long init = System.nanoTime() - start;
        try (GraphChain chain = GraphChain.load(executor, manifest, content, manifest.depth())) {
          for (int i = 0; i < options.warmupRuns + 1; i++) {
            time(chain);
            time(full);
          }
          // Alternating runs: any drift over the measurement hits both sides alike.
          long[] chained = new long[options.timedRuns];
          long[] monolithic = new long[options.timedRuns];
          for (int i = 0; i < chained.length; i++) {
            chained[i] = time(chain);
            monolithic[i] = time(full);
          }
          LatencyStats c = LatencyStats.ofNanos(chained);
          LatencyStats f = LatencyStats.ofNanos(monolithic);
          List<GraphTarget> targets = new ArrayList<>(chain.targets());
          targets.add(GraphTarget.of(fullGraph.file(), full.target()));
          return new FullComparison(Status.OK, null, c, f, 100 * (c.meanMs() / f.meanMs() - 1), ms(init),
              full.residentBytes(), targets);
        }
      }
    }

    private EarlyExit earlyExit(BlockExecutor executor) {
      if (options.samples.isEmpty()) {
        return EarlyExit.notRun(Status.SKIPPED, "no labelled samples were given");
      }
      if (threshold == null) {
        return EarlyExit.notRun(Status.SKIPPED, "the bundle has no calibration and no threshold was given");
      }
      int depthL = manifest.depth();
      List<LabelledSample> samples = options.samples;
      try (GraphChain chain = GraphChain.load(executor, manifest, content, depthL)) {
        for (int i = 0; i < options.warmupRuns + 1; i++) {
          chain.earlyExit(timingInput, threshold);
          time(chain);
        }
        int[] histogram = new int[depthL];
        int exitCorrect = 0;
        int fullCorrect = 0;
        long[] exitNanos = new long[samples.size()];
        long[] fullNanos = new long[samples.size()];
        ByteBuffer input = ByteBuffer.allocateDirect(timingInput.capacity()).order(ByteOrder.nativeOrder());
        for (int s = 0; s < samples.size(); s++) {
          checkInterrupted();
          LabelledSample sample = samples.get(s);
          fill(input, sample.inputView());
          // Interleaved per sample, like the full-graph comparison, so drift cancels out.
          long t0 = System.nanoTime();
          Exit exit = chain.earlyExit(input, threshold);
          long t1 = System.nanoTime();
          Exit last = Exit.of(depthL, chain.logits(input));
          long t2 = System.nanoTime();
          exitNanos[s] = t1 - t0;
          fullNanos[s] = t2 - t1;
          histogram[exit.layer() - 1]++;
          exitCorrect += exit.predicted() == sample.label() ? 1 : 0;
          fullCorrect += last.predicted() == sample.label() ? 1 : 0;
        }
        // Untimed replay with the head after every layer: layer-wise accuracy and the frontier.
        Exit[][] replay = new Exit[samples.size()][];
        for (int s = 0; s < samples.size(); s++) {
          checkInterrupted();
          fill(input, samples.get(s).inputView());
          replay[s] = chain.everyLayer(input);
        }
        List<Double> layerAccuracy = new ArrayList<>();
        for (int l = 0; l < depthL; l++) {
          int correct = 0;
          for (int s = 0; s < samples.size(); s++) {
            correct += replay[s][l].predicted() == samples.get(s).label() ? 1 : 0;
          }
          layerAccuracy.add((double) correct / samples.size());
        }
        TreeSet<Double> thresholds = new TreeSet<>();
        for (double t : FRONTIER_THRESHOLDS) {
          thresholds.add(t);
        }
        thresholds.add(threshold);
        List<FrontierPoint> frontier = new ArrayList<>();
        for (double t : thresholds) {
          frontier.add(frontierPoint(replay, samples, t));
        }
        List<Integer> hist = new ArrayList<>();
        for (int m : histogram) {
          hist.add(m);
        }
        LatencyStats exitStats = LatencyStats.ofNanos(exitNanos);
        LatencyStats fullStats = LatencyStats.ofNanos(fullNanos);
        int n = samples.size();
        return new EarlyExit(Status.OK, null, threshold, n, (double) exitCorrect / n, (double) fullCorrect / n,
            layerAccuracy, hist, ExitMath.meanExitLayer(histogram), ExitMath.speedUp(histogram), exitStats,
            fullStats, fullStats.meanMs() / exitStats.meanMs(), frontier);
      }
    }

    private Sustained sustained(BlockExecutor executor) {
      if (options.sustainedSeconds <= 0) {
        return Sustained.notRun(Status.SKIPPED, "no sustained run was requested");
      }
      int depth = Collections.max(depths);
      try (GraphChain chain = GraphChain.load(executor, manifest, content, depth)) {
        for (int i = 0; i < options.warmupRuns + 1; i++) {
          time(chain);
        }
        List<SustainedPoint> points = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + (long) (options.sustainedSeconds * 1e9);
        long intervalNanos = (long) (options.sustainedIntervalSeconds * 1e9);
        while (System.nanoTime() < end) {
          long intervalEnd = Math.min(end, System.nanoTime() + intervalNanos);
          long[] runs = new long[64];
          int count = 0;
          do {
            if (count == runs.length) {
              runs = Arrays.copyOf(runs, count * 2);
            }
            runs[count++] = time(chain);
          } while (System.nanoTime() < intervalEnd);
          LatencyStats stats = LatencyStats.ofNanos(Arrays.copyOf(runs, count));
          points.add(new SustainedPoint((System.nanoTime() - start) / 1e9, count, stats.meanMs(), stats.p90Ms(),
              thermalStatus()));
          listener.onProgress(executorName, "sustained run " + Math.round((System.nanoTime() - start) / 1e9) + " s", step, totalSteps);
        }
        return new Sustained(Status.OK, null, depth, (System.nanoTime() - start) / 1e9, points);
      }
    }

    private long time(GraphChain chain) {
      checkInterrupted();
      long t0 = System.nanoTime();
      chain.logits(timingInput);
      return System.nanoTime() - t0;
    }

    private long time(LoadedGraph graph) {
      checkInterrupted();
      long t0 = System.nanoTime();
      graph.run(timingInput);
      return System.nanoTime() - t0;
    }
  }

  private static FrontierPoint frontierPoint(Exit[][] replay, List<LabelledSample> samples, double threshold) {
    int depthL = replay[0].length;
    int[] histogram = new int[depthL];
    int correct = 0;
    for (int s = 0; s < replay.length; s++) {
      Exit exit = replay[s][depthL - 1];
      for (Exit e : replay[s]) {
        if (e.confidence() >= threshold) {
          exit = e;
          break;
        }
      }
      histogram[exit.layer() - 1]++;
      correct += exit.predicted() == samples.get(s).label() ? 1 : 0;
    }
    return new FrontierPoint(threshold, (double) correct / replay.length, ExitMath.meanExitLayer(histogram),
        ExitMath.speedUp(histogram));
  }

  /** Runs {@code part}; a failure becomes {@code onFailure(message)}, cancellation goes through. */
  private static <T> T guard(Supplier<T> part, java.util.function.Function<String, T> onFailure) {
    try {
      return part.get();
    } catch (RuntimeException | LinkageError e) {
      rethrowCancellation(e);
      return onFailure.apply(message(e));
    }
  }

  /**
   * The process's resident bytes, or null if the probe cannot tell or fails: a probe is a side
   * measurement, so its failure (even a LinkageError, e.g. a method an old Android lacks) costs
   * only its own figure, never the depth it was taken at.
   */
  private Long processResidentBytes() {
    try {
      long bytes = options.processResidentBytes.getAsLong();
      return bytes < 0 ? null : bytes;
    } catch (RuntimeException | LinkageError e) {
      rethrowCancellation(e);
      return null;
    }
  }

  /** The thermal status, or null if the probe cannot tell or fails (see {@link #processResidentBytes}). */
  private String thermalStatus() {
    try {
      return options.thermalStatus.get();
    } catch (RuntimeException | LinkageError e) {
      rethrowCancellation(e);
      return null;
    }
  }

  private static void rethrowCancellation(Throwable e) {
    if (e instanceof CancellationException c) {
      throw c;
    }
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null || m.trim().isEmpty() ? "" : ": " + m);
  }

  private static void checkInterrupted() {
    if (Thread.currentThread().isInterrupted()) {
      throw new CancellationException("benchmark cancelled");
    }
  }

  private static double mean(long[] nanos) {
    double sum = 0;
    for (long v : nanos) {
      sum += v;
    }
    return sum / nanos.length;
  }

  private static double ms(double nanos) {
    return nanos / 1e6;
  }

  /** A fixed, normal-looking input (the stem sees normalised pixels) when no sample is given. */
  private static float[] syntheticInput(int size) {
    Random random = new Random(42);
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  private static ByteBuffer direct(float[] values) {
    ByteBuffer b = ByteBuffer.allocateDirect(Math.multiplyExact(values.length, Float.BYTES)).order(ByteOrder.nativeOrder());
    fill(b, values);
    return b;
  }

  private static void fill(ByteBuffer b, float[] values) {
    ((Buffer) b).clear();
    b.asFloatBuffer().put(values);
  }

  /**
   * Immutable options; build with {@link #builder()}. At least one executor and the device are
   * required.
   */
  public static final class Options {
    final Map<String, ExecutorFactory> executors;
    final List<Integer> depths;
    final int warmupRuns;
    final int timedRuns;
    final List<LabelledSample> samples;
    final Double threshold;
    final List<Double> latencyTargetsMs;
    final double sustainedSeconds;
    final double sustainedIntervalSeconds;
    final LongSupplier processResidentBytes;
    final Supplier<String> thermalStatus;
    final DeviceInfo device;
    final String generator;

    private Options(Builder b) {
      executors = Collections.unmodifiableMap(new LinkedHashMap<>(b.executors));
      depths = Collections.unmodifiableList(new ArrayList<>(b.depths));
      warmupRuns = b.warmupRuns;
      timedRuns = b.timedRuns;
      samples = Collections.unmodifiableList(new ArrayList<>(b.samples));
      threshold = b.threshold;
      latencyTargetsMs = List.copyOf(b.latencyTargetsMs);
      sustainedSeconds = b.sustainedSeconds;
      sustainedIntervalSeconds = b.sustainedIntervalSeconds;
      processResidentBytes = b.processResidentBytes;
      thermalStatus = b.thermalStatus;
      device = b.device;
      generator = b.generator;
    }

    public static Builder builder() {
      return new Builder();
    }

    public List<String> executorNames() {
      return new ArrayList<>(executors.keySet());
    }

    public List<Integer> depths() {
      return depths;
    }

    public int warmupRuns() {
      return warmupRuns;
    }

    public int timedRuns() {
      return timedRuns;
    }

    public int sampleCount() {
      return samples.size();
    }

    public double sustainedSeconds() {
      return sustainedSeconds;
    }

    public static final class Builder {
      private final Map<String, ExecutorFactory> executors = new LinkedHashMap<>();
      private List<Integer> depths = List.of();
      private int warmupRuns = 10;
      private int timedRuns = 50;
      private List<LabelledSample> samples = List.of();
      private Double threshold;
      private List<Double> latencyTargetsMs = List.of();
      private double sustainedSeconds;
      private double sustainedIntervalSeconds = 1;
      private LongSupplier processResidentBytes = () -> -1;
      private Supplier<String> thermalStatus = () -> null;
      private DeviceInfo device;
      private String generator = "elastic-depth benchmark";

      private Builder() {}

      /** Adds an executor configuration, measured in the order added; names must be unique. */
      public Builder addExecutor(String name, ExecutorFactory factory) {
        if (name == null || name.trim().isEmpty() || factory == null) {
          throw new IllegalArgumentException("an executor needs a name and a factory");
        }
        if (executors.putIfAbsent(name, factory) != null) {
          throw new IllegalArgumentException("executor name \"" + name + "\" is used twice");
        }
        return this;
      }

      /** Depths to measure, each in 1..L (checked against the bundle); empty (default) = 1..L. */
      public Builder depths(List<Integer> depths) {
        this.depths = new ArrayList<>(new TreeSet<>(depths));
        return this;
      }

      /** Untimed runs after the first inference (default 10). */
      public Builder warmupRuns(int n) {
        this.warmupRuns = n;
        return this;
      }

      /** Timed runs per depth (default 50). */
      public Builder timedRuns(int n) {
        this.timedRuns = n;
        return this;
      }

      /** Labelled samples for the early-exit pass; the first also feeds the latency runs. */
      public Builder samples(List<LabelledSample> samples) {
        this.samples = new ArrayList<>(samples);
        return this;
      }

      /**
       * Mean-latency targets (ms) for the {@code ExitPolicy.forLatency} passes; default: {@value
       * ExitPolicyPasses#DEFAULT_TARGETS} targets from the classifier's depth-1 to its full-depth time.
       */
      public Builder latencyTargetsMs(List<Double> targets) {
        this.latencyTargetsMs = new ArrayList<>(targets);
        return this;
      }

      /** Early-exit threshold in (0, 1]; default: the bundle's calibrated threshold. */
      public Builder threshold(double threshold) {
        this.threshold = threshold;
        return this;
      }

      /** Length of the sustained run; 0 (default) skips it. */
      public Builder sustainedSeconds(double seconds) {
        this.sustainedSeconds = seconds;
        return this;
      }

      /** One sustained-run point per this many seconds (default 1). */
      public Builder sustainedIntervalSeconds(double seconds) {
        this.sustainedIntervalSeconds = seconds;
        return this;
      }

      /** The process's resident bytes, or a negative value when unknown. */
      public Builder processResidentBytes(LongSupplier probe) {
        this.processResidentBytes = probe;
        return this;
      }

      /** The device's thermal status as a word (e.g. "none", "moderate"), or null when unknown. */
      public Builder thermalStatus(Supplier<String> probe) {
        this.thermalStatus = probe;
        return this;
      }

      public Builder device(DeviceInfo device) {
        this.device = device;
        return this;
      }

      /** Names the program that produced the result, e.g. "exporter bench 0.1.0". */
      public Builder generator(String generator) {
        this.generator = generator;
        return this;
      }

      /** @throws IllegalArgumentException naming the first invalid option */
      public Options build() {
        if (executors.isEmpty()) {
          throw new IllegalArgumentException("add at least one executor");
        }
        if (device == null) {
          throw new IllegalArgumentException("device information is required");
        }
        if (warmupRuns < 0 || timedRuns < 1) {
          throw new IllegalArgumentException("warmupRuns must be >= 0 and timedRuns >= 1, got " + warmupRuns + " and " + timedRuns);
        }
        for (Double t : latencyTargetsMs) {
          if (t == null || !(t > 0) || t.isInfinite()) {
            throw new IllegalArgumentException("latency targets must be positive milliseconds, got " + t);
          }
        }
        if (threshold != null && !(threshold > 0 && threshold <= 1)) {
          throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
        }
        if (!(sustainedSeconds >= 0) || !(sustainedIntervalSeconds > 0)) {
          throw new IllegalArgumentException("sustainedSeconds must be >= 0 and sustainedIntervalSeconds > 0");
        }
        if (processResidentBytes == null || thermalStatus == null || generator == null || generator.trim().isEmpty()) {
          throw new IllegalArgumentException("probes and generator must not be null");
        }
        return new Options(this);
      }
    }
  }
}
