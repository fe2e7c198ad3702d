package org.elasticdepth.runtime.engine;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.ElasticClassifier.Options;
import org.elasticdepth.runtime.ElasticRuntimeException;
import org.elasticdepth.runtime.InputException;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.Sha256;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.TestBundles;
import org.elasticdepth.runtime.spi.GraphException;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Bundles broken in every way we can think of, built in the test from the good {@code tiny}
 * fixture, go through the whole path (open, create, classify) on real TFLite. Each must end in a
 * typed exception naming the problem; a native crash would kill this JVM and fail the build.
 */
public class BadBundleCorpusTest {
  private static DesktopExecutor tflite;
  private static Map<String, byte[]> good;

  @Rule public TemporaryFolder temp = new TemporaryFolder();

  @BeforeClass
  public static void setUp() {
    tflite = DesktopExecutor.create();
    good = TestBundles.bytes(TestBundles.TINY);
  }

  @AfterClass
  public static void tearDown() {
    tflite.close();
  }

  /** A mutable copy of the good bundle. */
  private static final class Variant {
    final Map<String, byte[]> files = new LinkedHashMap<>(good);
    /** Manifest bytes to ship instead of {@link #manifest}'s JSON; empty for no manifest at all. */
    byte[] rawManifest;
    final JsonObject manifest = JsonParser.parseString(new String(good.get(BundleManifest.FILE_NAME), StandardCharsets.UTF_8)).getAsJsonObject();

    JsonObject graph(String file) {
      JsonObject graphs = manifest.getAsJsonObject("graphs");
      for (String key : List.of("stem", "head", "full")) {
        if (graphs.has(key) && graphs.getAsJsonObject(key).get("file").getAsString().equals(file)) {
          return graphs.getAsJsonObject(key);
        }
      }
      for (var b : graphs.getAsJsonArray("blocks")) {
        if (b.getAsJsonObject().get("file").getAsString().equals(file)) {
          return b.getAsJsonObject();
        }
      }
      throw new IllegalArgumentException(file);
    }

    /** Replaces a graph's bytes and makes the manifest agree (size and hash), so only TFLite can object. */
    Variant replaceFixedUp(String file, byte[] content) {
      files.put(file, content);
      graph(file).addProperty("bytes", content.length);
      graph(file).addProperty("sha256", Sha256.hex(content));
      return this;
    }

    Variant replace(String file, byte[] content) {
      files.put(file, content);
      return this;
    }

    Variant edit(Consumer<JsonObject> change) {
      change.accept(manifest);
      return this;
    }

    Map<String, ByteBuffer> buffers() {
      Map<String, ByteBuffer> out = new LinkedHashMap<>();
      files.forEach((name, bytes) -> out.put(name, ByteBuffer.wrap(bytes)));
      byte[] json = rawManifest != null ? rawManifest : manifest.toString().getBytes(StandardCharsets.UTF_8);
      if (json.length > 0) {
        out.put(BundleManifest.FILE_NAME, ByteBuffer.wrap(json));
      } else {
        out.remove(BundleManifest.FILE_NAME);
      }
      return out;
    }
  }

  private static byte[] graphBytes(String file) {
    return good.get(file).clone();
  }

