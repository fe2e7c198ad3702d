package org.elasticdepth.exporter.export;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.elasticdepth.exporter.quantize.TensorRanges;
import org.elasticdepth.exporter.tflite.Arithmetic;
import org.elasticdepth.exporter.tflite.QuantizationPlan;
import org.elasticdepth.exporter.tflite.QuantizationRecipe;
import org.elasticdepth.exporter.tflite.GraphBuilder;
import org.elasticdepth.exporter.tflite.Layers;
import org.elasticdepth.exporter.tflite.Layers.Attention;
import org.elasticdepth.exporter.tflite.Layers.Linear;
import org.elasticdepth.exporter.tflite.Layers.Norm;
import org.elasticdepth.exporter.tflite.Operand;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;

/**
 * Cuts a trained elastic ViT into the bundle's TFLite graphs, reproducing {@code ElasticVit}'s
 * forward pass op for op:
 *
 * <pre>
 * stem.tflite      image [1,S,S,C] -> Conv2d(p, stride p) -> [1,N-1,D] -> [CLS; patches] + pos -> tokens [1,N,D]
 * block_LL.tflite  tokens -> x + proj(MHA(LN1(x))) -> h + fc2(GELU(fc1(LN2(h)))) -> tokens [1,N,D], feature [1,D]
 * head.tflite      feature [1,D] -> LayerNorm -> Linear -> logits [1,C]
 * full.tflite      image -> stem -> blocks 1..L -> head(token 0) -> logits   (reference and benchmarks)
 * </pre>
 *
 * The image is NHWC (TFLite's layout) where training used NCHW; the patch convolution's weights are
 * transposed accordingly (OIHW -> OHWI), which keeps the row-major patch order of the tokens.
 */
public final class VitGraphs {
  /** Signature names of the graphs' tensors, as the manifest records them. */
  public static final String IMAGE = "image";
  public static final String TOKENS = "tokens";
  public static final String FEATURE = "feature";
  public static final String LOGITS = "logits";
  public static final String STEM_FILE = "stem.tflite";
  public static final String HEAD_FILE = "head.tflite";
  public static final String FULL_FILE = "full.tflite";

  /**
   * One emitted graph with what the manifest says about it; {@code int16Ops} and {@code floatOps}
   * name the builtin operators an int8 graph computes in int16 or float32 (empty otherwise).
   */
  public record BuiltGraph(String file, byte[] bytes, long params, long flops, List<Tensor> inputs, List<Tensor> outputs,
      SortedSet<String> int16Ops, SortedSet<String> floatOps) {
    /** The manifest entry: file name, SHA-256, size, parameters, FLOPs, signature. */
    public BundleManifest.Graph manifestEntry() {
      return new BundleManifest.Graph(file, null, 0, params, flops, inputs, outputs).withContent(bytes);
    }

    /** The same graph under another file name (e.g. {@code block_01.int8.tflite}). */
    public BuiltGraph named(String otherFile) {
      return new BuiltGraph(otherFile, bytes, params, flops, inputs, outputs, int16Ops, floatOps);
    }
  }

  /** What an int8 build needs: the float32 graphs' calibrated ranges and the recipe. */
  public record Int8(TensorRanges ranges, QuantizationRecipe recipe) {}

  private final Model model;
  private final VitWeights weights;
  private final Precision precision;
  private final Int8 int8; // null unless INT8

  /**
   * Float32 or float16 graphs.
   *
   * @throws ExportException if {@code weights} are not exactly those of {@code model}
   */
  public VitGraphs(Model model, VitWeights weights, Precision precision) {
    this(model, weights, precision, null);
    if (precision == Precision.INT8) {
      throw new IllegalArgumentException("int8 graphs need calibrated ranges: use VitGraphs(model, weights, Int8)");
    }
  }

  /**
   * Int8 graphs quantized with {@code int8}'s ranges (measured on this model's float32 graphs)
   * and recipe.
   *
   * @throws ExportException if {@code weights} are not exactly those of {@code model}
   */
  public VitGraphs(Model model, VitWeights weights, Int8 int8) {
    this(model, weights, Precision.INT8, java.util.Objects.requireNonNull(int8, "int8"));
  }

