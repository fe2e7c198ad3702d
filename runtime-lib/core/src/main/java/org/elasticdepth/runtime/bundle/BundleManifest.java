package org.elasticdepth.runtime.bundle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The manifest of an elastic-depth bundle: the single definition of the bundle format, used by the
 * exporter to write bundles and by the runtime to read them.
 *
 * <pre>
 * bundle/
 *   manifest.json    this object, see {@link ManifestJson}
 *   stem.tflite      image [1,H,W,C] (NHWC, normalised) -> tokens [1,N,D]
 *   block_01.tflite  tokens [1,N,D] -> tokens [1,N,D], CLS feature [1,D]
 *   ...
 *   head.tflite      CLS feature [1,D] -> logits [1,C]   (one head, shared by every layer)
 *   full.tflite      optional: image -> logits at full depth (reference and benchmarks)
 *   stem.int8.tflite, block_01.int8.tflite, ...   optional: the same graphs in another precision
 *   manifest.json.sig  optional: signature of manifest.json, see {@link BundleSignature}
 * </pre>
 *
 * <p><b>Precisions</b> (format version 2): {@code graphs}, {@code calibration} and {@code
 * quantization} describe the primary precision, named by {@code provenance.precision}; {@code
 * variants} may add the same graphs in other precisions (fp32, fp16, int8), each with its own
 * files, hashes, calibration (confidences move under quantization) and quantization record. The
 * runtime picks one per accelerator and works with its single-precision view, {@link
 * #forPrecision}. Every precision has the same float32 graph inputs and outputs. Version-1
 * manifests (one precision, fp32 or fp16) are read unchanged.
 *
 * <p>What a manifest may declare is bounded by {@link BundleLimits}.
 *
 * <p>All value types are immutable; lists are unmodifiable copies. Instances are created by
 * {@link ManifestJson#parse} (which validates) or by the exporter, and checked by {@link
 * ManifestValidator}.
 */
public record BundleManifest(
    String format,
    int formatVersion,
    Model model,
    Input input,
    List<String> labels,
    Graphs graphs,
    Calibration calibration,
    Provenance provenance,
    Quantization quantization,
    List<Variant> variants) {

  /** The format name every manifest carries. */
  public static final String FORMAT = "elastic-vit-bundle";
  /** The newest format version this code reads and writes (2: several precisions). */
  public static final int FORMAT_VERSION = 2;
  /** The manifest's file name inside a bundle. */
  public static final String FILE_NAME = "manifest.json";

  public BundleManifest {
    labels = copy(labels);
    variants = variants == null ? List.of() : copy(variants);
  }

  /** A single-precision manifest (every version-1 manifest is one). */
  public BundleManifest(String format, int formatVersion, Model model, Input input, List<String> labels, Graphs graphs,
      Calibration calibration, Provenance provenance) {
    this(format, formatVersion, model, input, labels, graphs, calibration, provenance, null, List.of());
  }

  /** The precision of {@code graphs}, named by {@code provenance.precision}. */
  public Precision primaryPrecision() {
    return Precision.fromLabel(provenance.precision());
  }

  /** Every precision the bundle carries, the primary first. */
  public List<Precision> precisions() {
    List<Precision> all = new ArrayList<>();
    all.add(primaryPrecision());
    variants.forEach(v -> all.add(v.precision()));
    return Collections.unmodifiableList(all);
  }

  /** Whether the bundle carries {@code precision}. */
  public boolean has(Precision precision) {
    return precisions().contains(precision);
  }

  /** The graphs, calibration and quantization of {@code precision}, if the bundle carries it. */
  public Optional<Variant> variant(Precision precision) {
    if (primaryPrecision() == precision) {
      return Optional.of(new Variant(precision, graphs, calibration, quantization));
    }
    return variants.stream().filter(v -> v.precision() == precision).findFirst();
  }

  /**
   * The single-precision manifest of {@code precision}: its graphs, calibration and quantization
   * in place of the primary's, no variants. What the runtime plans and runs with once it has
   * chosen a precision.
   *
   * @throws BundleException {@link BundleException.Problem#MISSING_PRECISION} naming what the bundle carries
   */
  public BundleManifest forPrecision(Precision precision) {
    Variant v = variant(precision).orElseThrow(() -> new BundleException(BundleException.Problem.MISSING_PRECISION,
        "the bundle has no " + precision.label() + " graphs; it carries " + labels(precisions())));
    if (variants.isEmpty()) {
      return this;
    }
    Provenance p = provenance;
    Provenance single = new Provenance(p.mode(), p.epochs(), p.seed(), p.data(), precision.label(), p.exporterVersion(),
        p.createdAt());
    return new BundleManifest(format, formatVersion, model, input, labels, v.graphs(), v.calibration(), single,
        v.quantization(), List.of());
  }

  /** Every graph of every precision, primary first, each in load order. */
  public List<Graph> allGraphs() {
    List<Graph> all = new ArrayList<>(graphs.all());
    variants.forEach(v -> all.addAll(v.graphs().all()));
    return Collections.unmodifiableList(all);
  }

  /** "fp32, int8": precision labels for messages. */
  public static String labels(List<Precision> precisions) {
    StringBuilder text = new StringBuilder();
    for (Precision p : precisions) {
      text.append(text.length() == 0 ? "" : ", ").append(p.label());
    }
    return text.toString();
  }

  /**
   * The file name of graph {@code base} (e.g. {@code "block_01.tflite"}) in {@code precision}
   * when it is not the primary one: {@code "block_01.int8.tflite"}.
   */
  public static String fileName(String base, Precision precision) {
    if (!base.endsWith(".tflite")) {
      throw new IllegalArgumentException("not a .tflite file name: " + base);
    }
    return base.substring(0, base.length() - ".tflite".length()) + "." + precision.label() + ".tflite";
  }

  /** Depth L of the exported model: the number of block graphs. */
  public int depth() {
    return graphs.blocks().size();
  }

  /** The block graph of 1-based layer {@code layer}. */
  public Graph block(int layer) {
    if (layer < 1 || layer > depth()) {
      throw new IllegalArgumentException("layer " + layer + " is outside 1.." + depth());
    }
    return graphs.blocks().get(layer - 1);
  }

  /** The conventional file name of block {@code layer} (1-based): block_01.tflite, ... */
  public static String blockFileName(int layer) {
    return String.format(java.util.Locale.ROOT, "block_%02d.tflite", layer);
  }

  /** Shape of the transformer the bundle was cut from. */
  public record Model(
      String architecture,
      int imageSize,
      int channels,
      int patchSize,
      int dim,
      int depth,
      int heads,
      int mlpDim,
      int numClasses,
      int tokens,
      double layerNormEpsilon) {}

  /**
   * How to turn a picture into the stem's input: resize to {@code height x width} ({@code resize}
   * is {@code "center-crop"}: crop the largest centred square, then scale), convert to {@code
   * channels} (1 = luminance), then {@code (pixel * scale - mean[c]) / std[c]} in {@code layout}.
   */
  public record Input(
      String layout,
      int height,
      int width,
      int channels,
      float scale,
      float[] mean,
      float[] std,
      String resize) {
    public Input {
      mean = mean == null ? null : mean.clone();
      std = std == null ? null : std.clone();
    }

    @Override
    public float[] mean() {
      return mean.clone();
    }

    @Override
    public float[] std() {
      return std.clone();
    }

    /**
     * Number of floats in one input image.
     *
     * @throws ArithmeticException if it does not fit an int (never for a validated manifest, see {@link BundleLimits})
     */
    public int elementCount() {
      return Math.multiplyExact(Math.multiplyExact(height, width), channels);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Input other
          && layout.equals(other.layout)
          && height == other.height
          && width == other.width
          && channels == other.channels
          && Float.compare(scale, other.scale) == 0
          && Arrays.equals(mean, other.mean)
          && Arrays.equals(std, other.std)
          && resize.equals(other.resize);
    }

    @Override
    public int hashCode() {
      return Objects.hash(layout, height, width, channels, scale, Arrays.hashCode(mean), Arrays.hashCode(std), resize);
    }
  }

  /** A float32 tensor of a graph's signature. */
  public record Tensor(String name, int[] shape) {
    public Tensor {
      shape = shape.clone();
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }

    /**
     * Number of float elements.
     *
     * @throws ArithmeticException if it does not fit an int (never for a validated manifest, see {@link BundleLimits})
     */
    public int elementCount() {
      int n = 1;
      for (int d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }

    /** Bytes of the tensor as float32 ({@link #elementCount()} x 4, in long arithmetic). */
    public long byteCount() {
      return (long) Float.BYTES * elementCount();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tensor other && name.equals(other.name) && Arrays.equals(shape, other.shape);
    }

    @Override
    public int hashCode() {
      return 31 * name.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
      // Names come from the bundle: clipped, as everything from a bundle that reaches a message.
      return Quote.clip(name) + (shape.length <= BundleLimits.MAX_RANK ? Arrays.toString(shape) : "[rank " + shape.length + "]");
    }
  }

  /**
   * One TFLite graph of the bundle. {@code sha256} (lower-case hex) and {@code bytes} describe the
   * file; {@code params} and {@code flops} (multiply-adds x 2, one image) let the runtime plan
   * without loading it. {@code precision} is that of the graphs it belongs to (not written per
   * graph in the JSON): it tells executors how many bytes their copies of the weights take.
   */
  public record Graph(
      String file,
      String sha256,
      long bytes,
      long params,
      long flops,
      List<Tensor> inputs,
      List<Tensor> outputs,
      Precision precision) {
    public Graph {
      inputs = copy(inputs);
      outputs = copy(outputs);
      precision = precision == null ? Precision.FP32 : precision;
    }

    /** An fp32 graph. */
    public Graph(String file, String sha256, long bytes, long params, long flops, List<Tensor> inputs,
        List<Tensor> outputs) {
      this(file, sha256, bytes, params, flops, inputs, outputs, Precision.FP32);
    }

    /** A copy describing {@code content}: its SHA-256 and size. The exporter calls this. */
    public Graph withContent(byte[] content) {
      return new Graph(file, Sha256.hex(content), content.length, params, flops, inputs, outputs, precision);
    }

    /** A copy that belongs to graphs of {@code precision}. */
    public Graph withPrecision(Precision precision) {
      return new Graph(file, sha256, bytes, params, flops, inputs, outputs, precision);
    }

    /** Bytes of the input and output tensors together (float32): what every run needs at least. */
    public long ioTensorBytes() {
      long total = 0;
      for (Tensor t : inputs) {
        total = Math.addExact(total, t.byteCount());
      }
      for (Tensor t : outputs) {
        total = Math.addExact(total, t.byteCount());
      }
      return total;
    }

    /** The least any executor keeps resident for this graph: its file plus its input and output tensors. */
    public long minimumResidentBytes() {
      return Math.addExact(bytes, ioTensorBytes());
    }
  }

  /** The graphs: stem, one per block (layer 1..L in order), the shared head, optional full model. */
  public record Graphs(Graph stem, List<Graph> blocks, Graph head, Graph full) {
    public Graphs {
      blocks = copy(blocks);
    }

    /** The same graphs, each marked as belonging to {@code precision}. */
    public Graphs withPrecision(Precision precision) {
      List<Graph> marked = new ArrayList<>();
      blocks.forEach(b -> marked.add(b == null ? null : b.withPrecision(precision)));
      return new Graphs(stem == null ? null : stem.withPrecision(precision), marked,
          head == null ? null : head.withPrecision(precision), full == null ? null : full.withPrecision(precision));
    }

    /** Every graph in load order, the optional full graph last when present. */
    public List<Graph> all() {
      List<Graph> all = new ArrayList<>();
      all.add(stem);
      all.addAll(blocks);
      all.add(head);
      if (full != null) {
        all.add(full);
      }
      return Collections.unmodifiableList(all);
    }
  }

  /**
   * One point of the accuracy/speed frontier measured on the validation split: exiting at the
   * first layer whose max softmax probability is at least {@code threshold} gave {@code accuracy}
   * with a mean exit layer of {@code meanExitLayer} (1-based), i.e. {@code speedUp} = L /
   * meanExitLayer = sum(L*m_i) / sum(i*m_i).
   *
   * <p>Optional (null in bundles written before they existed): {@code exitCounts} m_1..m_L, how
   * many calibration images exited at each layer (what a latency target is planned from); {@code
   * accuracyByDepthCap}, the accuracy when the depth is also capped at d = 1..L (images that have
   * not exited by layer d answer there); {@code lossBound}, the guaranteed-calibration statistics
   * of this threshold.
   */
  public record FrontierPoint(
      double threshold,
      double accuracy,
      double meanExitLayer,
      double speedUp,
      List<Long> exitCounts,
      List<Double> accuracyByDepthCap,
      LossBound lossBound) {
    public FrontierPoint {
      exitCounts = copy(exitCounts);
      accuracyByDepthCap = copy(accuracyByDepthCap);
    }

    /** A point without the optional statistics (format of the first bundles). */
    public FrontierPoint(double threshold, double accuracy, double meanExitLayer, double speedUp) {
      this(threshold, accuracy, meanExitLayer, speedUp, null, null, null);
    }
  }

  /**
   * The exact upper confidence bound on the loss of one threshold (see {@link Guarantee}): {@code
   * losses} of {@code samples} calibration images lost, and with probability at least the
   * calibration's {@link Guarantee#confidence()} the loss rate on new images from the same
   * distribution is at most {@code upperBound} (Clopper-Pearson).
   */
  public record LossBound(int samples, int losses, double upperBound) {}

  /**
   * How the frontier's {@link LossBound}s were made and what they guarantee. {@code loss} names the
   * per-image loss ({@value #DISAGREEMENT}: the early exit's prediction differs from the full-depth
   * prediction; its rate bounds the accuracy drop from above); {@code confidence} = 1 - delta, the
   * level of every bound; {@code maxLoss} the epsilon calibrated for and {@code threshold} the
   * loosest threshold that fixed-sequence testing certified for it, null when none was (then only
   * full depth is guaranteed).
   */
  public record Guarantee(String loss, double confidence, double maxLoss, Double threshold) {
    /** The loss of the exporter's guaranteed calibration. */
    public static final String DISAGREEMENT = "disagreement-with-full-depth";
  }

  /**
   * What the exporter measured on its validation split: the shared head's accuracy after each
   * layer (index 0 = layer 1), the frontier sorted by ascending threshold, the threshold it
   * recommends ({@code recommendedThreshold}, chosen for {@code targetAccuracyDrop}), the task's
   * minimal depths (optional, empty in bundles written before it existed), sorted by ascending
   * {@code accuracyDrop}, and the {@code guarantee} (optional; null: no loss bounds in the frontier).
   */
  public record Calibration(
      String split,
      List<Double> layerAccuracy,
      List<FrontierPoint> frontier,
      double targetAccuracyDrop,
      double recommendedThreshold,
      List<MinimalDepth> minimalDepth,
      Guarantee guarantee) {
    public Calibration {
      layerAccuracy = copy(layerAccuracy);
      frontier = copy(frontier);
      minimalDepth = minimalDepth == null ? List.of() : copy(minimalDepth);
    }

    /** A calibration without minimal depths or guarantee (format of the first bundles). */
    public Calibration(String split, List<Double> layerAccuracy, List<FrontierPoint> frontier,
        double targetAccuracyDrop, double recommendedThreshold) {
      this(split, layerAccuracy, frontier, targetAccuracyDrop, recommendedThreshold, List.of(), null);
    }

    /** A calibration with minimal depths and without guarantee. */
    public Calibration(String split, List<Double> layerAccuracy, List<FrontierPoint> frontier,
        double targetAccuracyDrop, double recommendedThreshold, List<MinimalDepth> minimalDepth) {
      this(split, layerAccuracy, frontier, targetAccuracyDrop, recommendedThreshold, minimalDepth, null);
    }

    /** A calibration with a guarantee and without minimal depths. */
    public Calibration(String split, List<Double> layerAccuracy, List<FrontierPoint> frontier,
        double targetAccuracyDrop, double recommendedThreshold, Guarantee guarantee) {
      this(split, layerAccuracy, frontier, targetAccuracyDrop, recommendedThreshold, List.of(), guarantee);
    }

    /** The minimal depth for the smallest accuracy drop recorded (the safest cap), if any. */
    public Optional<MinimalDepth> strictestMinimalDepth() {
      return minimalDepth.isEmpty() ? Optional.empty() : Optional.of(minimalDepth.get(0));
    }
  }

  /**
   * The task's minimal depth: the smallest depth whose validation accuracy is within {@code
   * accuracyDrop} (absolute, 0.005 = half a point) of full depth. Aligned training makes accuracy
   * rise with depth, so the layers above it add (almost) nothing for this task; the planner uses
   * it as the default depth cap when no budget is given.
   */
  public record MinimalDepth(double accuracyDrop, int depth) {
    /** The drop in accuracy points, as people say it: "0.5" for 0.005, "1" for 0.01. */
    public String dropInPoints() {
      return java.math.BigDecimal.valueOf(accuracyDrop * 100).stripTrailingZeros().toPlainString();
    }

    /**
     * The rule, defined once: the smallest 1-based depth {@code d} with {@code layerAccuracy[d-1]
     * >= layerAccuracy[L-1] - accuracyDrop}.
     */
    public static int smallestWithin(List<Double> layerAccuracy, double accuracyDrop) {
      if (layerAccuracy.isEmpty()) {
        throw new IllegalArgumentException("no layer accuracies");
      }
      double full = layerAccuracy.get(layerAccuracy.size() - 1);
      for (int d = 1; d <= layerAccuracy.size(); d++) {
        if (layerAccuracy.get(d - 1) >= full - accuracyDrop - 1e-12) {
          return d;
        }
      }
      return layerAccuracy.size(); // not reached: the last layer is within any drop >= 0 of itself
    }
  }

  /**
   * The same graphs in one more precision: {@code calibration} measured on these graphs (may be
   * null, then the runtime cannot tell how much accuracy the precision costs), {@code
   * quantization} for int8 (null otherwise).
   */
  public record Variant(Precision precision, Graphs graphs, Calibration calibration, Quantization quantization) {}

  /**
   * How an int8 precision was made: activation ranges calibrated on {@code calibrationImages}
   * training images; the builtin operators (TFLite names such as {@code "MEAN"}) left computing in
   * int16 activations (TFLite's 16x8 mode, {@code int16Ops}) or in float32 between a DEQUANTIZE and
   * a QUANTIZE ({@code floatOps}) because int8 lost too much accuracy there. The runtime checks
   * both lists against what the graphs actually hold. Sorted, no repeats.
   */
  public record Quantization(int calibrationImages, List<String> int16Ops, List<String> floatOps) {
    public Quantization {
      int16Ops = copy(int16Ops);
      floatOps = copy(floatOps);
    }
  }

  /** Where the model came from. {@code precision} names the primary precision ("fp32", "fp16" or "int8"). */
  public record Provenance(
      String mode,
      int epochs,
      long seed,
      String data,
      String precision,
      String exporterVersion,
      String createdAt) {}

  private static <T> List<T> copy(List<T> list) {
    return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
  }
}
