package org.elasticdepth.runtime.bundle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Graphs;
import org.elasticdepth.runtime.bundle.BundleManifest.Quantization;
import org.elasticdepth.runtime.bundle.BundleManifest.Variant;
import org.junit.Test;

/** Format version 2: one manifest, several precisions of the same graphs (manifest level only). */
public class PrecisionFormatTest {
  private final TestBundles bundles = new TestBundles(); // version 1, fp32, depth 3
  private static final Quantization INT8 = new Quantization(256, List.of("MEAN", "RSQRT"), List.of("SOFTMAX"));
  private static final Calibration INT8_CALIBRATION = new Calibration("validation", List.of(0.49, 0.69, 0.8),
      List.of(new FrontierPoint(0.6, 0.78, 2.0, 1.5)), 0.01, 0.6);

  @Test
  public void variantsSurviveTheJsonRoundTrip() {
    BundleManifest m = withVariants(variant(Precision.FP16, null, null), variant(Precision.INT8, INT8_CALIBRATION, INT8));
    String json = ManifestJson.toJson(m);
    assertTrue(json, json.contains("\"variants\"") && json.contains("block_02.int8.tflite"));
    BundleManifest back = ManifestJson.parse(json);
    assertEquals(m, back);
    assertEquals(List.of(Precision.FP32, Precision.FP16, Precision.INT8), back.precisions());
    assertEquals(Precision.INT8, back.variant(Precision.INT8).orElseThrow().graphs().head().precision());
    assertEquals(3 * 5, back.allGraphs().size()); // stem, 3 blocks, head in each precision
    assertEquals(json, ManifestJson.toJson(back));
  }

  @Test
  public void forPrecisionIsASinglePrecisionView() {
    BundleManifest m = withVariants(variant(Precision.INT8, INT8_CALIBRATION, INT8));
    BundleManifest int8 = m.forPrecision(Precision.INT8);
    assertEquals(List.of(Precision.INT8), int8.precisions());
    assertEquals("block_01.int8.tflite", int8.block(1).file());
    assertEquals(INT8_CALIBRATION, int8.calibration());
    assertEquals(INT8, int8.quantization());
    assertEquals("int8", int8.provenance().precision());
    BundleManifest fp32 = m.forPrecision(Precision.FP32);
    assertEquals(bundles.manifest.graphs(), fp32.graphs());
    assertTrue(fp32.variants().isEmpty());
    assertSame(bundles.manifest, bundles.manifest.forPrecision(Precision.FP32));
  }

  @Test
  public void aPrecisionTheBundleLacksIsATypedError() {
    try {
      withVariants(variant(Precision.INT8, null, INT8)).forPrecision(Precision.FP16);
      fail("expected MISSING_PRECISION");
    } catch (BundleException e) {
      assertEquals(Problem.MISSING_PRECISION, e.problem());
      assertEquals("the bundle has no fp16 graphs; it carries fp32, int8", e.getMessage());
    }
  }

  @Test
  public void versionOneManifestsStayAsTheyWere() {
    String json = ManifestJson.toJson(bundles.manifest);
    assertFalse(json, json.contains("variants") || json.contains("quantization"));
    assertTrue(json, json.contains("\"formatVersion\": 1"));
    assertEquals(bundles.manifest, ManifestJson.parse(json));
    // Only version 2 knows variants.
    String v1WithVariants = ManifestJson.toJson(withVariants(variant(Precision.FP16, null, null)))
        .replace("\"formatVersion\": 2", "\"formatVersion\": 1");
    assertRejected(() -> ManifestJson.parse(v1WithVariants), Problem.MALFORMED_MANIFEST, "manifest.variants needs formatVersion 2");
  }

