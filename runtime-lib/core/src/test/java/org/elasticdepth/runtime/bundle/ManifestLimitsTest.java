package org.elasticdepth.runtime.bundle;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Every class of hostile manifest and oversized file: each is a typed {@link BundleException} with a
 * short message, decided before anything large is read or any size overflows. Huge files are
 * sparse (setLength), so the tests stay fast and small on disk.
 */
public class ManifestLimitsTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();
  private final TestBundles fixture = new TestBundles();
  private final String json = ManifestJson.toJson(fixture.manifest);

  // ---------------------------------------------------------------- strict JSON

  @Test
  public void lenientJsonIsRefused() {
    String body = json.substring(json.indexOf('{') + 1);
    assertMalformed("// comment\n" + json, "not valid JSON");
    assertMalformed("{ /* comment */ " + body, "not valid JSON");
    assertMalformed("{ # comment\n" + body, "not valid JSON");
    assertMalformed(json.replace("\"format\":", "format:"), "not valid JSON");
    assertMalformed(json.replace("\"NHWC\"", "'NHWC'"), "not valid JSON");
    assertMalformed(json.replace("\"scale\": 0.003921569", "\"scale\": NaN"), "not valid JSON");
    assertMalformed(json.replaceFirst("\"std\": \\[\\s*[0-9.]+", "\"std\": [Infinity"), "not valid JSON");
    assertMalformed(json.replaceFirst("\"layerNormEpsilon\": [0-9.eE-]+", "\"layerNormEpsilon\": 1e400"), "beyond the range of a double");
    assertMalformed("\ufeff" + json, "not valid JSON");
    assertMalformed(")]}'\n" + json, "not valid JSON");
    assertMalformed(json.replace("\"labels\": [", "\"labels\": [\"a\",]"), "not valid JSON");
  }

  @Test
  public void duplicateKeysAreRefusedAtEveryLevel() {
    assertMalformed(json.replaceFirst("\\{", "{\"format\": \"elastic-vit-bundle\","), "the key \"format\" twice");
    assertMalformed(json.replace("\"dim\": 16", "\"dim\": 16, \"dim\": 16"), "the key \"dim\" twice");
    // The second value would silently win with Gson's own parser.
    assertMalformed(json.replace("\"dim\": 16", "\"dim\": 16, \"dim\": 8"), "twice");
  }

  @Test
  public void trailingContentIsRefused() {
    assertMalformed(json + "x", "not valid JSON");
    assertMalformed(json + json, "not valid JSON");
    assertMalformed(json + "{}", "not valid JSON");
    assertEquals(fixture.manifest, ManifestJson.parse(json + " \n\t")); // whitespace is fine
  }

  @Test
  public void invalidUtf8AndDeepNestingAreRefused() {
    byte[] bytes = json.replace("\"NHWC\"", "\"NH?C\"").getBytes(StandardCharsets.UTF_8);
    int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("NH?C") + 2;
    bytes[at] = (byte) 0xC3; // a lead byte without its continuation
    BundleException utf8 = assertThrows(BundleException.class, () -> ManifestJson.parse(ByteBuffer.wrap(bytes)));
    assertEquals(Problem.MALFORMED_MANIFEST, utf8.problem());
    assertTrue(utf8.getMessage(), utf8.getMessage().contains("UTF-8"));

    // Would overflow the stack of a recursive reader.
    String deep = "{\"format\": " + "[".repeat(200_000) + "]".repeat(200_000) + "}";
    assertMalformed(deep, "deeper than " + BundleLimits.MAX_JSON_DEPTH);
  }

  // ---------------------------------------------------------------- values

  @Test
  public void implausibleNormalisationIsRefusedSayingWhatIsPlausible() {
    assertMalformed(edit(m -> floats(m, "input", "mean", 1e39)), "beyond the range of a float");
    assertMalformed(edit(m -> floats(m, "input", "mean", 1e5)), "plausible mean is within");
    assertMalformed(edit(m -> floats(m, "input", "std", 1e-45)), "plausible standard deviation is within");
    assertMalformed(edit(m -> floats(m, "input", "std", 1e9)), "plausible standard deviation is within");
    assertMalformed(edit(m -> floats(m, "input", "std", 0)), "plausible standard deviation");
    assertMalformed(edit(m -> m.getAsJsonObject("input").addProperty("scale", 1e-12)), "plausible scale");
    assertMalformed(edit(m -> m.getAsJsonObject("input").addProperty("scale", 1e30)), "plausible scale");
    // The exporter's own values are plausible.
    assertEquals(fixture.manifest, ManifestJson.parse(edit(m -> { })));
  }

  @Test
  public void messagesQuoteOnlyAShortPrefixOfHostileValues() {
    String huge = "x".repeat(200_000); // a 200 KB message if echoed (the JSON path of a key too)
    List<String> manifests = List.of(
        edit(m -> m.addProperty("format", huge)),
        edit(m -> m.addProperty("format", huge.substring(0, 1000))),
        edit(m -> m.getAsJsonObject("input").addProperty("layout", huge.substring(0, 900))),
        edit(m -> m.getAsJsonObject("input").addProperty("resize", huge.substring(0, 900) + "\n\u0000")),
        edit(m -> graph(m, "head").addProperty("file", huge.substring(0, 1000) + ".tflite")),
        edit(m -> m.getAsJsonObject("provenance").addProperty("data", huge)),
        edit(m -> m.getAsJsonArray("labels").set(0, new com.google.gson.JsonPrimitive(huge.substring(0, 2000)))),
        json.replace("\"dim\": 16", "\"" + huge + "\": 1, \"dim\": 16 x"),
        json.replace("\"model\": {", "\"model\": {\"" + huge + "\": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]],"));
    for (String manifest : manifests) {
      BundleException e = assertThrows(BundleException.class, () -> ManifestJson.parse(manifest));
      String start = e.getMessage().substring(0, Math.min(300, e.getMessage().length()));
      assertTrue(e.getMessage().length() + " chars: " + start, e.getMessage().length() < 600);
      assertFalse(e.getMessage(), e.getMessage().contains("\n"));
    }
  }

  @Test
  public void quoteCutsEscapesAndKeepsShortValues() {
    assertEquals("\"abc\"", Quote.of("abc"));
    assertEquals("null", Quote.of(null));
    String cut = Quote.of("y".repeat(1000));
    assertTrue(cut, cut.startsWith("\"" + "y".repeat(Quote.MAX_CHARS) + "...(1000 chars)"));
    assertEquals("\"a\\u000ab\"", Quote.of("a\nb"));
    String pair = "x".repeat(Quote.MAX_CHARS - 1) + "\uD83D\uDE00tail";
    assertFalse("never half a surrogate pair", Quote.clip(pair).contains("\uD83D"));
  }

  // ---------------------------------------------------------------- sizes that used to overflow

  @Test
  public void hugeSelfConsistentShapesAreRefusedBeforeAnyArithmeticOverflows() {
    // dim 2^27: every shape chains, but [1, 17, 2^27] floats overflow an int (memoryBytes < 0 before).
    assertMalformed(resized(28, 7, 1 << 27), "model.dim must be in 1..");
    // 46341^2 pixels overflow an int (capacity < 0 before).
    assertMalformed(resized(46341, 46341, 16), "model.imageSize must be in 1..");
    // Within every per-field cap, but one tensor would need 4 GiB.
    assertMalformed(resized(4096, 32, BundleLimits.MAX_WIDTH), "more than the limit of " + BundleLimits.MAX_TENSOR_BYTES);
    ManifestJson.parse(resized(4096, 32, 16)); // the largest image and token count are fine
    assertMalformed(edit(m -> m.getAsJsonObject("model").addProperty("numClasses", 1_000_000)), "model.numClasses must be in 1..");
    // A graph cannot hold more parameters than bytes, nor claim absurd FLOPs or file sizes.
    assertMalformed(edit(m -> graph(m, "head").addProperty("params", 1L << 40)), "params must be in 0..bytes");
    assertMalformed(edit(m -> graph(m, "head").addProperty("flops", 1L << 52)), ".flops must be in 0..");
    assertMalformed(edit(m -> graph(m, "head").addProperty("bytes", 1L << 31)), ".bytes must be in 1.." + BundleLimits.MAX_GRAPH_BYTES);
    String rank = edit(m -> graph(m, "head").getAsJsonArray("inputs").get(0).getAsJsonObject()
        .add("shape", shape(new int[10_000])));
    BundleException e = assertThrows(BundleException.class, () -> ManifestJson.parse(rank));
    assertEquals(Problem.INCONSISTENT, e.problem());
    assertTrue(e.getMessage(), e.getMessage().contains("graphs.head.inputs[0] \"cls\" of rank 10000"));
  }

  @Test
  public void derivedSizesThrowInsteadOfWrapping() {
    Tensor tokens = new Tensor("tokens", new int[] {1, 17, 1 << 27});
    assertThrows(ArithmeticException.class, tokens::elementCount);
    BundleManifest.Input image = new BundleManifest.Input("NHWC", 46341, 46341, 1, 1f, new float[] {0}, new float[] {1}, "stretch");
    assertThrows(ArithmeticException.class, image::elementCount);
    assertEquals(4L * 17 * 16, new Tensor("t", new int[] {1, 17, 16}).byteCount());
  }

  // ---------------------------------------------------------------- files too large to read

  @Test
  public void aThreeGigabyteManifestIsRefusedUnread() throws IOException {
    Path dir = written("sparse-manifest");
    try (RandomAccessFile raf = new RandomAccessFile(dir.resolve(BundleManifest.FILE_NAME).toFile(), "rw")) {
      raf.setLength(3L << 30);
    }
    BundleException e = assertThrows(BundleException.class, () -> Bundle.fromDirectory(dir.toFile()));
    assertEquals(Problem.INTEGRITY, e.problem());
    assertTrue(e.getMessage(), e.getMessage().contains("manifest.json") && e.getMessage().contains("refused before reading"));
    // Also when handed over in memory (a caller's own source).
    ByteBuffer big = ByteBuffer.allocate(BundleLimits.MAX_MANIFEST_BYTES + 1);
    BundleException parsed = assertThrows(BundleException.class, () -> ManifestJson.parse(big));
    assertTrue(parsed.getMessage(), parsed.getMessage().contains("more than the limit"));
  }

  @Test
  public void aZipManifestThatInflatesBeyondTheLimitIsRefused() throws IOException {
    Path zip = tmp.getRoot().toPath().resolve("bomb.zip");
    try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
      out.putNextEntry(new ZipEntry(BundleManifest.FILE_NAME));
      byte[] spaces = new byte[1 << 20];
      java.util.Arrays.fill(spaces, (byte) ' ');
      for (int i = 0; i < 8; i++) {
        out.write(spaces); // 8 MB of whitespace compresses to a few KB
      }
    }
    BundleException e = assertThrows(BundleException.class, () -> Bundle.fromZip(zip.toFile()));
    assertEquals(Problem.INTEGRITY, e.problem());
    assertTrue(e.getMessage(), e.getMessage().contains("manifest.json"));
  }

  @Test
  public void aGraphOfTwoGibibytesIsRefusedFromItsLengthWithoutMapping() throws IOException {
    Path dir = written("sparse-graph");
    File block = dir.resolve("block_02.tflite").toFile();
    try (RandomAccessFile raf = new RandomAccessFile(block, "rw")) {
      raf.setLength(2L << 30); // mapping it would fail with "Size exceeds Integer.MAX_VALUE"
    }
    BundleException e = assertThrows(BundleException.class, () -> Bundle.fromDirectory(dir.toFile()));
    assertEquals(Problem.INTEGRITY, e.problem());
    assertTrue(e.getMessage(), e.getMessage().contains("block_02.tflite in " + dir + " has " + (2L << 30) + " bytes but the manifest says"));
  }

  @Test
  public void aGraphThatGrowsAfterOpeningIsNeverMappedAgain() throws IOException {
    Path dir = written("grows");
    try (Bundle bundle = Bundle.fromDirectory(dir.toFile())) {
      try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("head.tflite").toFile(), "rw")) {
        raf.setLength(3L << 30);
      }
      // the mapping validated at open (exactly the manifest's size) is what gets hashed and handed out
      BundleManifest.Graph head = bundle.manifest().graphs().head();
      assertEquals(head.bytes(), bundle.graph(head).remaining());
    }
  }

  @Test
  public void aManifestClaimingAGraphBeyondTheLimitIsRefused() throws IOException {
    Path dir = written("claims");
    try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("head.tflite").toFile(), "rw")) {
      raf.setLength(2L << 30);
    }
    String claims = edit(m -> graph(m, "head").addProperty("bytes", 2L << 30));
    Files.writeString(dir.resolve(BundleManifest.FILE_NAME), claims);
    BundleException e = assertThrows(BundleException.class, () -> Bundle.fromDirectory(dir.toFile()));
    assertEquals(Problem.MALFORMED_MANIFEST, e.problem());
    assertTrue(e.getMessage(), e.getMessage().contains("graphs.head.bytes must be in 1.." + BundleLimits.MAX_GRAPH_BYTES));
  }

  // ---------------------------------------------------------------- opening cost

  @Test
  public void eachGraphIsReadOnceForItsStructureAtOpenAndHashedOnce() {
    CountingSource source = new CountingSource(fixture.files, json, true);
    try (Bundle bundle = Bundle.open(source)) {
      List<String> expected = new ArrayList<>(List.of(BundleManifest.FILE_NAME));
      bundle.manifest().graphs().all().forEach(g -> expected.add(g.file()));
      assertEquals("the manifest, then each graph once (structure)", expected, source.reads);
      BundleManifest.Graph block = bundle.manifest().block(2);
      ByteBuffer first = bundle.graph(block);
      ByteBuffer again = bundle.graph(block);
      bundle.verifyAll();
      assertEquals(1, source.reads.stream().filter(block.file()::equals).count());
      assertEquals(first, again); // the same verified bytes, each call its own view
      first.get();
      assertEquals(0, bundle.graph(block).position());
    }
  }

  @Test
  public void sourcesThatCopyAreReadAndHashedAtEveryLoadSoTamperingIsSeen() {
    CountingSource source = new CountingSource(fixture.files, json, false);
    try (Bundle bundle = Bundle.open(source)) {
      BundleManifest.Graph block = bundle.manifest().block(1);
      bundle.graph(block);
      byte[] tampered = fixture.files.get(block.file()).clone();
      tampered[0] ^= 1;
      source.files.put(block.file(), tampered);
      BundleException e = assertThrows(BundleException.class, () -> bundle.graph(block));
      assertEquals(Problem.INTEGRITY, e.problem());
      // once at open (structure), then once per load
      assertEquals(3, source.reads.stream().filter(block.file()::equals).count());
    }
  }

  // ---------------------------------------------------------------- helpers

  /** A source over byte arrays that records every read. */
  private static final class CountingSource implements BundleSource {
    final Map<String, byte[]> files = new LinkedHashMap<>();
    final List<String> reads = new ArrayList<>();
    final boolean free;

    CountingSource(Map<String, byte[]> graphs, String manifest, boolean free) {
      files.putAll(graphs);
      files.put(BundleManifest.FILE_NAME, manifest.getBytes(StandardCharsets.UTF_8));
      this.free = free;
    }

    @Override
    public ByteBuffer read(String fileName) {
      byte[] bytes = files.get(fileName);
      if (bytes == null) {
        return null;
      }
      reads.add(fileName);
      return ByteBuffer.wrap(bytes.clone()).asReadOnlyBuffer();
    }

    @Override
    public long size(String fileName) {
      byte[] bytes = files.get(fileName);
      return bytes == null ? -1 : bytes.length;
    }

    @Override
    public boolean buffersAreFree() {
      return free;
    }

    @Override
    public String describe() {
      return "counting source";
    }
  }

  private Path written(String name) {
    Path dir = tmp.getRoot().toPath().resolve(name);
    BundleWriter.writeDirectory(fixture.manifest, fixture.files, dir, false);
    return dir;
  }

  /** The fixture's manifest with one consistent change of shape: image size, patch and width. */
  private String resized(int imageSize, int patch, int dim) {
    int grid = imageSize / patch;
    long tokens = (long) grid * grid + 1;
    return edit(m -> {
      JsonObject model = m.getAsJsonObject("model");
      model.addProperty("imageSize", imageSize);
      model.addProperty("patchSize", patch);
      model.addProperty("dim", dim);
      model.addProperty("heads", 1);
      model.addProperty("tokens", tokens);
      m.getAsJsonObject("input").addProperty("height", imageSize);
      m.getAsJsonObject("input").addProperty("width", imageSize);
      JsonObject graphs = m.getAsJsonObject("graphs");
      List<JsonObject> all = new ArrayList<>();
      all.add(graphs.getAsJsonObject("stem"));
      graphs.getAsJsonArray("blocks").forEach(b -> all.add(b.getAsJsonObject()));
      all.add(graphs.getAsJsonObject("head"));
      for (JsonObject g : all) {
        for (String side : new String[] {"inputs", "outputs"}) {
          for (var t : g.getAsJsonArray(side)) {
            JsonObject tensor = t.getAsJsonObject();
            JsonArray s = tensor.getAsJsonArray("shape");
            int[] shape = new int[s.size()];
            for (int i = 0; i < shape.length; i++) {
              shape[i] = s.get(i).getAsInt();
            }
            if (shape.length == 4) {
              shape = new int[] {1, imageSize, imageSize, 1};
            } else if (shape.length == 3) {
              shape = new int[] {1, (int) Math.min(tokens, Integer.MAX_VALUE), dim};
            } else if (!tensor.get("name").getAsString().equals("logits")) {
              shape = new int[] {1, dim};
            }
            tensor.add("shape", shape(shape));
          }
        }
      }
    });
  }

  private String edit(Consumer<JsonObject> change) {
    JsonObject root = JsonParser.parseString(json).getAsJsonObject();
    change.accept(root);
    return root.toString();
  }

  private static JsonObject graph(JsonObject manifest, String name) {
    return manifest.getAsJsonObject("graphs").getAsJsonObject(name);
  }

  private static void floats(JsonObject manifest, String object, String field, double value) {
    JsonArray a = new JsonArray();
    a.add(value);
    manifest.getAsJsonObject(object).add(field, a);
  }

  private static JsonArray shape(int[] dims) {
    JsonArray a = new JsonArray();
    for (int d : dims) {
      a.add(d);
    }
    return a;
  }

  private static void assertMalformed(String manifest, String messagePart) {
    BundleException e = assertThrows(BundleException.class, () -> ManifestJson.parse(manifest));
    assertEquals(e.getMessage(), Problem.MALFORMED_MANIFEST, e.problem());
    assertTrue(e.getMessage(), e.getMessage().contains(messagePart));
    assertNotNull(e.getMessage());
    assertArrayEquals(new String[] {e.getMessage()}, e.getMessage().lines().toArray());
  }
}
