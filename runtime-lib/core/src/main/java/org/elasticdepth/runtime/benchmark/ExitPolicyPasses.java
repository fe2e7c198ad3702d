package org.elasticdepth.runtime.benchmark;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.elasticdepth.runtime.Budget;
import org.elasticdepth.runtime.Classification;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.ExitPolicy;
import org.elasticdepth.runtime.LatencyPlan;
import org.elasticdepth.runtime.LatencyPlanner;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.PolicyResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.spi.BlockExecutor;

/**
 * The suite's exit-policy part: the guaranteed policy and latency targets run through the real
 * {@link ElasticClassifier} on the labelled samples, predicted next to measured accuracy and
 * latency. Default latency targets span the classifier's own depth-1 to full-depth time.
 */
final class ExitPolicyPasses {
  /** Latency targets when none are given: this many, evenly from depth 1 to full depth. */
  static final int DEFAULT_TARGETS = 6;

  private final Bundle bundle;
  /** The precision measured, and the bundle's single-precision view of it. */
  private final Precision precision;
  private final BundleManifest manifest;
  private final BlockExecutor executor;
  private final List<LabelledSample> samples;
  private final int warmupRuns;
  private final int runs;
  private final Runnable checkInterrupted;

  ExitPolicyPasses(Bundle bundle, Precision precision, BlockExecutor executor, List<LabelledSample> samples,
      int warmupRuns, int timedRuns, Runnable checkInterrupted) {
    this.bundle = bundle;
    this.precision = precision;
    this.manifest = bundle.manifest().forPrecision(precision);
    this.executor = executor;
    this.samples = samples;
    this.warmupRuns = warmupRuns;
    int n = Math.max(1, samples.size());
    this.runs = n * Math.max(1, (timedRuns + n - 1) / n); // every sample equally often, at least timedRuns
    this.checkInterrupted = checkInterrupted;
  }

  List<PolicyResult> run(List<Double> latencyTargetsMs) {
    List<PolicyResult> out = new ArrayList<>();
    if (samples.isEmpty()) {
      out.add(PolicyResult.notRun("guaranteed", null, Status.SKIPPED, "no labelled samples were given"));
      out.add(PolicyResult.notRun("latency", null, Status.SKIPPED, "no labelled samples were given"));
      return out;
    }
    int[] fullDepth = fullDepthPredictions();
    out.add(guaranteed(fullDepth));
    List<Double> targets = latencyTargetsMs.isEmpty() ? defaultTargets() : latencyTargetsMs;
    for (double target : targets) {
      out.add(latency(target, fullDepth));
    }
    return out;
  }

  /**
   * Evenly from the classifier's depth-1 time to its full-depth time, both measured as a user
   * would: mean time of a classification without early exit at that depth.
   */
  List<Double> defaultTargets() {
    double shallow = meanMillisAtDepth(1);
    double deep = meanMillisAtDepth(manifest.depth());
    List<Double> targets = new ArrayList<>();
    for (int k = 0; k < DEFAULT_TARGETS; k++) {
      targets.add(shallow + (deep - shallow) * k / (DEFAULT_TARGETS - 1));
    }
    return targets;
  }

  private double meanMillisAtDepth(int depth) {
    ElasticClassifier.Options o = options(ExitPolicy.never()).toBuilder()
        .setBudget(Budget.unlimited().withMaxDepth(depth)).build();
    try (ElasticClassifier c = ElasticClassifier.create(bundle, executor, o)) {
      for (int r = 0; r < warmupRuns; r++) {
        checkInterrupted.run();
        c.classify(samples.get(r % samples.size()).inputView());
      }
      long nanos = 0;
      for (int r = 0; r < runs; r++) {
        checkInterrupted.run();
        nanos += c.classify(samples.get(r % samples.size()).inputView()).totalNanos();
      }
      return nanos / 1e6 / runs;
    }
  }