  /** Opens, creates (loading every graph) and classifies a valid image; returns what was thrown. */
  private static RuntimeException attempt(Map<String, ByteBuffer> files) {
    try (ElasticClassifier c = ElasticClassifier.fromBuffers(files, tflite, Options.builder().setWarmUpRuns(1).build())) {
      c.classify(new float[c.manifest().input().elementCount()]);
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  private static void expectBundle(String name, Variant v, Problem problem, String fragment) {
    RuntimeException e = attempt(v.buffers());
    assertTrue(name + ": expected BundleException, got " + e, e instanceof BundleException);
    assertEquals(name + ": " + e.getMessage(), problem, ((BundleException) e).problem());
    assertTrue(name + ": " + e.getMessage(), e.getMessage().contains(fragment));
  }

  /** Rejected in Java by the structural validator, before TFLite sees the bytes. */
  private static void expectInvalid(String name, Variant v, String file, InvalidGraphException.Rule rule) {
    RuntimeException e = attempt(v.buffers());
    assertTrue(name + ": expected InvalidGraphException, got " + e, e instanceof InvalidGraphException);
    InvalidGraphException invalid = (InvalidGraphException) e;
    assertEquals(name + ": " + e.getMessage(), file, invalid.file());
    assertEquals(name + ": " + e.getMessage(), rule, invalid.rule());
    assertEquals(Problem.INVALID_GRAPH, invalid.problem());
  }

  @Test
  public void corruptGraphWithMatchingHashIsRejectedBeforeTflite() {
    byte[] header = graphBytes("block_02.tflite");
    for (int i = 0; i < 16; i++) {
      header[i] = (byte) 0xA5; // root offset and "TFL3" identifier
    }
    expectInvalid("garbled header", new Variant().replaceFixedUp("block_02.tflite", header), "block_02.tflite",
        InvalidGraphException.Rule.FLATBUFFER);

    byte[] noise = new byte[4096];
    new Random(1).nextBytes(noise);
    expectInvalid("not a model at all", new Variant().replaceFixedUp("stem.tflite", noise), "stem.tflite",
        InvalidGraphException.Rule.FLATBUFFER);

    byte[] whole = graphBytes("block_03.tflite");
    byte[] half = java.util.Arrays.copyOf(whole, whole.length / 2);
    expectInvalid("truncated, size and hash fixed up", new Variant().replaceFixedUp("block_03.tflite", half), "block_03.tflite",
        InvalidGraphException.Rule.FLATBUFFER);
  }

  @Test
  public void graphThatContradictsItsManifestEntryIsRefused() {
    // head.tflite's bytes where block 2 should be: valid TFLite, wrong signature.
    expectInvalid("head in place of block 2", new Variant().replaceFixedUp("block_02.tflite", graphBytes("head.tflite")),
        "block_02.tflite", InvalidGraphException.Rule.SIGNATURE);
  }

  @Test
  public void fileProblemsAreBundleExceptions() {
    byte[] cut = java.util.Arrays.copyOf(graphBytes("block_02.tflite"), good.get("block_02.tflite").length - 100);
    expectBundle("truncated file", new Variant().replace("block_02.tflite", cut), Problem.INTEGRITY, "truncated");

    byte[] flipped = graphBytes("block_01.tflite");
    flipped[flipped.length / 2] ^= 1;
    expectBundle("one flipped bit", new Variant().replace("block_01.tflite", flipped), Problem.INTEGRITY, "SHA-256");

    Variant missing = new Variant();
    missing.files.remove("block_03.tflite");
    expectBundle("missing file", missing, Problem.MISSING_FILE, "block_03.tflite");

    Variant noManifest = new Variant();
    noManifest.rawManifest = new byte[0];
    expectBundle("missing manifest", noManifest, Problem.MISSING_FILE, "manifest.json");
  }

  @Test
  public void manifestProblemsAreBundleExceptions() {
    expectBundle("unknown version", new Variant().edit(m -> m.addProperty("formatVersion", 99)),
        Problem.UNSUPPORTED_VERSION, "formatVersion 99");
    expectBundle("other format", new Variant().edit(m -> m.addProperty("format", "onnx-bundle")),
        Problem.UNSUPPORTED_VERSION, "onnx-bundle");
    expectBundle("shape mismatch", new Variant().edit(m -> shape(m, "block_02.tflite", 1, 17, 8)),
        Problem.INCONSISTENT, "graphs.blocks[1].outputs[0]");
    expectBundle("label count", new Variant().edit(m -> m.getAsJsonArray("labels").remove(0)),
        Problem.INCONSISTENT, "labels has 9 entries");
    expectBundle("wrong type", new Variant().edit(m -> m.getAsJsonObject("model").addProperty("dim", "sixteen")),
        Problem.MALFORMED_MANIFEST, "manifest.model.dim");
    expectBundle("path escape", new Variant().edit(m -> m.getAsJsonObject("graphs").getAsJsonObject("stem")
        .addProperty("file", "../stem.tflite")), Problem.MALFORMED_MANIFEST, "plain *.tflite file name");

    Variant notJson = new Variant();
    notJson.rawManifest = "{\"format\": \"elastic-vit-bun".getBytes(StandardCharsets.UTF_8);
    expectBundle("truncated manifest", notJson, Problem.MALFORMED_MANIFEST, "not valid JSON");
  }

  private static void shape(JsonObject manifest, String file, int... dims) {
    for (var b : manifest.getAsJsonObject("graphs").getAsJsonArray("blocks")) {
      JsonObject g = b.getAsJsonObject();
      if (g.get("file").getAsString().equals(file)) {
        JsonArray shape = new JsonArray();
        for (int d : dims) {
          shape.add(d);
        }
        g.getAsJsonArray("outputs").get(0).getAsJsonObject().add("shape", shape);
      }
    }
  }

  @Test
  public void truncatedZipIsABundleException() throws IOException {
    File dir = temp.newFolder("tiny");
    TestBundles.copyTo(TestBundles.TINY, dir.toPath());
    Path zip = temp.getRoot().toPath().resolve("tiny.zip");
    try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
      for (Map.Entry<String, byte[]> e : good.entrySet()) {
        out.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
        out.write(e.getValue());
      }
    }
    try (ElasticClassifier c = ElasticClassifier.fromZip(zip.toFile(), tflite, Options.defaults())) {
      assertEquals(3, c.plan().depth()); // the intact zip works
    }
    byte[] bytes = Files.readAllBytes(zip);
    Files.write(zip, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    try {
      ElasticClassifier.fromZip(zip.toFile(), tflite, Options.defaults()).close();
      fail();
    } catch (BundleException e) {
      assertEquals(Problem.IO, e.problem());
    }
  }

  @Test
  public void badInputIsAnInputException() {
    try (ElasticClassifier c = ElasticClassifier.fromBuffers(new Variant().buffers(), tflite, Options.defaults())) {
      int n = c.manifest().input().elementCount();
      float[] nan = new float[n];
      nan[100] = Float.NaN;
      expectInput(() -> c.classify(nan), "is NaN");
      float[] inf = new float[n];
      inf[n - 1] = Float.POSITIVE_INFINITY;
      expectInput(() -> c.classify(inf), "is Infinity");
      expectInput(() -> c.classify(new float[n - 1]), "783 floats");
      expectInput(() -> c.classify(new float[n * 3]), "2352 floats");
      expectInput(() -> c.classify(new int[10], 5, 5), "10 pixels");
      assertEquals(3, c.classify(new float[n]).exitLayer()); // still works afterwards
    }
  }

  /**
   * Random bit flips in graphs whose hash is fixed up: TFLite's verifier rejects some, others
   * load as a model with other weights (or other structure). Whatever happens must be a typed
   * exception or a result, never a crash.
   */
  @Test
  public void randomCorruptionNeverCrashes() {
    Random random = new Random(2024);
    List<String> targets = List.of("stem.tflite", "block_01.tflite", "block_02.tflite", "head.tflite");
    int rejected = 0;
    int survived = 0;
    List<String> untyped = new ArrayList<>();
    for (int round = 0; round < 60; round++) {
      String file = targets.get(round % targets.size());
      byte[] bytes = graphBytes(file);
      int flips = 1 + random.nextInt(8);
      for (int f = 0; f < flips; f++) {
        bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
      }
      RuntimeException e = attempt(new Variant().replaceFixedUp(file, bytes).buffers());
      if (e == null) {
        survived++;
      } else if (e instanceof GraphException) {
        rejected++;
      } else if (!(e instanceof ElasticRuntimeException)) {
        untyped.add(file + ": " + e);
      } else {
        rejected++;
      }
    }
    assertTrue("untyped failures: " + untyped, untyped.isEmpty());
    assertEquals(60, rejected + survived);
    System.out.println("random corruption: " + rejected + " rejected with typed exceptions, " + survived + " loaded and ran");
  }

  private static void expectInput(Runnable r, String fragment) {
    try {
      r.run();
      fail("expected InputException containing " + fragment);
    } catch (InputException e) {
      assertTrue(e.getMessage(), e.getMessage().contains(fragment));
    }
  }
}