  private VitGraphs(Model model, VitWeights weights, Precision precision, Int8 int8) {
    weights.requireMatches(model);
    this.model = model;
    this.weights = weights;
    this.precision = precision;
    this.int8 = int8;
  }

  public Model model() {
    return model;
  }

  public Precision precision() {
    return precision;
  }

  public BuiltGraph stem() {
    GraphBuilder g = builder("stem");
    Operand image = g.input(IMAGE, imageShape());
    g.output(TOKENS, stem(g, image));
    return built(g, STEM_FILE, List.of(tensor(IMAGE, imageShape())), List.of(tensor(TOKENS, tokensShape())));
  }

  /** Block {@code layer} (1-based). */
  public BuiltGraph block(int layer) {
    if (layer < 1 || layer > model.depth()) {
      throw new IllegalArgumentException("layer " + layer + " is outside 1.." + model.depth());
    }
    GraphBuilder g = builder(graphName(layer));
    Operand tokens = g.input(TOKENS, tokensShape());
    Operand out = block(g, layer, tokens);
    g.output(TOKENS, out);
    g.output(FEATURE, new Layers(g).firstToken(out));
    return built(g, BundleManifest.blockFileName(layer), List.of(tensor(TOKENS, tokensShape())),
        List.of(tensor(TOKENS, tokensShape()), tensor(FEATURE, featureShape())));
  }

  public BuiltGraph head() {
    GraphBuilder g = builder("head");
    Operand feature = g.input(FEATURE, featureShape());
    g.output(LOGITS, head(g, feature));
    return built(g, HEAD_FILE, List.of(tensor(FEATURE, featureShape())), List.of(tensor(LOGITS, logitsShape())));
  }

  /** The whole network at full depth in one graph. */
  public BuiltGraph full() {
    GraphBuilder g = builder("full");
    Operand x = stem(g, g.input(IMAGE, imageShape()));
    for (int l = 1; l <= model.depth(); l++) {
      x = block(g, l, x);
    }
    g.output(LOGITS, head(g, new Layers(g).firstToken(x)));
    return built(g, FULL_FILE, List.of(tensor(IMAGE, imageShape())), List.of(tensor(LOGITS, logitsShape())));
  }

  /** The graph name of block {@code layer} ({@code "block_01"}), under which its ranges are recorded. */
  public static String graphName(int layer) {
    return String.format(java.util.Locale.ROOT, "block_%02d", layer);
  }

  private GraphBuilder builder(String graphName) {
    return int8 == null ? new GraphBuilder(graphName, precision)
        : new GraphBuilder(graphName, new QuantizationPlan(int8.ranges().graph(graphName), int8.recipe()));
  }

  // ---------------------------------------------------------------- the network, op for op

  private Operand stem(GraphBuilder g, Operand image) {
    int d = model.dim();
    int p = model.patchSize();
    int c = model.channels();
    g.scope("stem");
    Operand filter = g.weight("patch.weight", oihwToOhwi(weights.values("stem.patch.weight"), d, c, p), d, p, p, c);
    Operand patches = g.conv2d(image, filter, g.weight("patch.bias", weights.values("stem.patch.bias"), d), p);
    Operand sequence = g.reshape(patches, 1, model.tokens() - 1, d);
    Operand cls = g.weight("cls", weights.values("stem.cls"), 1, 1, d);
    Operand tokens = g.add(g.concat(1, cls, sequence), g.weight("pos", weights.values("stem.pos"), 1, model.tokens(), d));
    g.scope("");
    return tokens;
  }

