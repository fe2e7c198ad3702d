package org.elasticdepth.runtime.bundle;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.bundle.BundleManifest.Guarantee;
import org.elasticdepth.runtime.bundle.BundleManifest.LossBound;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;

/**
 * Checks that a manifest is internally consistent: the graph signatures chain (stem -> blocks ->
 * head), agree with the model's shape, the labels match the classes, and every number is in range.
 * Both the writer and the reader call it, so a bundle that was written can always be read.
 */
public final class ManifestValidator {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  // File names stay inside the bundle: no separators, no "..", no hidden files.
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*\\.tflite");

  private ManifestValidator() {}

  /** @throws BundleException naming the first inconsistency found */
  public static void validate(BundleManifest m) {
    require(m.model() != null && m.input() != null && m.labels() != null && m.graphs() != null
        && m.provenance() != null, Problem.MALFORMED_MANIFEST, "manifest misses model, input, labels, graphs or provenance");
    Model model = m.model();
    positive("model.imageSize", model.imageSize());
    positive("model.channels", model.channels());
    positive("model.patchSize", model.patchSize());
    positive("model.dim", model.dim());
    positive("model.depth", model.depth());
    positive("model.heads", model.heads());
    positive("model.mlpDim", model.mlpDim());
    positive("model.numClasses", model.numClasses());
    require(model.imageSize() % model.patchSize() == 0, Problem.INCONSISTENT,
        "model.imageSize " + model.imageSize() + " is not a multiple of model.patchSize " + model.patchSize());
    require(model.dim() % model.heads() == 0, Problem.INCONSISTENT,
        "model.dim " + model.dim() + " is not divisible by model.heads " + model.heads());
    int grid = model.imageSize() / model.patchSize();
    require(model.tokens() == grid * grid + 1, Problem.INCONSISTENT,
        "model.tokens is " + model.tokens() + " but (imageSize/patchSize)^2 + 1 = " + (grid * grid + 1));
    require(model.layerNormEpsilon() > 0, Problem.MALFORMED_MANIFEST, "model.layerNormEpsilon must be > 0");

    Input input = m.input();
    require("NHWC".equals(input.layout()), Problem.INCONSISTENT, "input.layout must be NHWC, got " + input.layout());
    require(input.height() == model.imageSize() && input.width() == model.imageSize(), Problem.INCONSISTENT,
        "input is " + input.height() + "x" + input.width() + " but model.imageSize is " + model.imageSize());
    require(input.channels() == model.channels(), Problem.INCONSISTENT,
        "input.channels " + input.channels() + " != model.channels " + model.channels());
    require(input.mean().length == input.channels() && input.std().length == input.channels(), Problem.INCONSISTENT,
        "input.mean and input.std need one value per channel (" + input.channels() + ")");
    for (float s : input.std()) {
      require(s > 0 && Float.isFinite(s), Problem.MALFORMED_MANIFEST, "input.std values must be > 0");
    }
    require(input.scale() > 0 && Float.isFinite(input.scale()), Problem.MALFORMED_MANIFEST, "input.scale must be > 0");
    require("center-crop".equals(input.resize()) || "stretch".equals(input.resize()), Problem.MALFORMED_MANIFEST,
        "input.resize must be center-crop or stretch, got " + input.resize());

    require(m.labels().size() == model.numClasses(), Problem.INCONSISTENT,
        "labels has " + m.labels().size() + " entries but model.numClasses is " + model.numClasses());
    require(m.graphs().blocks().size() == model.depth(), Problem.INCONSISTENT,
        "graphs.blocks has " + m.graphs().blocks().size() + " graphs but model.depth is " + model.depth());

    int n = model.tokens();
    int d = model.dim();
    int[] image = {1, input.height(), input.width(), input.channels()};
    int[] tokens = {1, n, d};
    int[] feature = {1, d};
    int[] logits = {1, model.numClasses()};
    Set<String> files = new HashSet<>();
    graph("graphs.stem", m.graphs().stem(), files, List.of(image), List.of(tokens));
    for (int l = 1; l <= model.depth(); l++) {
      graph("graphs.blocks[" + (l - 1) + "]", m.graphs().blocks().get(l - 1), files, List.of(tokens), List.of(tokens, feature));
    }
    graph("graphs.head", m.graphs().head(), files, List.of(feature), List.of(logits));
    if (m.graphs().full() != null) {
      graph("graphs.full", m.graphs().full(), files, List.of(image), List.of(logits));
    }

    Calibration c = m.calibration();
    if (c != null) {
      require(c.layerAccuracy().size() == model.depth(), Problem.INCONSISTENT,
          "calibration.layerAccuracy has " + c.layerAccuracy().size() + " values but model.depth is " + model.depth());
      c.layerAccuracy().forEach(a -> unit("calibration.layerAccuracy", a));
      double previous = Double.NEGATIVE_INFINITY;
      for (FrontierPoint p : c.frontier()) {
        unit("calibration.frontier.threshold", p.threshold());
        unit("calibration.frontier.accuracy", p.accuracy());
        require(p.meanExitLayer() >= 1 && p.meanExitLayer() <= model.depth(), Problem.MALFORMED_MANIFEST,
            "calibration.frontier.meanExitLayer " + p.meanExitLayer() + " is outside 1.." + model.depth());
        require(p.speedUp() >= 1 - 1e-9, Problem.MALFORMED_MANIFEST, "calibration.frontier.speedUp must be >= 1");
        require(p.threshold() > previous, Problem.INCONSISTENT, "calibration.frontier must be sorted by ascending threshold");
        previous = p.threshold();
        frontierStatistics(p, model.depth());
      }
      unit("calibration.targetAccuracyDrop", c.targetAccuracyDrop());
      unit("calibration.recommendedThreshold", c.recommendedThreshold());
      Guarantee g = c.guarantee();
      if (g != null) {
        require(g.loss() != null && !g.loss().isEmpty(), Problem.MALFORMED_MANIFEST, "calibration.guarantee.loss is missing");
        require(g.confidence() > 0 && g.confidence() < 1, Problem.MALFORMED_MANIFEST,
            "calibration.guarantee.confidence must be in (0, 1), got " + g.confidence());
        require(g.maxLoss() > 0 && g.maxLoss() < 1, Problem.MALFORMED_MANIFEST,
            "calibration.guarantee.maxLoss must be in (0, 1), got " + g.maxLoss());
        if (g.threshold() != null) {
          unit("calibration.guarantee.threshold", g.threshold());
        }
        require(c.frontier().stream().allMatch(p -> p.lossBound() != null), Problem.INCONSISTENT,
            "calibration.guarantee needs a lossBound on every frontier point");
      }
    }
  }

