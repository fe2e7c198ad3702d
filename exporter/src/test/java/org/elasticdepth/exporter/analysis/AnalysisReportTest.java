package org.elasticdepth.exporter.analysis;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.elasticdepth.exporter.export.TinyBundleFixture;
import org.elasticdepth.exporter.train.Evaluation;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.Precision;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The analysis on made-up outputs whose accuracies are known, and the report drawn from it. */
public class AnalysisReportTest {
  private static final int LAYERS = 4;
  private static final int SAMPLES = 200;

  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  /** Layer l gets the first {@code correct[l]} of 200 samples right. */
  private static Evaluation.SetOutputs outputs(int[] correct) {
    Random random = new Random(3);
    float[][][] features = new float[LAYERS][SAMPLES][8];
    float[][][] probabilities = new float[LAYERS][SAMPLES][];
    int[] labels = new int[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      labels[i] = i % 3;
      for (int l = 0; l < LAYERS; l++) {
        for (int k = 0; k < 8; k++) {
          features[l][i][k] = (float) random.nextGaussian();
        }
        int predicted = i < correct[l] ? labels[i] : (labels[i] + 1) % 3;
        probabilities[l][i] = new float[3];
        probabilities[l][i][predicted] = 0.8f;
        probabilities[l][i][(predicted + 1) % 3] = 0.1f;
        probabilities[l][i][(predicted + 2) % 3] = 0.1f;
      }
    }
    return new Evaluation.SetOutputs(features, probabilities, labels);
  }

  private static LayerAnalysis.Result analyze(String mode) {
    // test accuracy .60 .85 .88 .90; validation .70 .895 .905 .90: within 0.5 point from layer 2 on validation
    return LayerAnalysis.analyze(new LayerAnalysis.Run(".", mode, 7, 12, "ViT test", "made-up data"),
        outputs(new int[] {120, 170, 176, 180}), 0.9, "option", new double[] {0.70, 0.895, 0.905, 0.90});
  }

  @Test
  public void minimalDepthIsChosenOnValidationAndReportedOnTest() {
    List<AnalysisResult.MinimalDepth> depths = analyze("aligned").numbers().minimalDepth();
    assertEquals(2, depths.size());
    AnalysisResult.MinimalDepth half = depths.get(0);
    assertEquals(0.005, half.accuracyDrop(), 0);
    // on test, layer 2 is 5 points below full depth: the test split must not have chosen it
    assertEquals(2, half.depth());
    assertEquals(0.895, half.validationAccuracy(), 0);
    assertEquals(0.90, half.validationFullDepthAccuracy(), 0);
    assertEquals(0.85, half.testAccuracy(), 1e-12);
    assertEquals(0.90, half.testFullDepthAccuracy(), 1e-12);
    assertEquals(2, depths.get(1).depth());
    assertEquals(0.01, depths.get(1).accuracyDrop(), 0);
  }

