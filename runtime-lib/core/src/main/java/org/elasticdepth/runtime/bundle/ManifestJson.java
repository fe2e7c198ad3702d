package org.elasticdepth.runtime.bundle;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Graphs;
import org.elasticdepth.runtime.bundle.BundleManifest.Guarantee;
import org.elasticdepth.runtime.bundle.BundleManifest.LossBound;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.elasticdepth.runtime.bundle.BundleManifest.MinimalDepth;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.bundle.BundleManifest.Provenance;
import org.elasticdepth.runtime.bundle.BundleManifest.Quantization;
import org.elasticdepth.runtime.bundle.BundleManifest.Variant;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;

/**
 * manifest.json to {@link BundleManifest} and back. Mapping is written out field by field (not
 * reflective) so that every error names the JSON path that is wrong, and so that records survive
 * Android's desugaring and code shrinking untouched.
 */
public final class ManifestJson {
  private ManifestJson() {}

  /**
   * Parses and fully validates a manifest.
   *
   * @throws BundleException {@link Problem#MALFORMED_MANIFEST} for bad JSON or fields, {@link
   *     Problem#UNSUPPORTED_VERSION} for another format or a newer version, {@link
   *     Problem#INCONSISTENT} when the fields contradict each other
   */
  public static BundleManifest parse(String json) {
    return parse(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Parses and fully validates a manifest from its UTF-8 bytes (the remaining bytes of {@code
   * utf8}; its position does not move): strict JSON only (see {@link StrictJson}), at most {@link
   * BundleLimits#MAX_MANIFEST_BYTES}.
   *
   * @throws BundleException as {@link #parse(String)}
   */
  public static BundleManifest parse(ByteBuffer utf8) {
    if (utf8.remaining() > BundleLimits.MAX_MANIFEST_BYTES) {
      throw new BundleException(Problem.MALFORMED_MANIFEST, BundleManifest.FILE_NAME + " has " + utf8.remaining()
          + " bytes, more than the limit of " + BundleLimits.MAX_MANIFEST_BYTES);
    }
    JsonElement root = StrictJson.parse(BundleManifest.FILE_NAME, utf8);
    Node manifest = new Node("manifest", root).object();
    String format = manifest.get("format").string();
    if (!BundleManifest.FORMAT.equals(format)) {
      throw new BundleException(Problem.UNSUPPORTED_VERSION,
          "manifest.format is " + Quote.of(format) + ", expected \"" + BundleManifest.FORMAT + "\"");
    }
    int version = manifest.get("formatVersion").integer();
    if (version < 1 || version > BundleManifest.FORMAT_VERSION) {
      throw new BundleException(Problem.UNSUPPORTED_VERSION, "manifest.formatVersion " + version
          + " is not supported by this runtime (it reads versions 1.." + BundleManifest.FORMAT_VERSION + ")");
    }
    Provenance provenance = provenance(manifest.get("provenance").object());
    Precision primary = precision(manifest.get("provenance").get("precision"));
    Node variants = manifest.optional("variants");
    Node quantization = manifest.optional("quantization");
    if (version < 2 && (variants != null || quantization != null)) {
      throw new BundleException(Problem.MALFORMED_MANIFEST, "manifest."
          + (variants != null ? "variants" : "quantization") + " needs formatVersion 2, the manifest says " + version);
    }
    BundleManifest parsed = new BundleManifest(
        format,
        version,
        model(manifest.get("model").object()),
        input(manifest.get("input").object()),
        manifest.get("labels").list(Node::string),
        graphs(manifest.get("graphs").object()).withPrecision(primary),
        calibration(manifest.optional("calibration")),
        provenance,
        quantization(quantization),
        variants == null ? List.of() : variants.list(ManifestJson::variant));
    ManifestValidator.validate(parsed);
    return parsed;
  }

  private static Precision precision(Node n) {
    String label = n.string();
    try {
      return Precision.fromLabel(label);
    } catch (IllegalArgumentException e) {
      throw n.malformed("must be fp32, fp16 or int8, got " + Quote.of(label));
    }
  }

  private static Variant variant(Node n) {
    n.object();
    Precision precision = precision(n.get("precision"));
    return new Variant(precision, graphs(n.get("graphs").object()).withPrecision(precision),
        calibration(n.optional("calibration")), quantization(n.optional("quantization")));
  }

  private static Quantization quantization(Node n) {
    if (n == null) {
      return null;
    }
    n.object();
    return new Quantization(n.get("calibrationImages").integer(), n.get("int16Ops").list(Node::string),
        n.get("floatOps").list(Node::string));
  }

  /** Pretty-printed JSON of a (validated) manifest. */
  public static String toJson(BundleManifest m) {
    ManifestValidator.validate(m);
    JsonObject root = new JsonObject();
    root.addProperty("format", m.format());
    root.addProperty("formatVersion", m.formatVersion());
    Model model = m.model();
    JsonObject mo = new JsonObject();
    mo.addProperty("architecture", model.architecture());
    mo.addProperty("imageSize", model.imageSize());
    mo.addProperty("channels", model.channels());
    mo.addProperty("patchSize", model.patchSize());
    mo.addProperty("dim", model.dim());
    mo.addProperty("depth", model.depth());
    mo.addProperty("heads", model.heads());
    mo.addProperty("mlpDim", model.mlpDim());
    mo.addProperty("numClasses", model.numClasses());
    mo.addProperty("tokens", model.tokens());
    mo.addProperty("layerNormEpsilon", model.layerNormEpsilon());
    root.add("model", mo);
    Input in = m.input();
    JsonObject io = new JsonObject();
    io.addProperty("layout", in.layout());
    io.addProperty("height", in.height());
    io.addProperty("width", in.width());
    io.addProperty("channels", in.channels());
    io.addProperty("scale", in.scale());
    io.add("mean", floats(in.mean()));
    io.add("std", floats(in.std()));
    io.addProperty("resize", in.resize());
    root.add("input", io);
    root.add("labels", strings(m.labels()));
    root.add("graphs", graphs(m.graphs()));
    if (m.calibration() != null) {
      root.add("calibration", calibration(m.calibration()));
    }
    if (m.quantization() != null) {
      root.add("quantization", quantization(m.quantization()));
    }
    Provenance p = m.provenance();
    JsonObject po = new JsonObject();
    po.addProperty("mode", p.mode());
    po.addProperty("epochs", p.epochs());
    po.addProperty("seed", p.seed());
    po.addProperty("data", p.data());
    po.addProperty("precision", p.precision());
    po.addProperty("exporterVersion", p.exporterVersion());
    po.addProperty("createdAt", p.createdAt());
    root.add("provenance", po);
    if (!m.variants().isEmpty()) {
      JsonArray variants = new JsonArray();
      for (Variant v : m.variants()) {
        JsonObject vo = new JsonObject();
        vo.addProperty("precision", v.precision().label());
        vo.add("graphs", graphs(v.graphs()));
        if (v.calibration() != null) {
          vo.add("calibration", calibration(v.calibration()));
        }
        if (v.quantization() != null) {
          vo.add("quantization", quantization(v.quantization()));
        }
        variants.add(vo);
      }
      root.add("variants", variants);
    }
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
  }

  private static JsonObject graphs(Graphs g) {
    JsonObject graphs = new JsonObject();
    graphs.add("stem", graph(g.stem()));
    JsonArray blocks = new JsonArray();
    g.blocks().forEach(b -> blocks.add(graph(b)));
    graphs.add("blocks", blocks);
    graphs.add("head", graph(g.head()));
    if (g.full() != null) {
      graphs.add("full", graph(g.full()));
    }
    return graphs;
  }

  private static JsonObject calibration(Calibration c) {
    JsonObject co = new JsonObject();
    co.addProperty("split", c.split());
    co.add("layerAccuracy", numbers(c.layerAccuracy()));
    JsonArray frontier = new JsonArray();
    for (FrontierPoint p : c.frontier()) {
      JsonObject po = new JsonObject();
      po.addProperty("threshold", p.threshold());
      po.addProperty("accuracy", p.accuracy());
      po.addProperty("meanExitLayer", p.meanExitLayer());
      po.addProperty("speedUp", p.speedUp());
      if (p.exitCounts() != null) {
        po.add("exitCounts", numbers(p.exitCounts()));
      }
      if (p.accuracyByDepthCap() != null) {
        po.add("accuracyByDepthCap", numbers(p.accuracyByDepthCap()));
      }
      if (p.lossBound() != null) {
        JsonObject bound = new JsonObject();
        bound.addProperty("samples", p.lossBound().samples());
        bound.addProperty("losses", p.lossBound().losses());
        bound.addProperty("upperBound", p.lossBound().upperBound());
        po.add("lossBound", bound);
      }
      frontier.add(po);
    }
    co.add("frontier", frontier);
    co.addProperty("targetAccuracyDrop", c.targetAccuracyDrop());
    co.addProperty("recommendedThreshold", c.recommendedThreshold());
    if (!c.minimalDepth().isEmpty()) { // optional: absent in bundles written before it existed
      JsonArray depths = new JsonArray();
      for (MinimalDepth d : c.minimalDepth()) {
        JsonObject o = new JsonObject();
        o.addProperty("accuracyDrop", d.accuracyDrop());
        o.addProperty("depth", d.depth());
        depths.add(o);
      }
      co.add("minimalDepth", depths);
    }
    if (c.guarantee() != null) {
      Guarantee g = c.guarantee();
      JsonObject go = new JsonObject();
      go.addProperty("loss", g.loss());
      go.addProperty("confidence", g.confidence());
      go.addProperty("maxLoss", g.maxLoss());
      if (g.threshold() != null) {
        go.addProperty("threshold", g.threshold());
      }
      co.add("guarantee", go);
    }
    return co;
  }

  private static JsonObject quantization(Quantization q) {
    JsonObject o = new JsonObject();
    o.addProperty("calibrationImages", q.calibrationImages());
    o.add("int16Ops", strings(q.int16Ops()));
    o.add("floatOps", strings(q.floatOps()));
    return o;
  }

  private static Model model(Node n) {
    return new Model(
        n.get("architecture").string(),
        n.get("imageSize").integer(),
        n.get("channels").integer(),
        n.get("patchSize").integer(),
        n.get("dim").integer(),
        n.get("depth").integer(),
        n.get("heads").integer(),
        n.get("mlpDim").integer(),
        n.get("numClasses").integer(),
        n.get("tokens").integer(),
        n.get("layerNormEpsilon").number());
  }

  private static Input input(Node n) {
    return new Input(
        n.get("layout").string(),
        n.get("height").integer(),
        n.get("width").integer(),
        n.get("channels").integer(),
        n.get("scale").floatValue(),
        toFloats(n.get("mean").list(Node::floatValue)),
        toFloats(n.get("std").list(Node::floatValue)),
        n.get("resize").string());
  }

  private static Graphs graphs(Node n) {
    Node full = n.optional("full");
    return new Graphs(
        graph(n.get("stem").object()),
        n.get("blocks").list(b -> graph(b.object())),
        graph(n.get("head").object()),
        full == null ? null : graph(full.object()));
  }

  private static Graph graph(Node n) {
    return new Graph(
        n.get("file").string(),
        n.get("sha256").string(),
        n.get("bytes").longValue(),
        n.get("params").longValue(),
        n.get("flops").longValue(),
        n.get("inputs").list(t -> tensor(t.object())),
        n.get("outputs").list(t -> tensor(t.object())));
  }

  private static Tensor tensor(Node n) {
    List<Integer> dims = n.get("shape").list(Node::integer);
    int[] shape = new int[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.get(i);
    }
    return new Tensor(n.get("name").string(), shape);
  }

  private static Calibration calibration(Node n) {
    if (n == null) {
      return null;
    }
    n.object();
    return new Calibration(
        n.get("split").string(),
        n.get("layerAccuracy").list(Node::number),
        n.get("frontier").list(p -> {
          p.object();
          Node counts = p.optional("exitCounts");
          Node capped = p.optional("accuracyByDepthCap");
          Node bound = p.optional("lossBound");
          return new FrontierPoint(p.get("threshold").number(), p.get("accuracy").number(),
              p.get("meanExitLayer").number(), p.get("speedUp").number(),
              counts == null ? null : counts.list(Node::longValue),
              capped == null ? null : capped.list(Node::number),
              bound == null ? null : lossBound(bound.object()));
        }),
        n.get("targetAccuracyDrop").number(),
        n.get("recommendedThreshold").number(),
        minimalDepth(n.optional("minimalDepth")),
        guarantee(n.optional("guarantee")));
  }

  private static List<MinimalDepth> minimalDepth(Node n) {
    return n == null ? List.of() : n.list(d -> {
      d.object();
      return new MinimalDepth(d.get("accuracyDrop").number(), d.get("depth").integer());
    });
  }

  private static LossBound lossBound(Node n) {
    return new LossBound(n.get("samples").integer(), n.get("losses").integer(), n.get("upperBound").number());
  }

  private static Guarantee guarantee(Node n) {
    if (n == null) {
      return null;
    }
    n.object();
    Node threshold = n.optional("threshold");
    return new Guarantee(n.get("loss").string(), n.get("confidence").number(), n.get("maxLoss").number(),
        threshold == null ? null : threshold.number());
  }

  private static Provenance provenance(Node n) {
    return new Provenance(
        n.get("mode").string(),
        n.get("epochs").integer(),
        n.get("seed").longValue(),
        n.get("data").string(),
        n.get("precision").string(),
        n.get("exporterVersion").string(),
        n.get("createdAt").string());
  }

  private static JsonObject graph(Graph g) {
    JsonObject o = new JsonObject();
    o.addProperty("file", g.file());
    o.addProperty("sha256", g.sha256());
    o.addProperty("bytes", g.bytes());
    o.addProperty("params", g.params());
    o.addProperty("flops", g.flops());
    o.add("inputs", tensors(g.inputs()));
    o.add("outputs", tensors(g.outputs()));
    return o;
  }

  private static JsonArray tensors(List<Tensor> tensors) {
    JsonArray a = new JsonArray();
    for (Tensor t : tensors) {
      JsonObject o = new JsonObject();
      o.addProperty("name", t.name());
      JsonArray shape = new JsonArray();
      for (int d : t.shape()) {
        shape.add(d);
      }
      o.add("shape", shape);
      a.add(o);
    }
    return a;
  }

  private static JsonArray numbers(List<? extends Number> values) {
    JsonArray a = new JsonArray();
    values.forEach(a::add);
    return a;
  }

  private static JsonArray strings(List<String> values) {
    JsonArray a = new JsonArray();
    values.forEach(a::add);
    return a;
  }

  private static JsonArray floats(float[] values) {
    JsonArray a = new JsonArray();
    for (float v : values) {
      a.add(v);
    }
    return a;
  }

  private static float[] toFloats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  /** A JSON element with its path, so every error says where it is. */
  private static final class Node {
    private final String path;
    private final JsonElement element;

    Node(String path, JsonElement element) {
      this.path = path;
      this.element = element;
    }

    Node object() {
      if (element == null || !element.isJsonObject()) {
        throw malformed("must be an object");
      }
      return this;
    }

    Node get(String field) {
      JsonElement child = element.getAsJsonObject().get(field);
      if (child == null || child.isJsonNull()) {
        throw new BundleException(Problem.MALFORMED_MANIFEST, path + "." + field + " is missing");
      }
      return new Node(path + "." + field, child);
    }

    Node optional(String field) {
      JsonElement child = element.getAsJsonObject().get(field);
      return child == null || child.isJsonNull() ? null : new Node(path + "." + field, child);
    }

    String string() {
      if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isString()) {
        throw malformed("must be a string");
      }
      String s = element.getAsString();
      if (s.length() > BundleLimits.MAX_STRING_CHARS) {
        throw malformed("has " + s.length() + " characters, more than the limit of " + BundleLimits.MAX_STRING_CHARS
            + ": " + Quote.of(s));
      }
      return s;
    }

    double number() {
      JsonPrimitive p = primitiveNumber();
      double v = p.getAsDouble();
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        throw malformed("must be a finite number");
      }
      return v;
    }

    long longValue() {
      double v = number();
      if (v != Math.rint(v) || Math.abs(v) > 9.007199254740992E15) {
        throw malformed("must be an integer, got " + Quote.clip(String.valueOf(v)));
      }
      return primitiveNumber().getAsLong();
    }

    /** A number that is finite as a float (1e39 is not: it would become Infinity). */
    float floatValue() {
      double v = number();
      if (Math.abs(v) > Float.MAX_VALUE) {
        throw malformed("is " + v + ", beyond the range of a float");
      }
      return (float) v;
    }

    int integer() {
      long v = longValue();
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw malformed("is out of int range: " + v);
      }
      return (int) v;
    }

    <T> List<T> list(Function<Node, T> item) {
      if (!element.isJsonArray()) {
        throw malformed("must be an array");
      }
      JsonArray array = element.getAsJsonArray();
      List<T> out = new ArrayList<>(array.size());
      for (int i = 0; i < array.size(); i++) {
        out.add(item.apply(new Node(path + "[" + i + "]", array.get(i))));
      }
      return out;
    }

    private JsonPrimitive primitiveNumber() {
      if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isNumber()) {
        throw malformed("must be a number");
      }
      return element.getAsJsonPrimitive();
    }

    BundleException malformed(String what) {
      return new BundleException(Problem.MALFORMED_MANIFEST, path + " " + what);
    }
  }
}
