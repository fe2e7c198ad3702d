package org.elasticdepth.runtime.benchmark;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.elasticdepth.runtime.bundle.BundleSource;
import org.elasticdepth.runtime.bundle.Precision;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.elasticdepth.runtime.benchmark.BenchmarkFormatException.Problem;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.AutomaticPrecision;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.BundleInfo;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.DepthResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.EarlyExit;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.PolicyResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.FrontierPoint;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.FullComparison;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.GraphTarget;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Settings;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Sustained;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.SustainedPoint;

/**
 * {@link BenchmarkResult} to JSON and back, following {@code benchmark-result.schema.json} (the
 * resource {@link #SCHEMA_RESOURCE}). The mapping is written out field by field, not reflective, so
 * that every reading error names the JSON path that is wrong and so that records survive Android's
 * desugaring and shrinking. Absent optional values are omitted, never written as {@code null}.
 */
public final class BenchmarkJson {
  /** Class-path location of the JSON Schema (draft 2020-12) of the documents this class writes. */
  public static final String SCHEMA_RESOURCE = "/org/elasticdepth/runtime/benchmark/benchmark-result.schema.json";

  private BenchmarkJson() {}

  /** Pretty-printed JSON of {@code r}. */
  public static String toJson(BenchmarkResult r) {
    JsonObject root = new JsonObject();
    root.addProperty("schema", BenchmarkResult.SCHEMA_NAME);
    root.addProperty("schemaVersion", r.schemaVersion());
    root.addProperty("generator", r.generator());
    root.addProperty("createdAt", r.createdAt());
    root.add("device", device(r.device()));
    root.add("bundle", bundle(r.bundle()));
    root.add("settings", settings(r.settings()));
    JsonArray executors = new JsonArray();
    r.executors().forEach(e -> executors.add(executor(e)));
    root.add("executors", executors);
    JsonArray choices = new JsonArray();
    r.precisionChoices().forEach(c -> choices.add(choice(c)));
    root.add("precisionChoices", choices);
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
  }

  /**
   * Writes {@code r} to {@code file} atomically: a temporary sibling is written, synced and renamed
   * over {@code file}, so readers never see half a document.
   */
  public static void write(BenchmarkResult r, File file) {
    byte[] bytes = toJson(r).getBytes(StandardCharsets.UTF_8);
    File dir = file.getAbsoluteFile().getParentFile();
    File tmp = null;
    try {
      if (!dir.isDirectory() && !dir.mkdirs()) {
        throw new IOException("cannot create directory " + dir);
      }
      tmp = File.createTempFile("." + file.getName(), ".tmp", dir);
      try (FileOutputStream out = new FileOutputStream(tmp)) {
        out.write(bytes);
        out.getFD().sync();
      }
      if (!tmp.renameTo(file)) {
        throw new IOException("cannot rename " + tmp + " to " + file);
      }
      tmp = null;
    } catch (IOException e) {
      throw new BenchmarkFormatException(Problem.IO, "cannot write " + file + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null && !tmp.delete()) {
        tmp.deleteOnExit();
      }
    }
  }

