package org.elasticdepth.runtime.benchmark;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.File;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.elasticdepth.runtime.benchmark.BenchmarkFormatException.Problem;
import org.elasticdepth.runtime.benchmark.FakeBundles.FakeExecutor;
import org.elasticdepth.runtime.bundle.Bundle;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class BenchmarkJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static JsonSchema schema;
  private static BenchmarkResult result;
  private static String json;

  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @BeforeClass
  public static void runSuiteOnce() throws Exception {
    try (InputStream in = BenchmarkJson.class.getResourceAsStream(BenchmarkJson.SCHEMA_RESOURCE)) {
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
    // Every kind of part: ok depths, a failed depth, a failed executor, ok/skipped/failed extras.
    try (Bundle bundle = FakeBundles.bundle(true)) {
      result = BenchmarkSuite.create(BenchmarkSuiteTest.options()
              .addExecutor("gpu", () -> new FakeExecutor(List.of(), List.of("block_01.tflite")))
              .addExecutor("rejects-block-4", () -> new FakeExecutor(List.of("block_04.tflite"), List.of()))
              .addExecutor("missing", () -> {
                throw new IllegalStateException("no GPU");
              })
              .sustainedSeconds(0.02)
              .sustainedIntervalSeconds(0.01)
              .build())
          .run(bundle, ProgressListener.NONE);
    }
    json = BenchmarkJson.toJson(result);
  }

  private static Set<ValidationMessage> validate(String document) throws Exception {
    return schema.validate(MAPPER.readTree(document));
  }

  private static Set<ValidationMessage> validateEdited(Consumer<ObjectNode> edit) throws Exception {
    ObjectNode doc = (ObjectNode) MAPPER.readTree(json);
    edit.accept(doc);
    return validate(MAPPER.writeValueAsString(doc));
  }

  private static ObjectNode firstDepth(ObjectNode doc) {
    return (ObjectNode) doc.get("executors").get(0).get("depths").get(0);
  }

  @Test
  public void suiteOutputValidatesAgainstTheSchema() throws Exception {
    assertEquals(Set.of(), validate(json));
  }

  @Test
  public void theResultNamesTheManifestAndTheModelShapeThatRan() throws Exception {
    String manifestSha;
    try (Bundle bundle = FakeBundles.bundle(true)) {
      manifestSha = bundle.manifestSha256();
    }
    assertTrue(manifestSha, manifestSha.matches("[0-9a-f]{64}"));
    BenchmarkResult.BundleInfo b = BenchmarkJson.parse(json).bundle();
    assertEquals(manifestSha, b.manifestSha256());
    assertEquals(List.of(4, 4, 1), b.inputShape());
    assertEquals(Integer.valueOf(1), b.heads());
    assertEquals(Integer.valueOf(8), b.mlpDim());
    assertEquals(result.bundle(), b);
    // the fields are optional: results written before them still validate and read (as null)
    assertEquals(Set.of(), validateEdited(d -> ((ObjectNode) d.get("bundle")).remove(
        List.of("manifestSha256", "inputShape", "heads", "mlpDim"))));
    assertFalse(validateEdited(d -> ((ObjectNode) d.get("bundle")).put("manifestSha256", "abc")).isEmpty());
  }

  @Test
  public void handWrittenResourceExamplesValidate() throws Exception {
    // the minimal document shown in docs/benchmark-schema.md
    String minimal = "{\"schema\":\"elastic-depth-benchmark\",\"schemaVersion\":1,\"generator\":\"hand\","
        + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"device\":{\"platform\":\"android\",\"manufacturer\":\"Google\","
        + "\"model\":\"Pixel 8\",\"soc\":\"Tensor G3\",\"os\":\"Android 14\",\"apiLevel\":34,\"ramBytes\":8000000000,"
        + "\"cores\":9,\"abi\":\"arm64-v8a\"},\"bundle\":{\"bundleId\":\"0123456789abcdef\",\"location\":\"assets\","
        + "\"architecture\":\"vit-preln\",\"depth\":1,\"dim\":64,\"tokens\":50,\"numClasses\":10,\"precision\":\"fp32\","
        + "\"stemBytes\":1,\"blockBytes\":[1],\"headBytes\":1},\"settings\":{\"depths\":[1],\"warmupRuns\":0,"
        + "\"timedRuns\":1,\"samples\":0,\"sustainedSeconds\":0},\"executors\":[{\"name\":\"GPU\",\"status\":\"failed\","
        + "\"error\":\"no OpenCL\",\"depths\":[],\"full\":{\"status\":\"skipped\",\"message\":\"executor failed\",\"targets\":[]},"
        + "\"earlyExit\":{\"status\":\"skipped\",\"message\":\"executor failed\",\"layerAccuracy\":[],\"exitHistogram\":[],"
        + "\"frontier\":[]},\"sustained\":{\"status\":\"skipped\",\"message\":\"executor failed\",\"points\":[]}}]}";
    assertEquals(Set.of(), validate(minimal));
    assertEquals(1, BenchmarkJson.parse(minimal).executors().size());
    // a version-1 result reads as a run of the bundle's one precision
    BenchmarkResult old = BenchmarkJson.parse(minimal);
    assertEquals("fp32", old.executors().get(0).precision());
    assertEquals(List.of("fp32"), old.bundle().precisions());
    assertTrue(old.precisionChoices().isEmpty());
    // the version-2 example in docs/benchmark-schema.md
    String v2 = minimal.replace("\"schemaVersion\":1", "\"schemaVersion\":2")
        .replace("\"headBytes\":1}", "\"headBytes\":1,\"precisions\":[\"fp32\"]}")
        .replace("{\"name\":\"GPU\",", "{\"name\":\"GPU\",\"precision\":\"fp32\",")
        .replace("\"points\":[]}}]}", "\"points\":[]}}],\"precisionChoices\":[{\"executor\":\"GPU\","
            + "\"reason\":\"the executor failed: no OpenCL\"}]}");
    assertEquals(Set.of(), validate(v2));
    assertEquals("the executor failed: no OpenCL", BenchmarkJson.parse(v2).precisionChoice("GPU").reason());
  }

  @Test
  public void everyPrecisionRoundTripsAndValidates() throws Exception {
    BenchmarkResult multi;
    try (Bundle bundle = FakeBundles.twoPrecisions(true)) {
      multi = BenchmarkSuite.create(BenchmarkSuiteTest.options()
          .addExecutor("cpu", () -> new FakeExecutor(List.of(), List.of())).build()).run(bundle, ProgressListener.NONE);
    }
    String text = BenchmarkJson.toJson(multi);
    assertEquals(Set.of(), validate(text));
    assertEquals(multi, BenchmarkJson.parse(text));
    ObjectNode doc = (ObjectNode) MAPPER.readTree(text);
    ((ObjectNode) doc.get("executors").get(1)).put("precision", "int8");
    BenchmarkFormatException e = assertThrows(BenchmarkFormatException.class,
        () -> BenchmarkJson.parse(MAPPER.writeValueAsString(doc)));
    assertEquals(Problem.INVALID_FIELD, e.problem());
    assertEquals("$.executors[1].precision \"int8\" is not one of the bundle's precisions [fp32, fp16]", e.getMessage());
    ((ObjectNode) doc.get("executors").get(1)).put("precision", "fp32");
    e = assertThrows(BenchmarkFormatException.class, () -> BenchmarkJson.parse(MAPPER.writeValueAsString(doc)));
    assertEquals("$.executors[1] measures executor \"cpu\" on fp32 a second time", e.getMessage());
    ((ObjectNode) doc.get("executors").get(1)).put("precision", "half");
    e = assertThrows(BenchmarkFormatException.class, () -> BenchmarkJson.parse(MAPPER.writeValueAsString(doc)));
    assertEquals("$.executors[1].precision must be fp32, fp16 or int8, got \"half\"", e.getMessage());
  }

  @Test
  public void invalidDocumentsAreRejectedByTheSchema() throws Exception {
    assertFalse(validateEdited(d -> d.remove("device")).isEmpty());
    assertFalse(validateEdited(d -> d.put("schemaVersion", 3)).isEmpty());
    // version 2 names every entry's precision and the executors' choices
    assertFalse(validateEdited(d -> ((ObjectNode) d.get("executors").get(0)).remove("precision")).isEmpty());
    assertFalse(validateEdited(d -> d.remove("precisionChoices")).isEmpty());
    assertFalse(validateEdited(d -> ((ObjectNode) d.get("executors").get(0)).put("precision", "int4")).isEmpty());
    assertFalse(validateEdited(d -> ((ObjectNode) d.get("bundle")).remove("precisions")).isEmpty());
    assertFalse(validateEdited(d -> d.put("schema", "mlperf")).isEmpty());
    assertFalse(validateEdited(d -> d.put("unexpected", true)).isEmpty());
    assertFalse(validateEdited(d -> ((ObjectNode) d.get("device")).put("cores", 0)).isEmpty());
    assertFalse(validateEdited(d -> firstDepth(d).put("status", "maybe")).isEmpty());
    assertFalse(validateEdited(d -> ((ObjectNode) firstDepth(d).get("latency")).put("p90Ms", -1)).isEmpty());
    assertFalse(validateEdited(d -> firstDepth(d).remove("latency")).isEmpty()); // ok depth needs latency
    assertFalse(validateEdited(d -> {
      ObjectNode failed = firstDepth(d);
      failed.put("status", "failed");
      failed.remove("error");
    }).isEmpty()); // a failure must say why
    assertFalse(validateEdited(d -> ((ObjectNode) ((ArrayNode) firstDepth(d).get("targets")).get(0))
        .put("accelerator", "TPU")).isEmpty());
    assertFalse(validateEdited(d -> ((ObjectNode) d.get("executors").get(0).get("earlyExit")).put("accuracy", 1.5)).isEmpty());
  }

  @Test
  public void roundTripsThroughJsonAndFile() throws Exception {
    assertEquals(result, BenchmarkJson.parse(json));
    File file = new File(tmp.getRoot(), "sub/result.json");
    BenchmarkJson.write(result, file);
    assertEquals(result, BenchmarkJson.read(file));
    assertEquals(List.of("result.json"), List.of(file.getParentFile().list())); // no temporary left behind
  }

  @Test
  public void readerNamesWhatIsWrong() throws Exception {
    BenchmarkFormatException e = assertThrows(BenchmarkFormatException.class, () -> BenchmarkJson.parse("{not json"));
    assertEquals(Problem.MALFORMED_JSON, e.problem());
    e = assertThrows(BenchmarkFormatException.class, () -> BenchmarkJson.parse("[1, 2]"));
    assertEquals(Problem.MALFORMED_JSON, e.problem());
    e = assertThrows(BenchmarkFormatException.class, () -> BenchmarkJson.parse(json.replace("\"schemaVersion\": 2", "\"schemaVersion\": 7")));
    assertEquals(Problem.UNSUPPORTED_VERSION, e.problem());
    assertEquals("$.schemaVersion is 7 but this reader reads versions 1 to 2", e.getMessage());
    e = assertThrows(BenchmarkFormatException.class, () -> BenchmarkJson.parse("{\"schemaVersion\": 1}"));
    assertEquals(Problem.UNSUPPORTED_VERSION, e.problem());
    ObjectNode doc = (ObjectNode) MAPPER.readTree(json);
    ((ObjectNode) firstDepth(doc).get("latency")).put("meanMs", "fast");
    e = assertThrows(BenchmarkFormatException.class, () -> BenchmarkJson.parse(MAPPER.writeValueAsString(doc)));
    assertEquals(Problem.INVALID_FIELD, e.problem());
    assertEquals("$.executors[0].depths[0].latency.meanMs must be a number", e.getMessage());
    File missing = new File(tmp.getRoot(), "absent.json");
    assertEquals(Problem.IO, assertThrows(BenchmarkFormatException.class, () -> BenchmarkJson.read(missing)).problem());
  }
}