  @Test
  public void aBundleAddsAPerLayerAccuracyTablePerPrecisionFromItsCalibrations() throws Exception {
    BundleManifest fp32 = TinyBundleFixture.create(Precision.FP32).manifest();
    BundleManifest fp16 = TinyBundleFixture.create(Precision.FP16).manifest();
    BundleManifest int8Shape = TinyBundleFixture.create(Precision.FP32).manifest();
    // an int8 variant's calibration and quantization record as helper Q's exporter writes them
    Calibration int8 = new Calibration("validation", List.of(0.695, 0.772, 0.806), List.of(), 0.01, 0.93);
    BundleManifest.Graphs int8Graphs = int8Shape.graphs().withPrecision(Precision.INT8);
    BundleManifest three = new BundleManifest(fp32.format(), BundleManifest.FORMAT_VERSION, fp32.model(), fp32.input(),
        fp32.labels(), fp32.graphs(), fp32.calibration(), fp32.provenance(), null, List.of(
            new BundleManifest.Variant(Precision.FP16, fp16.graphs(), fp16.calibration(), null),
            new BundleManifest.Variant(Precision.INT8, int8Graphs, int8,
                new BundleManifest.Quantization(256, List.of("SOFTMAX"), List.of("MEAN")))));
    AnalysisReport.Entry aligned = new AnalysisReport.Entry("aligned", analyze("aligned"), Optional.empty());
    Path dir = tmp.newFolder("with-bundle").toPath();
    String html = Files.readString(AnalysisReport.build("Layer-wise analysis", List.of(aligned), three).write(dir));
    assertTrue(html, html.contains(">Layer-wise accuracy per precision (bundle)</a>"));
    assertTrue(html, html.contains("<th>worst drop vs fp32 (points)</th>"));
    // fp32 0.70 0.78 0.81 (the fixture's calibration); int8 loses 0.8 points at layer 2
    assertTrue(html, html.contains("<td>fp32</td><td>validation</td><td class=\"num\">0.7000</td><td class=\"num\">0.7800</td>"
        + "<td class=\"num\">0.8100</td><td class=\"num\">0.00</td>"));
    assertTrue(html, html.contains("<td>int8</td><td>validation</td><td class=\"num\">0.6950</td><td class=\"num\">0.7720</td>"
        + "<td class=\"num\">0.8060</td><td class=\"num\">0.80</td><td class=\"num\">0.930</td>"
        + "<td>256 calibration images; int16: SOFTMAX; float: MEAN</td>"));
    assertTrue(html, html.contains("<td>fp16</td>"));
    // without a bundle there is no such table
    String plain = Files.readString(AnalysisReport.build("Layer-wise analysis", List.of(aligned)).write(tmp.newFolder("plain").toPath()));
    assertFalse(plain.contains("per precision"));
  }

  @Test
  public void reportHasAHeaderContentsAlignedNumbersAndNeedsNothingOutsideItsFolder() throws Exception {
    AnalysisReport.Entry aligned = new AnalysisReport.Entry("aligned", analyze("aligned"), Optional.empty());
    AnalysisReport.Entry standard = new AnalysisReport.Entry("standard", analyze("standard"), Optional.empty());
    Path dir = tmp.newFolder("report").toPath();
    Path index = AnalysisReport.build("Layer-wise comparison", List.of(aligned.withRun("../aligned"),
        standard.withRun("../standard"))).write(dir);
    String html = Files.readString(index);

    assertTrue(html, html.contains("<header><h1>Layer-wise comparison</h1>"));
    assertTrue(html, html.contains("<dt>model</dt><dd>ViT test</dd>")); // shared by both runs: said once
    assertTrue(html, html.contains("<dt>data</dt><dd>made-up data</dd>"));
    assertTrue(html, html.contains("<dt>training</dt><dd>12 epochs, seed 7</dd>")); // runs named by their modes
    assertTrue(html, html.contains("<dt>runs</dt><dd>aligned: ../aligned; standard: ../standard</dd>"));
    // a table of contents whose every entry points at a heading of the page
    Matcher links = Pattern.compile("<li><a href=\"#(s[0-9]+)\">([^<]+)</a></li>").matcher(html);
    int entries = 0;
    while (links.find()) {
      entries++;
      assertTrue(links.group(1), html.contains("<h2 id=\"" + links.group(1) + "\">" + links.group(2) + "</h2>"));
    }
    assertTrue(html, entries >= 4);
    assertTrue(html, html.contains(">Minimal depth</a>"));
    // numbers right-aligned, labels not; bordered tables from the inline stylesheet
    assertTrue(html, html.contains("<td>aligned</td><td>0.5 point</td><td class=\"num\">2 of 4</td>"));
    assertTrue(html, html.contains("<td class=\"num\">0.850</td>"));
    assertTrue(html, html.contains("td.num,th.num{text-align:right"));
    assertTrue(html, html.contains("th,td{border:1px solid"));
    // self-contained: no stylesheet, script or image from elsewhere; every plot embedded and also written beside
    assertFalse(html, Pattern.compile("(src|href)=\"(https?:|//|/)").matcher(html).find());
    assertFalse(html, html.contains("<link") || html.contains("<script") || html.contains("@import"));
    Matcher images = Pattern.compile("<img [^>]*src=\"([^\"]{0,40})").matcher(html);
    int plots = 0;
    while (images.find()) {
      plots++;
      assertTrue(images.group(1), images.group(1).startsWith("data:image/png;base64,"));
    }
    assertEquals(2 + 2 * 5, plots);
    assertTrue(Files.isRegularFile(dir.resolve("layer_accuracy.png")));
  }
}