  /** Reads a result file. @throws BenchmarkFormatException naming the file and what is wrong */
  public static BenchmarkResult read(File file) {
    String text;
    try {
      InputStream in = new FileInputStream(file);
      text = new String(BundleSource.readAll(in), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BenchmarkFormatException(Problem.IO, "cannot read " + file + ": " + e.getMessage(), e);
    }
    return parse(text);
  }

  /**
   * Parses and checks a result document.
   *
   * @throws BenchmarkFormatException {@link Problem#MALFORMED_JSON} for text that is not a JSON
   *     object, {@link Problem#UNSUPPORTED_VERSION} for another schema or version, {@link
   *     Problem#INVALID_FIELD} naming the first bad field
   */
  public static BenchmarkResult parse(String json) {
    JsonElement element;
    try {
      element = JsonParser.parseString(json);
    } catch (JsonParseException | IllegalStateException e) {
      throw new BenchmarkFormatException(Problem.MALFORMED_JSON, "not valid JSON: " + e.getMessage(), e);
    }
    if (element == null || !element.isJsonObject()) {
      throw new BenchmarkFormatException(Problem.MALFORMED_JSON, "the document is not a JSON object");
    }
    Node root = new Node("$", element);
    Node schema = root.optional("schema");
    if (schema == null || !BenchmarkResult.SCHEMA_NAME.equals(schema.string())) {
      throw new BenchmarkFormatException(Problem.UNSUPPORTED_VERSION,
          "$.schema is not \"" + BenchmarkResult.SCHEMA_NAME + "\": not a benchmark result");
    }
    int version = root.get("schemaVersion").integer();
    if (version < BenchmarkResult.OLDEST_READABLE_VERSION || version > BenchmarkResult.SCHEMA_VERSION) {
      throw new BenchmarkFormatException(Problem.UNSUPPORTED_VERSION, "$.schemaVersion is " + version
          + " but this reader reads versions " + BenchmarkResult.OLDEST_READABLE_VERSION + " to "
          + BenchmarkResult.SCHEMA_VERSION);
    }
    BundleInfo bundle = bundle(root.get("bundle").object());
    List<ExecutorResult> executors = root.get("executors").list(n -> executor(n.object()));
    checkPrecisions(bundle, executors);
    Node choices = root.optional("precisionChoices");
    return new BenchmarkResult(version, root.get("generator").string(), root.get("createdAt").string(),
        device(root.get("device").object()), bundle, settings(root.get("settings").object()), executors,
        choices == null ? List.of() : choices.list(c -> choice(c.object())));
  }

  /** Every entry measured one of the bundle's precisions, each executor and precision once. */
  private static void checkPrecisions(BundleInfo bundle, List<ExecutorResult> executors) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < executors.size(); i++) {
      ExecutorResult e = executors.get(i);
      String precision = e.precision() == null ? bundle.precision() : e.precision();
      if (!bundle.precisions().contains(precision)) {
        throw new BenchmarkFormatException(Problem.INVALID_FIELD, "$.executors[" + i + "].precision \"" + precision
            + "\" is not one of the bundle's precisions " + bundle.precisions());
      }
      if (!seen.add(e.name() + "\n" + precision)) {
        throw new BenchmarkFormatException(Problem.INVALID_FIELD, "$.executors[" + i + "] measures executor \""
            + e.name() + "\" on " + precision + " a second time");
      }
    }
  }

  // ---- writing -------------------------------------------------------------------------------

  private static JsonObject device(DeviceInfo d) {
    JsonObject o = new JsonObject();
    o.addProperty("platform", d.platform());
    o.addProperty("manufacturer", d.manufacturer());
    o.addProperty("model", d.model());
    o.addProperty("soc", d.soc());
    o.addProperty("os", d.os());
    o.addProperty("apiLevel", d.apiLevel());
    o.addProperty("ramBytes", d.ramBytes());
    o.addProperty("cores", d.cores());
    o.addProperty("abi", d.abi());
    return o;
  }

  private static JsonObject bundle(BundleInfo b) {
    JsonObject o = new JsonObject();
    o.addProperty("bundleId", b.bundleId());
    o.addProperty("location", b.location());
    o.addProperty("architecture", b.architecture());
    o.addProperty("depth", b.depth());
    o.addProperty("dim", b.dim());
    o.addProperty("tokens", b.tokens());
    o.addProperty("numClasses", b.numClasses());
    o.addProperty("precision", b.precision());
    o.addProperty("stemBytes", b.stemBytes());
    o.add("blockBytes", numbers(b.blockBytes()));
    o.addProperty("headBytes", b.headBytes());
    put(o, "fullBytes", b.fullBytes());
    put(o, "calibratedThreshold", b.calibratedThreshold());
    put(o, "manifestSha256", b.manifestSha256());
    if (b.inputShape() != null) {
      o.add("inputShape", numbers(b.inputShape()));
    }
    put(o, "heads", b.heads());
    put(o, "mlpDim", b.mlpDim());
    JsonArray precisions = new JsonArray();
    b.precisions().forEach(precisions::add);
    o.add("precisions", precisions);
    return o;
  }

  private static JsonObject choice(AutomaticPrecision c) {
    JsonObject o = new JsonObject();
    o.addProperty("executor", c.executor());
    put(o, "precision", c.precision());
    put(o, "accelerator", c.accelerator());
    put(o, "accuracyDrop", c.accuracyDrop());
    o.addProperty("reason", c.reason());
    return o;
  }

  private static JsonObject settings(Settings s) {
    JsonObject o = new JsonObject();
    o.add("depths", numbers(s.depths()));
    o.addProperty("warmupRuns", s.warmupRuns());
    o.addProperty("timedRuns", s.timedRuns());
    o.addProperty("samples", s.samples());
    put(o, "threshold", s.threshold());
    o.addProperty("sustainedSeconds", s.sustainedSeconds());
    return o;
  }

  private static JsonObject executor(ExecutorResult e) {
    JsonObject o = new JsonObject();
    o.addProperty("name", e.name());
    put(o, "precision", e.precision());
    o.addProperty("status", e.status().json());
    put(o, "error", e.error());
    put(o, "setupMs", e.setupMs());
    JsonArray depths = new JsonArray();
    e.depths().forEach(d -> depths.add(depth(d)));
    o.add("depths", depths);
    o.add("full", full(e.full()));
    o.add("earlyExit", earlyExit(e.earlyExit()));
    o.add("sustained", sustained(e.sustained()));
    JsonArray policies = new JsonArray();
    e.exitPolicies().forEach(p -> policies.add(policy(p)));
    o.add("exitPolicies", policies);
    return o;
  }

  private static JsonObject policy(PolicyResult p) {
    JsonObject o = new JsonObject();
    o.addProperty("policy", p.policy());
    o.addProperty("status", p.status().json());
    put(o, "message", p.message());
    put(o, "description", p.description());
    put(o, "targetMs", p.targetMs());
    put(o, "threshold", p.threshold());
    put(o, "depthCap", p.depthCap());
    put(o, "runs", p.runs());
    put(o, "predictedAccuracy", p.predictedAccuracy());
    put(o, "measuredAccuracy", p.measuredAccuracy());
    put(o, "guaranteedMaxDrop", p.guaranteedMaxDrop());
    put(o, "measuredDisagreement", p.measuredDisagreement());
    put(o, "predictedMeanMs", p.predictedMeanMs());
    put(o, "measuredMeanMs", p.measuredMeanMs());
    if (p.targetMet() != null) {
      o.addProperty("targetMet", p.targetMet());
    }
    return o;
  }

  private static JsonObject depth(DepthResult d) {
    JsonObject o = new JsonObject();
    o.addProperty("depth", d.depth());
    o.addProperty("status", d.status().json());
    put(o, "error", d.error());
    put(o, "initMs", d.initMs());
    put(o, "firstInferenceMs", d.firstInferenceMs());
    put(o, "warmupMeanMs", d.warmupMeanMs());
    put(o, "latency", d.latency());
    put(o, "residentBytes", d.residentBytes());
    put(o, "graphBytes", d.graphBytes());
    put(o, "processResidentBytes", d.processResidentBytes());
    o.add("targets", targets(d.targets()));
    return o;
  }

  private static JsonObject full(FullComparison f) {
    JsonObject o = new JsonObject();
    o.addProperty("status", f.status().json());
    put(o, "message", f.message());
    put(o, "chained", f.chained());
    put(o, "full", f.full());
    put(o, "overheadPercent", f.overheadPercent());
    put(o, "fullInitMs", f.fullInitMs());
    put(o, "fullResidentBytes", f.fullResidentBytes());
    o.add("targets", targets(f.targets()));
    return o;
  }

  private static JsonObject earlyExit(EarlyExit e) {
    JsonObject o = new JsonObject();
    o.addProperty("status", e.status().json());
    put(o, "message", e.message());
    put(o, "threshold", e.threshold());
    put(o, "samples", e.samples());
    put(o, "accuracy", e.accuracy());
    put(o, "fullDepthAccuracy", e.fullDepthAccuracy());
    o.add("layerAccuracy", numbers(e.layerAccuracy()));
    o.add("exitHistogram", numbers(e.exitHistogram()));
    put(o, "meanExitLayer", e.meanExitLayer());
    put(o, "speedUpByLayers", e.speedUpByLayers());
    put(o, "earlyExitLatency", e.earlyExitLatency());
    put(o, "fullDepthLatency", e.fullDepthLatency());
    put(o, "speedUpByWallClock", e.speedUpByWallClock());
    JsonArray frontier = new JsonArray();
    for (FrontierPoint p : e.frontier()) {
      JsonObject po = new JsonObject();
      po.addProperty("threshold", p.threshold());
      po.addProperty("accuracy", p.accuracy());
      po.addProperty("meanExitLayer", p.meanExitLayer());
      po.addProperty("speedUpByLayers", p.speedUpByLayers());
      frontier.add(po);
    }
    o.add("frontier", frontier);
    return o;
  }

  private static JsonObject sustained(Sustained s) {
    JsonObject o = new JsonObject();
    o.addProperty("status", s.status().json());
    put(o, "message", s.message());
    put(o, "depth", s.depth());
    put(o, "durationSeconds", s.durationSeconds());
    JsonArray points = new JsonArray();
    for (SustainedPoint p : s.points()) {
      JsonObject po = new JsonObject();
      po.addProperty("seconds", p.seconds());
      po.addProperty("runs", p.runs());
      po.addProperty("meanMs", p.meanMs());
      po.addProperty("p90Ms", p.p90Ms());
      put(po, "thermalStatus", p.thermalStatus());
      points.add(po);
    }
    o.add("points", points);
    return o;
  }

  private static JsonArray targets(List<GraphTarget> targets) {
    JsonArray a = new JsonArray();
    for (GraphTarget t : targets) {
      JsonObject o = new JsonObject();
      o.addProperty("graph", t.graph());
      o.addProperty("accelerator", t.accelerator());
      o.addProperty("requested", t.requested());
      put(o, "detail", t.detail());
      put(o, "fallbackReason", t.fallbackReason());
      a.add(o);
    }
    return a;
  }

  private static void put(JsonObject o, String key, LatencyStats s) {
    if (s == null) {
      return;
    }
    JsonObject so = new JsonObject();
    so.addProperty("count", s.count());
    so.addProperty("meanMs", s.meanMs());
    so.addProperty("stdMs", s.stdMs());
    so.addProperty("minMs", s.minMs());
    so.addProperty("maxMs", s.maxMs());
    so.addProperty("p50Ms", s.p50Ms());
    so.addProperty("p90Ms", s.p90Ms());
    so.addProperty("p99Ms", s.p99Ms());
    o.add(key, so);
  }

  private static void put(JsonObject o, String key, Number value) {
    // JSON has no NaN or infinity: a value that did not come out finite is left out.
    if (value != null && Double.isFinite(value.doubleValue())) {
      o.addProperty(key, value);
    }
  }

  private static void put(JsonObject o, String key, String value) {
    if (value != null) {
      o.addProperty(key, value);
    }
  }

  private static JsonArray numbers(List<? extends Number> values) {
    JsonArray a = new JsonArray();
    values.forEach(a::add);
    return a;
  }

  // ---- reading -------------------------------------------------------------------------------

  private static DeviceInfo device(Node n) {
    try {
      return new DeviceInfo(n.get("platform").string(), n.get("manufacturer").string(), n.get("model").string(),
          n.get("soc").string(), n.get("os").string(), n.get("apiLevel").integer(), n.get("ramBytes").longValue(),
          n.get("cores").integer(), n.get("abi").string());
    } catch (IllegalArgumentException e) {
      throw new BenchmarkFormatException(Problem.INVALID_FIELD, n.path + ": " + e.getMessage(), e);
    }
  }

  private static BundleInfo bundle(Node n) {
    Node full = n.optional("fullBytes");
    Node threshold = n.optional("calibratedThreshold");
    Node inputShape = n.optional("inputShape");
    Node heads = n.optional("heads");
    Node mlpDim = n.optional("mlpDim");
    return new BundleInfo(n.get("bundleId").string(), n.get("location").string(), n.get("architecture").string(),
        n.get("depth").positive(), n.get("dim").positive(), n.get("tokens").positive(), n.get("numClasses").positive(),
        n.get("precision").string(), n.get("blockBytes").list(Node::longValue), n.get("stemBytes").longValue(),
        n.get("headBytes").longValue(), full == null ? null : full.longValue(), threshold == null ? null : threshold.number(),
        n.optionalString("manifestSha256"), inputShape == null ? null : inputShape.list(Node::positive),
        heads == null ? null : heads.positive(), mlpDim == null ? null : mlpDim.positive(), precisions(n));
  }

  /** Optional: version-1 results name only {@code precision}, the bundle's one precision. */
  private static List<String> precisions(Node n) {
    Node list = n.optional("precisions");
    if (list == null) {
      return null;
    }
    List<String> labels = list.list(Node::precision);
    String primary = n.get("precision").string();
    if (labels.isEmpty() || !labels.get(0).equals(primary) || new HashSet<>(labels).size() != labels.size()) {
      throw new BenchmarkFormatException(Problem.INVALID_FIELD, list.path + " must list each precision once, "
          + "the bundle's precision \"" + primary + "\" first");
    }
    return labels;
  }

  private static AutomaticPrecision choice(Node n) {
    Node precision = n.optional("precision");
    return new AutomaticPrecision(n.get("executor").string(), precision == null ? null : precision.precision(),
        n.optionalString("accelerator"), n.optionalNumber("accuracyDrop"), n.get("reason").string());
  }

  private static Settings settings(Node n) {
    Node threshold = n.optional("threshold");
    return new Settings(n.get("depths").list(Node::positive), n.get("warmupRuns").integer(), n.get("timedRuns").integer(),
        n.get("samples").integer(), threshold == null ? null : threshold.number(), n.get("sustainedSeconds").number());
  }

  private static ExecutorResult executor(Node n) {
    return new ExecutorResult(n.get("name").string(), n.get("status").status(), n.optionalString("error"),
        n.optionalNumber("setupMs"), n.get("depths").list(d -> depth(d.object())), full(n.get("full").object()), earlyExit(n.get("earlyExit").object()),
        sustained(n.get("sustained").object()), policies(n.optional("exitPolicies")),
        n.optional("precision") == null ? null : n.get("precision").precision());
  }

  /** Optional: files written before exit-policy passes existed have none. */
  private static List<PolicyResult> policies(Node n) {
    if (n == null) {
      return List.of();
    }
    return n.list(p -> {
      p.object();
      Node depthCap = p.optional("depthCap");
      Node runs = p.optional("runs");
      Node met = p.optional("targetMet");
      return new PolicyResult(p.get("policy").string(), p.get("status").status(), p.optionalString("message"),
          p.optionalString("description"), p.optionalNumber("targetMs"), p.optionalNumber("threshold"),
          depthCap == null ? null : depthCap.positive(), runs == null ? null : runs.positive(),
          p.optionalNumber("predictedAccuracy"), p.optionalNumber("measuredAccuracy"),
          p.optionalNumber("guaranteedMaxDrop"), p.optionalNumber("measuredDisagreement"),
          p.optionalNumber("predictedMeanMs"), p.optionalNumber("measuredMeanMs"), met == null ? null : met.bool());
    });
  }

  private static DepthResult depth(Node n) {
    return new DepthResult(n.get("depth").positive(), n.get("status").status(), n.optionalString("error"),
        n.optionalNumber("initMs"), n.optionalNumber("firstInferenceMs"), n.optionalNumber("warmupMeanMs"),
        n.optionalStats("latency"), n.optionalLong("residentBytes"), n.optionalLong("graphBytes"),
        n.optionalLong("processResidentBytes"), n.get("targets").list(t -> target(t.object())));
  }

  private static FullComparison full(Node n) {
    return new FullComparison(n.get("status").status(), n.optionalString("message"), n.optionalStats("chained"),
        n.optionalStats("full"), n.optionalNumber("overheadPercent"), n.optionalNumber("fullInitMs"),
        n.optionalLong("fullResidentBytes"), n.get("targets").list(t -> target(t.object())));
  }

  private static EarlyExit earlyExit(Node n) {
    Node samples = n.optional("samples");
    return new EarlyExit(n.get("status").status(), n.optionalString("message"), n.optionalNumber("threshold"),
        samples == null ? null : samples.integer(), n.optionalNumber("accuracy"), n.optionalNumber("fullDepthAccuracy"),
        n.get("layerAccuracy").list(Node::number), n.get("exitHistogram").list(Node::integer),
        n.optionalNumber("meanExitLayer"), n.optionalNumber("speedUpByLayers"), n.optionalStats("earlyExitLatency"),
        n.optionalStats("fullDepthLatency"), n.optionalNumber("speedUpByWallClock"),
        n.get("frontier").list(p -> {
          p.object();
          return new FrontierPoint(p.get("threshold").number(), p.get("accuracy").number(),
              p.get("meanExitLayer").number(), p.get("speedUpByLayers").number());
        }));
  }

  private static Sustained sustained(Node n) {
    Node depth = n.optional("depth");
    return new Sustained(n.get("status").status(), n.optionalString("message"), depth == null ? null : depth.positive(),
        n.optionalNumber("durationSeconds"), n.get("points").list(p -> {
          p.object();
          return new SustainedPoint(p.get("seconds").number(), p.get("runs").integer(), p.get("meanMs").number(),
              p.get("p90Ms").number(), p.optionalString("thermalStatus"));
        }));
  }

  private static GraphTarget target(Node n) {
    return new GraphTarget(n.get("graph").string(), n.get("accelerator").string(), n.get("requested").string(),
        n.optionalString("detail"), n.optionalString("fallbackReason"));
  }

  private static LatencyStats stats(Node n) {
    n.object();
    return new LatencyStats(n.get("count").positive(), n.get("meanMs").number(), n.get("stdMs").number(),
        n.get("minMs").number(), n.get("maxMs").number(), n.get("p50Ms").number(), n.get("p90Ms").number(),
        n.get("p99Ms").number());
  }

  /** A JSON value with its path, so that every error names where it is. */
  private static final class Node {
    final String path;
    private final JsonElement element;

    Node(String path, JsonElement element) {
      this.path = path;
      this.element = element;
    }

    Node object() {
      if (!element.isJsonObject()) {
        throw invalid("must be an object");
      }
      return this;
    }

    Node get(String field) {
      Node child = optional(field);
      if (child == null) {
        throw new BenchmarkFormatException(Problem.INVALID_FIELD, path + "." + field + " is missing");
      }
      return child;
    }

    Node optional(String field) {
      JsonElement child = element.getAsJsonObject().get(field);
      return child == null || child.isJsonNull() ? null : new Node(path + "." + field, child);
    }

    String optionalString(String field) {
      Node n = optional(field);
      return n == null ? null : n.string();
    }

    Double optionalNumber(String field) {
      Node n = optional(field);
      return n == null ? null : n.number();
    }

    Long optionalLong(String field) {
      Node n = optional(field);
      return n == null ? null : n.longValue();
    }

    LatencyStats optionalStats(String field) {
      Node n = optional(field);
      return n == null ? null : stats(n);
    }

    String string() {
      if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isString()) {
        throw invalid("must be a string");
      }
      return element.getAsString();
    }

    /** A precision label: fp32, fp16 or int8. */
    String precision() {
      String s = string();
      try {
        return Precision.fromLabel(s).label();
      } catch (IllegalArgumentException e) {
        throw invalid("must be fp32, fp16 or int8, got \"" + s + "\"");
      }
    }

    boolean bool() {
      if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isBoolean()) {
        throw invalid("must be true or false");
      }
      return element.getAsBoolean();
    }

    Status status() {
      String s = string();
      for (Status status : Status.values()) {
        if (status.json().equals(s)) {
          return status;
        }
      }
      throw invalid("must be ok, failed or skipped, got \"" + s + "\"");
    }

    double number() {
      if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isNumber()) {
        throw invalid("must be a number");
      }
      double v = element.getAsDouble();
      if (!Double.isFinite(v)) {
        throw invalid("must be a finite number");
      }
      return v;
    }

    long longValue() {
      double v = number();
      if (v != Math.rint(v) || Math.abs(v) > 9.007199254740992E15) {
        throw invalid("must be an integer, got " + element);
      }
      return element.getAsJsonPrimitive().getAsLong();
    }

    int integer() {
      long v = longValue();
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw invalid("must be a non-negative int, got " + v);
      }
      return (int) v;
    }

    int positive() {
      int v = integer();
      if (v < 1) {
        throw invalid("must be >= 1, got " + v);
      }
      return v;
    }

    <T> List<T> list(Function<Node, T> item) {
      if (!element.isJsonArray()) {
        throw invalid("must be an array");
      }
      JsonArray array = element.getAsJsonArray();
      List<T> out = new ArrayList<>(array.size());
      for (int i = 0; i < array.size(); i++) {
        out.add(item.apply(new Node(path + "[" + i + "]", array.get(i))));
      }
      return out;
    }

    private BenchmarkFormatException invalid(String what) {
      return new BenchmarkFormatException(Problem.INVALID_FIELD, path + " " + what);
    }
  }
}
