package org.elasticdepth.runtime.desktop;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.elasticdepth.runtime.Classification;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.Sha256;
import org.junit.Test;

/**
 * A multi-precision bundle's manifest is checked against its graphs, and each precision really runs
 * on desktop TFLite ({@code tiny-precisions}: fp32, fp16 and int8 graphs of one exported model).
 */
public class PrecisionConsistencyTest {
  private static final String INT8_RECORD = "\"floatOps\": [\n          \"ADD\",\n          \"BATCH_MATMUL\",";

  @Test
  public void everyPrecisionRunsAndReportsItself() {
    float[] image = TestBundles.sampleImages(Bundle.fromBuffers(TestBundles.buffers("tiny-precisions")).manifest().input());
    int pixels = image.length / TestBundles.SAMPLE_COUNT;
    float[] first = java.util.Arrays.copyOf(image, pixels);
    int[] labels = new int[Precision.values().length];
    for (Precision p : Precision.values()) {
      try (DesktopExecutor executor = DesktopExecutor.create();
          ElasticClassifier c = ElasticClassifier.fromBuffers(TestBundles.buffers("tiny-precisions"), executor,
              ElasticClassifier.Options.builder().setPrecision(p).build())) {
        Classification result = c.classify(first);
        assertEquals(p, result.precision().precision());
        assertEquals("asked for in the options", result.precision().reason());
        assertTrue(c.manifest().block(1).file(), p == Precision.FP32 || c.manifest().block(1).file().contains("." + p.label() + "."));
        labels[p.ordinal()] = result.labelIndex();
      }
    }
    assertEquals("fp16 predicts as fp32", labels[0], labels[1]);
  }

  @Test
  public void withoutAskingTheCpuGetsFp32WhenInt8CostsTooMuch() {
    // The fixture's int8 graphs lose 0.65 points at worst on validation: over the default half point.
    try (DesktopExecutor executor = DesktopExecutor.create();
        ElasticClassifier c = ElasticClassifier.fromBuffers(TestBundles.buffers("tiny-precisions"), executor,
            ElasticClassifier.Options.defaults())) {
      assertEquals(Precision.FP32, c.precision().precision());
    }
    try (DesktopExecutor executor = DesktopExecutor.create();
        ElasticClassifier c = ElasticClassifier.fromBuffers(TestBundles.buffers("tiny-precisions"), executor,
            ElasticClassifier.Options.builder().setAcceptedQuantizationDrop(0.01).build())) {
      assertEquals(Precision.INT8, c.precision().precision());
      assertEquals(Precision.INT8, c.plan().precision().precision());
    }
  }

  @Test
  public void aQuantizationRecordThatDisagreesWithTheGraphsIsRefused() {
    Map<String, ByteBuffer> files = TestBundles.buffers("tiny-precisions");
    String json = manifest(files);
    assertTrue("fixture changed: " + json.length(), json.contains(INT8_RECORD));
    files.put("manifest.json", utf8(json.replace(INT8_RECORD, "\"floatOps\": [\n          \"BATCH_MATMUL\",")));
    BundleException e = assertThrows(BundleException.class, () -> Bundle.fromBuffers(files));
    assertEquals(Problem.INCONSISTENT, e.problem());
    assertTrue(e.getMessage(), e.getMessage().contains("the int8 quantization record of")
        && e.getMessage().contains("but its graphs compute in int16 [] and in float [ADD, BATCH_MATMUL"));
  }

  @Test
  public void aGraphListedUnderTheWrongPrecisionIsRefused() {
    // block_01.int8.tflite replaced by the fp32 block, its size and hash updated: a consistent lie.
    Map<String, ByteBuffer> files = TestBundles.buffers("tiny-precisions");
    String json = manifest(files);
    byte[] fp32 = bytes(files.get("block_01.tflite"));
    byte[] int8 = bytes(files.get("block_01.int8.tflite"));
    String lie = json.replace(Sha256.hex(ByteBuffer.wrap(int8)), Sha256.hex(ByteBuffer.wrap(fp32)));
    lie = replaceBytes(lie, "block_01.int8.tflite", int8.length, fp32.length);
    files.put("manifest.json", utf8(lie));
    files.put("block_01.int8.tflite", ByteBuffer.allocateDirect(fp32.length).put(fp32).flip());
    BundleException e = assertThrows(BundleException.class, () -> Bundle.fromBuffers(files));
    assertEquals(e.getMessage(), Problem.INCONSISTENT, e.problem());
    assertTrue(e.getMessage(), e.getMessage().startsWith("block_01.int8.tflite in ")
        && e.getMessage().endsWith("is listed with the int8 graphs but holds fp32 weights"));
  }

  /** The "bytes" field of {@code file}'s entry, from {@code from} to {@code to}. */
  private static String replaceBytes(String json, String file, int from, int to) {
    int at = json.indexOf("\"file\": \"" + file + "\"");
    int field = json.indexOf("\"bytes\": " + from, at);
    assertTrue(file + " entry", at >= 0 && field > at);
    return json.substring(0, field) + "\"bytes\": " + to + json.substring(field + ("\"bytes\": " + from).length());
  }

  private static String manifest(Map<String, ByteBuffer> files) {
    return new String(bytes(files.get("manifest.json")), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private static ByteBuffer utf8(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocateDirect(b.length).put(b).flip();
  }
}
