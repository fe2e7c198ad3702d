package org.elasticdepth.runtime.bundle;

import java.util.Arrays;
import java.util.EnumSet;
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
import org.elasticdepth.runtime.bundle.BundleManifest.Graphs;
import org.elasticdepth.runtime.bundle.BundleManifest.Quantization;
import org.elasticdepth.runtime.bundle.BundleManifest.Variant;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.elasticdepth.runtime.bundle.BundleManifest.MinimalDepth;
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
  private static final int MAX_FILE_NAME_CHARS = 128;
  private static final Pattern OPERATOR_NAME = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");

  private ManifestValidator() {}

  /** @throws BundleException naming the first inconsistency found */
  public static void validate(BundleManifest m) {
    require(m.model() != null && m.input() != null && m.labels() != null && m.graphs() != null
        && m.provenance() != null, Problem.MALFORMED_MANIFEST, "manifest misses model, input, labels, graphs or provenance");
    Model model = m.model();
    within("model.imageSize", model.imageSize(), BundleLimits.MAX_IMAGE_SIZE);
    within("model.channels", model.channels(), BundleLimits.MAX_CHANNELS);
    within("model.patchSize", model.patchSize(), BundleLimits.MAX_IMAGE_SIZE);
    within("model.dim", model.dim(), BundleLimits.MAX_WIDTH);
    within("model.depth", model.depth(), BundleLimits.MAX_DEPTH);
    within("model.heads", model.heads(), BundleLimits.MAX_HEADS);
    within("model.mlpDim", model.mlpDim(), BundleLimits.MAX_WIDTH);
    within("model.numClasses", model.numClasses(), BundleLimits.MAX_CLASSES);
    require(model.imageSize() % model.patchSize() == 0, Problem.INCONSISTENT,
        "model.imageSize " + model.imageSize() + " is not a multiple of model.patchSize " + model.patchSize());
    require(model.dim() % model.heads() == 0, Problem.INCONSISTENT,
        "model.dim " + model.dim() + " is not divisible by model.heads " + model.heads());
    long grid = model.imageSize() / model.patchSize();
    require(model.tokens() == grid * grid + 1, Problem.INCONSISTENT,
        "model.tokens is " + model.tokens() + " but (imageSize/patchSize)^2 + 1 = " + (grid * grid + 1));
    within("model.tokens", model.tokens(), BundleLimits.MAX_TOKENS);
    require(model.layerNormEpsilon() > 0 && model.layerNormEpsilon() < 1, Problem.MALFORMED_MANIFEST,
        "model.layerNormEpsilon must be in (0, 1), got " + model.layerNormEpsilon());

    Input input = m.input();
    require("NHWC".equals(input.layout()), Problem.INCONSISTENT, "input.layout must be NHWC, got " + Quote.of(input.layout()));
    require(input.height() == model.imageSize() && input.width() == model.imageSize(), Problem.INCONSISTENT,
        "input is " + input.height() + "x" + input.width() + " but model.imageSize is " + model.imageSize());
    require(input.channels() == model.channels(), Problem.INCONSISTENT,
        "input.channels " + input.channels() + " != model.channels " + model.channels());
    require(input.mean().length == input.channels() && input.std().length == input.channels(), Problem.INCONSISTENT,
        "input.mean and input.std need one value per channel (" + input.channels() + ")");
    // Normalisation must be plausible, not merely positive: 1e-45 or 1e39 turn every input into
    // infinities or zeros, which the graphs would then compute on silently.
    float[] mean = input.mean();
    float[] std = input.std();
    for (int c = 0; c < mean.length; c++) {
      require(Math.abs(mean[c]) <= BundleLimits.MAX_ABS_MEAN, Problem.MALFORMED_MANIFEST, "input.mean[" + c + "] is "
          + mean[c] + "; a plausible mean is within +-" + BundleLimits.MAX_ABS_MEAN);
      require(std[c] >= BundleLimits.MIN_STD && std[c] <= BundleLimits.MAX_STD, Problem.MALFORMED_MANIFEST,
          "input.std[" + c + "] is " + std[c] + "; a plausible standard deviation is within ["
              + BundleLimits.MIN_STD + ", " + BundleLimits.MAX_STD + "]");
    }
    require(input.scale() >= BundleLimits.MIN_SCALE && input.scale() <= BundleLimits.MAX_SCALE, Problem.MALFORMED_MANIFEST,
        "input.scale is " + input.scale() + "; a plausible scale is within [" + BundleLimits.MIN_SCALE + ", "
            + BundleLimits.MAX_SCALE + "] (1/255 for 8-bit pictures)");
    require("center-crop".equals(input.resize()) || "stretch".equals(input.resize()), Problem.MALFORMED_MANIFEST,
        "input.resize must be center-crop or stretch, got " + Quote.of(input.resize()));

    require(m.labels().size() == model.numClasses(), Problem.INCONSISTENT,
        "labels has " + m.labels().size() + " entries but model.numClasses is " + model.numClasses());
    for (int i = 0; i < m.labels().size(); i++) {
      String label = m.labels().get(i);
      require(label != null && label.length() <= BundleLimits.MAX_STRING_CHARS, Problem.MALFORMED_MANIFEST,
          "labels[" + i + "] must be a string of at most " + BundleLimits.MAX_STRING_CHARS + " characters");
    }
    Precision primary;
    try {
      primary = m.primaryPrecision();
    } catch (IllegalArgumentException e) {
      throw new BundleException(Problem.MALFORMED_MANIFEST, "provenance.precision must be fp32, fp16 or int8, got "
          + Quote.of(m.provenance().precision()));
    }
    require(m.formatVersion() >= 2 || (m.variants().isEmpty() && m.quantization() == null && primary != Precision.INT8),
        Problem.MALFORMED_MANIFEST, "variants, quantization and int8 graphs need formatVersion 2, the manifest says "
            + m.formatVersion());
    Set<String> files = new HashSet<>();
    precision("", primary, m.graphs(), m.calibration(), m.quantization(), m, files);
    Set<Precision> seen = EnumSet.of(primary);
    for (int i = 0; i < m.variants().size(); i++) {
      Variant v = m.variants().get(i);
      String path = "variants[" + i + "]";
      require(v != null && v.precision() != null && v.graphs() != null, Problem.MALFORMED_MANIFEST,
          path + " misses precision or graphs");
      require(seen.add(v.precision()), Problem.INCONSISTENT, path + ".precision " + v.precision().label()
          + " appears twice in the bundle");
      precision(path + ".", v.precision(), v.graphs(), v.calibration(), v.quantization(), m, files);
    }
  }

  /** The graphs, calibration and quantization of one precision; {@code path} prefixes the fields in messages. */
  private static void precision(String path, Precision precision, Graphs graphs, Calibration c, Quantization q,
      BundleManifest m, Set<String> files) {
    Model model = m.model();
    Input input = m.input();
    require(graphs.stem() != null && graphs.head() != null && graphs.blocks() != null, Problem.MALFORMED_MANIFEST,
        path + "graphs misses stem, blocks or head");
    require(graphs.blocks().size() == model.depth(), Problem.INCONSISTENT,
        path + "graphs.blocks has " + graphs.blocks().size() + " graphs but model.depth is " + model.depth());

    int n = model.tokens();
    int d = model.dim();
    int[] image = {1, input.height(), input.width(), input.channels()};
    int[] tokens = {1, n, d};
    int[] feature = {1, d};
    int[] logits = {1, model.numClasses()};
    graph(path + "graphs.stem", graphs.stem(), files, List.of(image), List.of(tokens));
    for (int l = 1; l <= model.depth(); l++) {
      graph(path + "graphs.blocks[" + (l - 1) + "]", graphs.blocks().get(l - 1), files, List.of(tokens), List.of(tokens, feature));
    }
    graph(path + "graphs.head", graphs.head(), files, List.of(feature), List.of(logits));
    if (graphs.full() != null) {
      graph(path + "graphs.full", graphs.full(), files, List.of(image), List.of(logits));
    }
    for (Graph g : graphs.all()) {
      require(g.precision() == precision, Problem.INCONSISTENT, g.file() + " is marked " + g.precision().label()
          + " but belongs to the " + precision.label() + " graphs");
    }
    if (c != null) {
      calibration(path + "calibration", c, model.depth());
    }
    if (precision == Precision.INT8) {
      require(q != null, Problem.MALFORMED_MANIFEST, path + "quantization is missing: int8 graphs must say how they were made");
      require(q.calibrationImages() > 0 && q.calibrationImages() <= BundleLimits.MAX_CALIBRATION_IMAGES,
          Problem.MALFORMED_MANIFEST, path + "quantization.calibrationImages must be in 1.."
              + BundleLimits.MAX_CALIBRATION_IMAGES + ", got " + q.calibrationImages());
      operatorNames(path + "quantization.int16Ops", q.int16Ops());
      operatorNames(path + "quantization.floatOps", q.floatOps());
    } else {
      require(q == null, Problem.INCONSISTENT, path + "quantization is given for " + precision.label()
          + " graphs, which are not quantized");
    }
  }

  /** TFLite builtin operator names, sorted, no repeats. */
  private static void operatorNames(String path, List<String> names) {
    require(names != null && names.size() <= BundleLimits.MAX_OPERATOR_NAMES, Problem.MALFORMED_MANIFEST,
        path + " must be a list of at most " + BundleLimits.MAX_OPERATOR_NAMES + " operator names");
    String previous = null;
    for (String name : names) {
      require(name != null && OPERATOR_NAME.matcher(name).matches(), Problem.MALFORMED_MANIFEST,
          path + " must hold TFLite builtin operator names such as \"MEAN\", got " + Quote.of(name));
      require(previous == null || previous.compareTo(name) < 0, Problem.MALFORMED_MANIFEST,
          path + " must be sorted, without repeats");
      previous = name;
    }
  }

  private static void calibration(String path, Calibration c, int depth) {
    require(c.layerAccuracy().size() == depth, Problem.INCONSISTENT,
        path + ".layerAccuracy has " + c.layerAccuracy().size() + " values but model.depth is " + depth);
    c.layerAccuracy().forEach(a -> unit(path + ".layerAccuracy", a));
    double previous = Double.NEGATIVE_INFINITY;
    for (FrontierPoint p : c.frontier()) {
      unit(path + ".frontier.threshold", p.threshold());
      unit(path + ".frontier.accuracy", p.accuracy());
      require(p.meanExitLayer() >= 1 && p.meanExitLayer() <= depth, Problem.MALFORMED_MANIFEST,
          path + ".frontier.meanExitLayer " + p.meanExitLayer() + " is outside 1.." + depth);
      require(p.speedUp() >= 1 - 1e-9, Problem.MALFORMED_MANIFEST, path + ".frontier.speedUp must be >= 1");
      require(p.threshold() > previous, Problem.INCONSISTENT, path + ".frontier must be sorted by ascending threshold");
      previous = p.threshold();
      frontierStatistics(path, p, depth);
    }
    unit(path + ".targetAccuracyDrop", c.targetAccuracyDrop());
    unit(path + ".recommendedThreshold", c.recommendedThreshold());
    double previousDrop = Double.NEGATIVE_INFINITY;
    for (MinimalDepth minimal : c.minimalDepth()) {
      require(minimal.accuracyDrop() >= 0 && minimal.accuracyDrop() < 1, Problem.MALFORMED_MANIFEST,
          path + ".minimalDepth.accuracyDrop must be in [0, 1), got " + minimal.accuracyDrop());
      require(minimal.accuracyDrop() > previousDrop, Problem.INCONSISTENT,
          path + ".minimalDepth must be sorted by ascending accuracyDrop, without repeats");
      previousDrop = minimal.accuracyDrop();
      int expected = MinimalDepth.smallestWithin(c.layerAccuracy(), minimal.accuracyDrop());
      // the runtime caps depth by it, so it must follow from the accuracies it claims to come from
      require(minimal.depth() == expected, Problem.INCONSISTENT, path + ".minimalDepth for accuracyDrop "
          + minimal.accuracyDrop() + " is " + minimal.depth() + " but calibration.layerAccuracy gives " + expected);
    }
    Guarantee g = c.guarantee();
    if (g != null) {
      require(g.loss() != null && !g.loss().isEmpty(), Problem.MALFORMED_MANIFEST, path + ".guarantee.loss is missing");
      require(g.confidence() > 0 && g.confidence() < 1, Problem.MALFORMED_MANIFEST,
          path + ".guarantee.confidence must be in (0, 1), got " + g.confidence());
      require(g.maxLoss() > 0 && g.maxLoss() < 1, Problem.MALFORMED_MANIFEST,
          path + ".guarantee.maxLoss must be in (0, 1), got " + g.maxLoss());
      if (g.threshold() != null) {
        unit(path + ".guarantee.threshold", g.threshold());
      }
      require(c.frontier().stream().allMatch(p -> p.lossBound() != null), Problem.INCONSISTENT,
          path + ".guarantee needs a lossBound on every frontier point");
    }
  }

  /** The optional per-point statistics: exit histogram, capped accuracies, loss bound. */
  private static void frontierStatistics(String path, FrontierPoint p, int depth) {
    if (p.exitCounts() != null) {
      require(p.exitCounts().size() == depth, Problem.INCONSISTENT,
          path + ".frontier.exitCounts has " + p.exitCounts().size() + " values but model.depth is " + depth);
      long total = 0;
      for (long count : p.exitCounts()) {
        require(count >= 0, Problem.MALFORMED_MANIFEST, path + ".frontier.exitCounts must be >= 0, got " + count);
        total += count;
      }
      require(total > 0, Problem.MALFORMED_MANIFEST, path + ".frontier.exitCounts counts no image");
    }
    if (p.accuracyByDepthCap() != null) {
      require(p.accuracyByDepthCap().size() == depth, Problem.INCONSISTENT, path + ".frontier.accuracyByDepthCap has "
          + p.accuracyByDepthCap().size() + " values but model.depth is " + depth);
      p.accuracyByDepthCap().forEach(a -> unit(path + ".frontier.accuracyByDepthCap", a));
    }
    LossBound b = p.lossBound();
    if (b != null) {
      require(b.samples() > 0 && b.losses() >= 0 && b.losses() <= b.samples(), Problem.MALFORMED_MANIFEST,
          path + ".frontier.lossBound needs samples > 0 and 0 <= losses <= samples, got " + b.losses() + " of " + b.samples());
      unit(path + ".frontier.lossBound.upperBound", b.upperBound());
    }
  }

  private static void graph(String path, Graph g, Set<String> files, List<int[]> inputs, List<int[]> outputs) {
    require(g != null, Problem.MALFORMED_MANIFEST, path + " is missing");
    require(g.file() != null && g.file().length() <= MAX_FILE_NAME_CHARS && FILE_NAME.matcher(g.file()).matches(),
        Problem.MALFORMED_MANIFEST, path + ".file must be a plain *.tflite file name inside the bundle (at most "
            + MAX_FILE_NAME_CHARS + " characters), got " + Quote.of(g.file()));
    require(files.add(g.file()), Problem.INCONSISTENT, path + ".file " + g.file() + " is used by two graphs");
    require(g.sha256() != null && SHA256.matcher(g.sha256()).matches(), Problem.MALFORMED_MANIFEST,
        path + ".sha256 must be 64 lower-case hex digits");
    require(g.bytes() > 0 && g.bytes() <= BundleLimits.MAX_GRAPH_BYTES, Problem.MALFORMED_MANIFEST,
        path + ".bytes must be in 1.." + BundleLimits.MAX_GRAPH_BYTES + ", got " + g.bytes());
    // Every parameter is stored in the file with at least one byte.
    require(g.params() >= 0 && g.params() <= g.bytes(), Problem.MALFORMED_MANIFEST,
        path + ".params must be in 0..bytes (" + g.bytes() + "), got " + g.params());
    require(g.flops() >= 0 && g.flops() <= BundleLimits.MAX_FLOPS, Problem.MALFORMED_MANIFEST,
        path + ".flops must be in 0.." + BundleLimits.MAX_FLOPS + ", got " + g.flops());
    signature(path + ".inputs", g.inputs(), inputs);
    signature(path + ".outputs", g.outputs(), outputs);
  }

  private static void signature(String path, List<Tensor> actual, List<int[]> expected) {
    require(actual.size() == expected.size(), Problem.INCONSISTENT,
        path + " has " + actual.size() + " tensors, expected " + expected.size());
    for (int i = 0; i < expected.size(); i++) {
      Tensor t = actual.get(i);
      require(t.name() != null && t.name().length() <= BundleLimits.MAX_STRING_CHARS, Problem.MALFORMED_MANIFEST,
          path + "[" + i + "].name must be a string of at most " + BundleLimits.MAX_STRING_CHARS + " characters");
      require(Arrays.equals(t.shape(), expected.get(i)), Problem.INCONSISTENT, path + "[" + i + "] "
          + Quote.of(t.name()) + " " + shapeText(t.shape()) + " should have shape " + Arrays.toString(expected.get(i)));
      long bytes = tensorBytes(t.shape());
      require(bytes <= BundleLimits.MAX_TENSOR_BYTES, Problem.MALFORMED_MANIFEST, path + "[" + i + "] "
          + Arrays.toString(expected.get(i)) + " needs " + (bytes == Long.MAX_VALUE ? "more than 2^63" : bytes)
          + " bytes, more than the limit of " + BundleLimits.MAX_TENSOR_BYTES + " for one tensor");
    }
  }

  /** Bytes of a float32 tensor of {@code shape}, or Long.MAX_VALUE when that does not fit a long. */
  private static long tensorBytes(int[] shape) {
    try {
      long bytes = Float.BYTES;
      for (int d : shape) {
        bytes = Math.multiplyExact(bytes, (long) d);
      }
      return bytes;
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** A shape for messages: a hostile one may have millions of dimensions. */
  private static String shapeText(int[] shape) {
    return shape.length <= BundleLimits.MAX_RANK ? Arrays.toString(shape) : "of rank " + shape.length;
  }

  private static void within(String field, int value, int max) {
    require(value > 0 && value <= max, Problem.MALFORMED_MANIFEST, field + " must be in 1.." + max + ", got " + value);
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