  private PolicyResult guaranteed(int[] fullDepth) {
    Calibration calibration = manifest.calibration();
    if (calibration == null || calibration.guarantee() == null) {
      return PolicyResult.notRun("guaranteed", null, Status.SKIPPED,
          "the bundle has no guaranteed calibration (exporter calibrate --max-drop)");
    }
    double eps = calibration.guarantee().maxLoss();
    ExitPolicy policy;
    try {
      policy = ExitPolicy.forAccuracyDrop(calibration, eps);
    } catch (IllegalArgumentException e) {
      return PolicyResult.notRun("guaranteed", null, Status.SKIPPED, e.getMessage());
    }
    double threshold = policy.confidenceThreshold().getAsDouble();
    FrontierPoint point = calibration.frontier().stream().filter(p -> p.threshold() == threshold).findFirst().orElseThrow();
    try (ElasticClassifier c = ElasticClassifier.create(bundle, executor, options(policy))) {
      Pass pass = pass(c, fullDepth);
      int depth = c.plan().depth();
      Double predictedMs = point.exitCounts() == null ? null
          : LatencyPlanner.expectedNanos(point.exitCounts(), depth, c.stageTimes()) / 1e6;
      return new PolicyResult("guaranteed", Status.OK, null, policy.toString(), null, threshold, depth, runs,
          point.accuracy(), pass.accuracy(), eps, pass.disagreement(), predictedMs, pass.meanMs(), null);
    }
  }

  private PolicyResult latency(double targetMs, int[] fullDepth) {
    try (ElasticClassifier c = ElasticClassifier.create(bundle, executor, options(ExitPolicy.forLatency(targetMs)))) {
      Pass pass = pass(c, fullDepth);
      LatencyPlan last = c.latencyPlan().orElseThrow();
      return new PolicyResult("latency", Status.OK, null, last.reason(), targetMs,
          Double.isNaN(last.threshold()) ? null : last.threshold(), last.depthCap(), runs,
          Double.isNaN(pass.predictedAccuracy()) ? null : pass.predictedAccuracy(), pass.accuracy(), null,
          pass.disagreement(), pass.predictedMs(), pass.meanMs(), last.targetMet());
    }
  }

  private ElasticClassifier.Options options(ExitPolicy policy) {
    return ElasticClassifier.Options.builder().setExitPolicy(policy).setWarmUpRuns(Math.max(2, Math.min(warmupRuns, 100)))
        .setPrecision(precision).build();
  }

  /** Means over the measured classifications; predictions averaged over the plans in force. */
  private record Pass(double accuracy, double disagreement, double meanMs, double predictedMs, double predictedAccuracy) {}

  private Pass pass(ElasticClassifier c, int[] fullDepth) {
    for (int r = 0; r < warmupRuns; r++) {
      checkInterrupted.run();
      c.classify(samples.get(r % samples.size()).inputView());
    }
    long nanos = 0;
    int correct = 0;
    int disagree = 0;
    double predictedMs = 0;
    double predictedAccuracy = 0;
    for (int r = 0; r < runs; r++) {
      checkInterrupted.run();
      int s = r % samples.size();
      LatencyPlan plan = c.latencyPlan().orElse(null);
      Classification x = c.classify(samples.get(s).inputView());
      nanos += x.totalNanos();
      correct += x.labelIndex() == samples.get(s).label() ? 1 : 0;
      disagree += x.labelIndex() != fullDepth[s] ? 1 : 0;
      if (plan != null) {
        predictedMs += plan.predictedMillis();
        predictedAccuracy += plan.predictedAccuracy();
      }
    }
    return new Pass((double) correct / runs, (double) disagree / runs, nanos / 1e6 / runs, predictedMs / runs,
        predictedAccuracy / runs);
  }

  /** Every sample's full-depth answer (untimed), to measure how often a policy disagrees with it. */
  private int[] fullDepthPredictions() {
    Map<Graph, ByteBuffer> content = new java.util.HashMap<>();
    for (Graph g : manifest.graphs().all()) {
      if (g != manifest.graphs().full()) {
        content.put(g, bundle.graph(g));
      }
    }
    int[] predictions = new int[samples.size()];
    try (GraphChain chain = GraphChain.load(executor, manifest, content, manifest.depth())) {
      ByteBuffer input = ByteBuffer.allocateDirect(manifest.input().elementCount() * Float.BYTES)
          .order(ByteOrder.nativeOrder());
      for (int s = 0; s < samples.size(); s++) {
        checkInterrupted.run();
        ((Buffer) input).clear(); // via Buffer: Java 8's ByteBuffer has no covariant clear() (Android)
        input.asFloatBuffer().put(samples.get(s).inputView());
        predictions[s] = GraphChain.Exit.of(manifest.depth(), chain.logits(input)).predicted();
      }
    }
    return predictions;
  }
}