  private Operand block(GraphBuilder g, int layer, Operand x) {
    String b = "block" + layer + ".";
    int d = model.dim();
    float eps = (float) model.layerNormEpsilon();
    Layers layers = new Layers(g);
    g.scope("block" + layer);
    float[] qkvWeight = weights.values(b + "attn.qkv.weight"); // [3D, D]: rows of q, then k, then v
    float[] qkvBias = weights.values(b + "attn.qkv.bias");
    Attention attention = new Attention(
        new Linear(g.weight("attn.q.weight", rows(qkvWeight, 0, d, d), d, d), g.weight("attn.q.bias", rows(qkvBias, 0, d, 1), d)),
        new Linear(g.weight("attn.k.weight", rows(qkvWeight, d, d, d), d, d), g.weight("attn.k.bias", rows(qkvBias, d, d, 1), d)),
        new Linear(g.weight("attn.v.weight", rows(qkvWeight, 2 * d, d, d), d, d), g.weight("attn.v.bias", rows(qkvBias, 2 * d, d, 1), d)),
        linear(g, b, "attn.proj", d, d),
        model.heads());
    Operand h = layers.residual(x, layers.selfAttention(layers.layerNorm(x, norm(g, b, "ln1"), eps), attention));
    Operand mlp = layers.mlp(layers.layerNorm(h, norm(g, b, "ln2"), eps),
        linear(g, b, "mlp.fc1", model.mlpDim(), d), linear(g, b, "mlp.fc2", d, model.mlpDim()), false);
    Operand out = layers.residual(h, mlp);
    g.scope("");
    return out;
  }

  private Operand head(GraphBuilder g, Operand feature) {
    Layers layers = new Layers(g);
    g.scope("head");
    Operand normed = layers.layerNorm(feature, norm(g, "head.", "ln"), (float) model.layerNormEpsilon());
    Operand logits = layers.linear(normed, linear(g, "head.", "fc", model.numClasses(), model.dim()));
    g.scope("");
    return logits;
  }

  private Norm norm(GraphBuilder g, String prefix, String name) {
    int d = model.dim();
    return new Norm(g.weight(name + ".gamma", weights.values(prefix + name + ".gamma"), d),
        g.weight(name + ".beta", weights.values(prefix + name + ".beta"), d));
  }

  private Linear linear(GraphBuilder g, String prefix, String name, int out, int in) {
    return new Linear(g.weight(name + ".weight", weights.values(prefix + name + ".weight"), out, in),
        g.weight(name + ".bias", weights.values(prefix + name + ".bias"), out));
  }

  // ---------------------------------------------------------------- layouts and shapes

  /** Rows {@code first .. first+count-1} of a row-major matrix with {@code width} columns. */
  private static float[] rows(float[] matrix, int first, int count, int width) {
    float[] out = new float[count * width];
    System.arraycopy(matrix, first * width, out, 0, out.length);
    return out;
  }

  /** Conv weights [O, C, kh, kw] (DJL/PyTorch) -> [O, kh, kw, C] (TFLite). */
  static float[] oihwToOhwi(float[] w, int out, int in, int k) {
    float[] t = new float[w.length];
    for (int o = 0; o < out; o++) {
      for (int c = 0; c < in; c++) {
        for (int y = 0; y < k; y++) {
          for (int x = 0; x < k; x++) {
            t[((o * k + y) * k + x) * in + c] = w[((o * in + c) * k + y) * k + x];
          }
        }
      }
    }
    return t;
  }

  private BuiltGraph built(GraphBuilder g, String file, List<Tensor> inputs, List<Tensor> outputs) {
    boolean quantized = precision == Precision.INT8;
    return new BuiltGraph(file, g.toFlatBuffer(), g.parameterCount(), g.flops(), inputs, outputs,
        quantized ? g.operators(Arithmetic.INT16) : new TreeSet<>(),
        quantized ? g.operators(Arithmetic.FLOAT32) : new TreeSet<>());
  }

  private int[] imageShape() {
    return new int[] {1, model.imageSize(), model.imageSize(), model.channels()};
  }

  private int[] tokensShape() {
    return new int[] {1, model.tokens(), model.dim()};
  }

  private int[] featureShape() {
    return new int[] {1, model.dim()};
  }

  private int[] logitsShape() {
    return new int[] {1, model.numClasses()};
  }

  private static Tensor tensor(String name, int[] shape) {
    return new Tensor(name, shape);
  }
}