  /** The optional per-point statistics: exit histogram, capped accuracies, loss bound. */
  private static void frontierStatistics(FrontierPoint p, int depth) {
    if (p.exitCounts() != null) {
      require(p.exitCounts().size() == depth, Problem.INCONSISTENT,
          "calibration.frontier.exitCounts has " + p.exitCounts().size() + " values but model.depth is " + depth);
      long total = 0;
      for (long count : p.exitCounts()) {
        require(count >= 0, Problem.MALFORMED_MANIFEST, "calibration.frontier.exitCounts must be >= 0, got " + count);
        total += count;
      }
      require(total > 0, Problem.MALFORMED_MANIFEST, "calibration.frontier.exitCounts counts no image");
    }
    if (p.accuracyByDepthCap() != null) {
      require(p.accuracyByDepthCap().size() == depth, Problem.INCONSISTENT, "calibration.frontier.accuracyByDepthCap has "
          + p.accuracyByDepthCap().size() + " values but model.depth is " + depth);
      p.accuracyByDepthCap().forEach(a -> unit("calibration.frontier.accuracyByDepthCap", a));
    }
    LossBound b = p.lossBound();
    if (b != null) {
      require(b.samples() > 0 && b.losses() >= 0 && b.losses() <= b.samples(), Problem.MALFORMED_MANIFEST,
          "calibration.frontier.lossBound needs samples > 0 and 0 <= losses <= samples, got " + b.losses() + " of " + b.samples());
      unit("calibration.frontier.lossBound.upperBound", b.upperBound());
    }
  }

  private static void graph(String path, Graph g, Set<String> files, List<int[]> inputs, List<int[]> outputs) {
    require(g != null, Problem.MALFORMED_MANIFEST, path + " is missing");
    require(g.file() != null && FILE_NAME.matcher(g.file()).matches(), Problem.MALFORMED_MANIFEST,
        path + ".file must be a plain *.tflite file name inside the bundle, got " + g.file());
    require(files.add(g.file()), Problem.INCONSISTENT, path + ".file " + g.file() + " is used by two graphs");
    require(g.sha256() != null && SHA256.matcher(g.sha256()).matches(), Problem.MALFORMED_MANIFEST,
        path + ".sha256 must be 64 lower-case hex digits");
    require(g.bytes() > 0, Problem.MALFORMED_MANIFEST, path + ".bytes must be > 0");
    require(g.params() >= 0 && g.flops() >= 0, Problem.MALFORMED_MANIFEST, path + ".params and .flops must be >= 0");
    signature(path + ".inputs", g.inputs(), inputs);
    signature(path + ".outputs", g.outputs(), outputs);
  }

  private static void signature(String path, List<Tensor> actual, List<int[]> expected) {
    require(actual.size() == expected.size(), Problem.INCONSISTENT,
        path + " has " + actual.size() + " tensors, expected " + expected.size());
    for (int i = 0; i < expected.size(); i++) {
      require(Arrays.equals(actual.get(i).shape(), expected.get(i)), Problem.INCONSISTENT,
          path + "[" + i + "] " + actual.get(i) + " should have shape " + Arrays.toString(expected.get(i)));
    }
  }

  private static void positive(String field, int value) {
    require(value > 0, Problem.MALFORMED_MANIFEST, field + " must be > 0, got " + value);
  }

  private static void unit(String field, double value) {
    require(value >= 0 && value <= 1, Problem.MALFORMED_MANIFEST, field + " must be in [0, 1], got " + value);
  }

  private static void require(boolean condition, Problem problem, String message) {
    if (!condition) {
      throw new BundleException(problem, message);
    }
  }
}