  @Test
  public void inconsistentPrecisionsAreRejected() {
    assertRejected(() -> ManifestJson.toJson(withVariants(variant(Precision.FP32, null, null))), Problem.INCONSISTENT,
        "variants[0].precision fp32 appears twice");
    assertRejected(() -> ManifestJson.toJson(withVariants(variant(Precision.INT8, null, null))), Problem.MALFORMED_MANIFEST,
        "variants[0].quantization is missing");
    assertRejected(() -> ManifestJson.toJson(withVariants(variant(Precision.FP16, null, INT8))), Problem.INCONSISTENT,
        "variants[0].quantization is given for fp16 graphs");
    assertRejected(() -> ManifestJson.toJson(withVariants(variant(Precision.INT8, null,
        new Quantization(256, List.of("RSQRT", "MEAN"), List.of())))), Problem.MALFORMED_MANIFEST, "must be sorted");
    assertRejected(() -> ManifestJson.toJson(withVariants(variant(Precision.INT8, null,
        new Quantization(0, List.of(), List.of())))), Problem.MALFORMED_MANIFEST, "calibrationImages must be in 1..");
    assertRejected(() -> ManifestJson.toJson(withVariants(variant(Precision.INT8, null,
        new Quantization(8, List.of("mean; rm -rf"), List.of())))), Problem.MALFORMED_MANIFEST, "operator names");
    // the same file in two precisions
    Variant clash = new Variant(Precision.FP16, bundles.manifest.graphs().withPrecision(Precision.FP16), null, null);
    assertRejected(() -> ManifestJson.toJson(withVariants(clash)), Problem.INCONSISTENT, "is used by two graphs");
    // a variant calibration of the wrong depth names its path
    Calibration shallow = new Calibration("validation", List.of(0.5), List.of(), 0.01, 0.9);
    assertRejected(() -> ManifestJson.toJson(withVariants(variant(Precision.FP16, shallow, null))), Problem.INCONSISTENT,
        "variants[0].calibration.layerAccuracy has 1 values");
  }

  @Test
  public void malformedPrecisionFieldsAreNamed() {
    String json = ManifestJson.toJson(withVariants(variant(Precision.INT8, INT8_CALIBRATION, INT8)));
    assertRejected(() -> ManifestJson.parse(json.replace("\"precision\": \"int8\"", "\"precision\": \"int4\"")),
        Problem.MALFORMED_MANIFEST, "manifest.variants[0].precision must be fp32, fp16 or int8, got \"int4\"");
    assertRejected(() -> ManifestJson.parse(json.replace("\"calibrationImages\": 256", "\"calibrationImages\": \"many\"")),
        Problem.MALFORMED_MANIFEST, "manifest.variants[0].quantization.calibrationImages must be a number");
    assertRejected(() -> ManifestJson.parse(json.replace("\"precision\": \"fp32\"", "\"precision\": \"bf16\"")),
        Problem.MALFORMED_MANIFEST, "manifest.provenance.precision must be fp32, fp16 or int8");
  }

  @Test
  public void fileNamesOfAnotherPrecision() {
    assertEquals("block_01.int8.tflite", BundleManifest.fileName("block_01.tflite", Precision.INT8));
    assertEquals("head.fp16.tflite", BundleManifest.fileName("head.tflite", Precision.FP16));
    assertEquals(Precision.INT8, Precision.fromLabel("int8"));
    try {
      Precision.fromLabel("INT8");
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("known: fp32, fp16, int8"));
    }
  }

  private BundleManifest withVariants(Variant... variants) {
    BundleManifest m = bundles.manifest;
    return new BundleManifest(m.format(), 2, m.model(), m.input(), m.labels(), m.graphs(), m.calibration(),
        m.provenance(), null, List.of(variants));
  }

  /** The test bundle's graphs renamed for {@code precision} (the format does not look inside them). */
  private Variant variant(Precision precision, Calibration calibration, Quantization quantization) {
    Graphs g = bundles.manifest.graphs();
    List<Graph> blocks = new ArrayList<>();
    g.blocks().forEach(b -> blocks.add(renamed(b, precision)));
    Graphs graphs = new Graphs(renamed(g.stem(), precision), blocks, renamed(g.head(), precision), null);
    return new Variant(precision, graphs.withPrecision(precision), calibration, quantization);
  }

  private static Graph renamed(Graph g, Precision precision) {
    return new Graph(BundleManifest.fileName(g.file(), precision), g.sha256(), g.bytes(), g.params(), g.flops(),
        g.inputs(), g.outputs());
  }

  private static void assertRejected(Runnable action, Problem problem, String message) {
    try {
      action.run();
      fail("expected " + problem + ": " + message);
    } catch (BundleException e) {
      assertEquals(e.getMessage(), problem, e.problem());
      assertTrue(e.getMessage(), e.getMessage().contains(message));
    }
  }
}
