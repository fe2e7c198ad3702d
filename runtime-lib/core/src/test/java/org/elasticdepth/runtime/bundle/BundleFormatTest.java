package org.elasticdepth.runtime.bundle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class BundleFormatTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();
  private final TestBundles fixture = new TestBundles();

  @Test
  public void manifestSurvivesJsonRoundTrip() {
    String json = ManifestJson.toJson(fixture.manifest);
    assertEquals(fixture.manifest, ManifestJson.parse(json));
  }

  @Test
  public void writtenDirectoryReadsBackAndVerifies() {
    Path out = tmp.getRoot().toPath().resolve("bundle");
    BundleWriter.writeDirectory(fixture.manifest, fixture.files, out, false);
    try (Bundle bundle = Bundle.fromDirectory(out.toFile())) {
      bundle.verifyAll();
      assertEquals(fixture.manifest, bundle.manifest());
      ByteBuffer block2 = bundle.graph(bundle.manifest().block(2));
      byte[] bytes = new byte[block2.remaining()];
      block2.get(bytes);
      assertTrue(Arrays.equals(fixture.files.get("block_02.tflite"), bytes));
    }
    String[] left = tmp.getRoot().list();
    assertEquals("no temporary directory left behind: " + Arrays.toString(left), 1, left.length);
  }

  @Test
  public void zipReadsBack() {
    Path zip = tmp.getRoot().toPath().resolve("bundle.zip");
    BundleWriter.writeZip(fixture.manifest, fixture.files, zip, false);
    try (Bundle bundle = Bundle.fromZip(zip.toFile())) {
      bundle.verifyAll();
      assertEquals(3, bundle.manifest().depth());
    }
  }

  @Test
  public void existingBundleIsRefusedWithoutForceAndReplacedWithIt() throws IOException {
    Path out = tmp.getRoot().toPath().resolve("bundle");
    BundleWriter.writeDirectory(fixture.manifest, fixture.files, out, false);
    BundleException refused = assertThrows(BundleException.class,
        () -> BundleWriter.writeDirectory(fixture.manifest, fixture.files, out, false));
    assertTrue(refused.getMessage(), refused.getMessage().contains("--force"));
    Files.writeString(out.resolve("stale.txt"), "old");
    BundleWriter.writeDirectory(fixture.manifest, fixture.files, out, true);
    assertFalse("the old bundle is replaced as a whole", Files.exists(out.resolve("stale.txt")));
  }

  @Test
  public void writerRefusesFilesThatDoNotMatchTheManifest() {
    Map<String, byte[]> files = new LinkedHashMap<>(fixture.files);
    files.put("head.tflite", "something else".getBytes(StandardCharsets.UTF_8));
    Path out = tmp.getRoot().toPath().resolve("bundle");
    BundleException e = assertThrows(BundleException.class, () -> BundleWriter.writeDirectory(fixture.manifest, files, out, false));
    assertEquals(Problem.INTEGRITY, e.problem());
    assertFalse(Files.exists(out));
  }

  @Test
  public void tamperedTruncatedAndMissingFilesAreNamed() throws IOException {
    Path out = tmp.getRoot().toPath().resolve("bundle");
    BundleWriter.writeDirectory(fixture.manifest, fixture.files, out, false);
    File block1 = out.resolve("block_01.tflite").toFile();
    byte[] original = Files.readAllBytes(block1.toPath());

    byte[] tampered = original.clone();
    tampered[0] ^= 1;
    Files.write(block1.toPath(), tampered);
    // Opening already refuses it (its structure breaks, and so does its hash); a subtler change would fail verifyAll.
    BundleException e = assertThrows(BundleException.class, () -> {
      try (Bundle bundle = Bundle.fromDirectory(out.toFile())) {
        bundle.verifyAll();
      }
    });
    assertEquals(Problem.INTEGRITY, e.problem());
    assertTrue(e.getMessage(), e.getMessage().contains("block_01.tflite") && e.getMessage().contains("SHA-256"));

    Files.write(block1.toPath(), Arrays.copyOf(original, original.length - 1));
    BundleException truncated = assertThrows(BundleException.class, () -> Bundle.fromDirectory(out.toFile()));
    assertEquals(Problem.INTEGRITY, truncated.problem());

    Files.delete(block1.toPath());
    BundleException missing = assertThrows(BundleException.class, () -> Bundle.fromDirectory(out.toFile()));
    assertEquals(Problem.MISSING_FILE, missing.problem());
    assertTrue(missing.getMessage(), missing.getMessage().contains("block_01.tflite"));
  }

  @Test
  public void malformedAndUnsupportedManifestsAreTyped() {
    String json = ManifestJson.toJson(fixture.manifest);
    assertProblem(Problem.MALFORMED_MANIFEST, "{not json", "not valid JSON");
    assertProblem(Problem.MALFORMED_MANIFEST, json.replace("\"dim\": 16", "\"dim\": \"16\""), "manifest.model.dim must be a number");
    assertProblem(Problem.MALFORMED_MANIFEST, json.replace("\"labels\"", "\"labelz\""), "manifest.labels is missing");
    assertProblem(Problem.UNSUPPORTED_VERSION, json.replace("\"formatVersion\": 1", "\"formatVersion\": 99"), "formatVersion 99");
    assertProblem(Problem.UNSUPPORTED_VERSION, json.replace("elastic-vit-bundle", "other"), "expected \"elastic-vit-bundle\"");
    assertProblem(Problem.INCONSISTENT, json.replace("\"numClasses\": 3", "\"numClasses\": 4"), "labels has 3 entries");
    assertProblem(Problem.MALFORMED_MANIFEST, json.replace("\"file\": \"head.tflite\"", "\"file\": \"../head.tflite\""),
        "plain *.tflite file name");
  }

  @Test
  public void shapesThatDoNotChainAreInconsistent() {
    String json = ManifestJson.toJson(fixture.manifest);
    // The head's input claims a 17-wide feature while the model's dim is 16.
    String broken = json.replaceFirst("(\"head\": \\{[^}]*?\"inputs\": \\[\\s*\\{\\s*\"name\": \"cls\",\\s*\"shape\": \\[\\s*1,\\s*)16", "$117");
    assertProblem(Problem.INCONSISTENT, broken, "graphs.head.inputs[0]");
  }

  private static void assertProblem(Problem problem, String json, String messagePart) {
    BundleException e = assertThrows(BundleException.class, () -> ManifestJson.parse(json));
    assertEquals(e.getMessage(), problem, e.problem());
    assertTrue(e.getMessage(), e.getMessage().contains(messagePart));
  }
}
