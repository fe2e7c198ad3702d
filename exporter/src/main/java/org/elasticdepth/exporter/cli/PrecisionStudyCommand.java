package org.elasticdepth.exporter.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.elasticdepth.exporter.calibrate.ExitSimulation;
import org.elasticdepth.exporter.calibrate.LayerPredictions;
import org.elasticdepth.exporter.data.DataSplits;
import org.elasticdepth.exporter.data.ImageSet;
import org.elasticdepth.exporter.export.TrainedModel;
import org.elasticdepth.exporter.export.VitGraphs;
import org.elasticdepth.exporter.quantize.Int8Quantizer;
import org.elasticdepth.exporter.quantize.LayerEvaluation;
import org.elasticdepth.exporter.quantize.PrecisionCalibration;
import org.elasticdepth.exporter.quantize.QuantizationData;
import org.elasticdepth.exporter.train.AtomicFiles;
import org.elasticdepth.exporter.train.RunDirectory;
import org.elasticdepth.exporter.verify.DjlReference;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code precision-study}: what each precision costs in accuracy and early exit, measured on the
 * test split through desktop TFLite, every precision with its own exit calibration.
 */
@Command(name = "precision-study", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Builds the run's graphs in fp32, fp16 and int8 (int8: ranges on --calibration-images training "
        + "images, recipe chosen on the validation split, as export does), calibrates each precision's exit "
        + "threshold on its own validation outputs, then measures on the test split through desktop TFLite: "
        + "per-layer accuracy, agreement with fp32, and early exit at each precision's own threshold vs its full "
        + "depth (accuracy and speed-up by layers). Prints a table; with --out also writes precisions.md and "
        + "precisions.json there."})
public final class PrecisionStudyCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a calibrated run directory")
  Path runDir;

  @Option(names = "--calibration-images", defaultValue = "256",
      description = "training images for int8 range calibration (default: ${DEFAULT-VALUE})")
  int calibrationImages;

  @Option(names = "--test-images", description = "test images to measure on (default: the whole test split)")
  Integer testImages;

  @Option(names = "--out", paramLabel = "DIR", description = "write precisions.md and precisions.json here")
  Path out;

  @Option(names = "--ablation", description = "also measure every op group alone in float32 and in int16 "
      + "(which part of the model int8 loses accuracy in), before the recipe search")
  boolean ablation;

  @Override
  public Integer call() throws Exception {
    RunDirectory run = RunDirectory.open(runDir);
    TrainedModel trained = TrainedModel.load(runDir);
    Calibration settings = trained.description().calibration();
    if (settings == null) {
      throw new IllegalArgumentException(runDir + " has no " + RunDirectory.CALIBRATION + ": run calibrate first");
    }
    DataSplits splits = run.loadData();
    QuantizationData data = QuantizationData.of(splits, run.normalization(), calibrationImages, run.seed());
    ImageSet test = splits.test();
    int n = testImages == null ? test.size() : Math.min(testImages, test.size());
    float[] testNhwc = DjlReference.toNhwc(test.normalized(0, n, run.normalization()), n,
        test.imageSize(), test.channels());
    int[] testLabels = test.labels(0, n);
    int depth = trained.model().depth();

    Map<String, Object> json = new LinkedHashMap<>();
    List<String> md = new ArrayList<>();
    try (DesktopExecutor executor = DesktopExecutor.create()) {
      VitGraphs fp32 = new VitGraphs(trained.model(), trained.weights(), Precision.FP32);
      VitGraphs fp16 = new VitGraphs(trained.model(), trained.weights(), Precision.FP16);
      LayerPredictions fp32Validation = LayerEvaluation.run(fp32, executor, data.validationImages(), data.validationLabels());
      System.out.printf(Locale.ROOT, "int8 recipes on the validation split (%d images), ranges from %d training images:%n",
          data.validationLabels().length, calibrationImages);
      if (ablation) {
        List<String> ablationLines = new ArrayList<>();
        System.out.println("ablation: one group at a time");
        Int8Quantizer.quantize(trained.model(), trained.weights(), data, fp32Validation, executor,
            Int8Quantizer.ablation(), false, line -> {
              System.out.println(line);
              ablationLines.add(line.trim());
            });
        json.put("ablation", ablationLines);
      }
      List<String> trialLines = new ArrayList<>();
      Int8Quantizer.Result int8 = Int8Quantizer.quantize(trained.model(), trained.weights(), data, fp32Validation,
          executor, Int8Quantizer.candidates(), line -> {
            System.out.println(line);
            trialLines.add(line.trim());
          });
      System.out.printf(Locale.ROOT, "chosen: %s (int16 ops %s, float ops %s)%n", int8.chosen().recipe().describe(),
          int8.int16Ops(), int8.floatOps());
      json.put("calibrationImages", calibrationImages);
      json.put("validationImages", data.validationLabels().length);
      json.put("int8Recipe", int8.chosen().recipe().describe());
      json.put("int8Trials", trialLines);
      json.put("int16Ops", int8.int16Ops());
      json.put("floatOps", int8.floatOps());

      Map<String, VitGraphs> graphs = new LinkedHashMap<>();
      graphs.put("fp32", fp32);
      graphs.put("fp16", fp16);
      graphs.put("int8", int8.graphs());
      Map<String, LayerPredictions> validation = Map.of("fp32", fp32Validation,
          "fp16", LayerEvaluation.run(fp16, executor, data.validationImages(), data.validationLabels()),
          "int8", int8.predictions());
      Map<String, LayerPredictions> onTest = new LinkedHashMap<>();
      for (Map.Entry<String, VitGraphs> e : graphs.entrySet()) {
        onTest.put(e.getKey(), LayerEvaluation.run(e.getValue(), executor, testNhwc, testLabels));
      }
      md.add(String.format(Locale.ROOT, "Test split: %d images. int8 recipe: %s; ranges from %d training images.", n,
          int8.chosen().recipe().describe(), calibrationImages));
      md.add("");
      StringBuilder header = new StringBuilder("| precision |");
      StringBuilder rule = new StringBuilder("|---|");
      for (int l = 1; l <= depth; l++) {
        header.append(" layer ").append(l).append(" |");
        rule.append("---|");
      }
      md.add(header + " last-layer agreement with fp32 |");
      md.add(rule + "---|");
      System.out.printf(Locale.ROOT, "test split, %d images: accuracy by layer%n", n);
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Map.Entry<String, LayerPredictions> e : onTest.entrySet()) {
        double[] accuracy = LayerEvaluation.accuracy(e.getValue());
        double agreement = LayerEvaluation.agreement(e.getValue(), onTest.get("fp32"), depth - 1);
        Calibration own = PrecisionCalibration.calibrate(validation.get(e.getKey()), settings);
        ExitSimulation.Outcome exit = ExitSimulation.simulate(e.getValue(), own.recommendedThreshold());
        StringBuilder line = new StringBuilder("| " + e.getKey() + " |");
        for (double a : accuracy) {
          line.append(String.format(Locale.ROOT, " %.2f |", 100 * a));
        }
        md.add(line + String.format(Locale.ROOT, " %.2f %% |", 100 * agreement));
        System.out.printf(Locale.ROOT, "  %s: %s, last-layer agreement with fp32 %.4f; early exit at its own threshold "
            + "%.3f: accuracy %.4f (full depth %.4f), speed-up %.2fx by layers%n", e.getKey(), line, agreement,
            own.recommendedThreshold(), exit.accuracy(), accuracy[depth - 1], exit.speedUp());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("precision", e.getKey());
        row.put("layerAccuracy", accuracy);
        row.put("lastLayerAgreementWithFp32", agreement);
        row.put("validationLayerAccuracy", own.layerAccuracy());
        row.put("threshold", own.recommendedThreshold());
        row.put("earlyExitAccuracy", exit.accuracy());
        row.put("fullDepthAccuracy", accuracy[depth - 1]);
        row.put("speedUpByLayers", exit.speedUp());
        row.put("meanExitLayer", exit.meanExitLayer());
        rows.add(row);
      }
      md.add("");
      md.add("| precision | own threshold (validation) | early-exit accuracy | full-depth accuracy | drop (points) "
          + "| mean exit layer | speed-up by layers |");
      md.add("|---|---|---|---|---|---|---|");
      for (Map<String, Object> row : rows) {
        double early = (double) row.get("earlyExitAccuracy");
        double full = (double) row.get("fullDepthAccuracy");
        md.add(String.format(Locale.ROOT, "| %s | %.3f | %.2f | %.2f | %.2f | %.2f | %.2fx |", row.get("precision"),
            (double) row.get("threshold"), 100 * early, 100 * full, 100 * (full - early), (double) row.get("meanExitLayer"),
            (double) row.get("speedUpByLayers")));
      }
      md.add("");
      md.add("int8 recipes tried on the validation split (" + data.validationLabels().length + " images; accepted: every "
          + "layer within 0.5 point of fp32, last-layer agreement >= 99 %), in order:");
      md.add("");
      trialLines.forEach(l -> md.add("- " + l));
      if (json.containsKey("ablation")) {
        md.add("");
        md.add("Ablation, one group at a time away from all-int8:");
        md.add("");
        @SuppressWarnings("unchecked")
        List<String> ablationLines = (List<String>) json.get("ablation");
        ablationLines.forEach(l -> md.add("- " + l));
      }
      json.put("testImages", n);
      json.put("precisions", rows);
    }
    if (out != null) {
      Files.createDirectories(out);
      AtomicFiles.writeString(out.resolve("precisions.md"), String.join("\n", md) + "\n");
      AtomicFiles.writeString(out.resolve("precisions.json"),
          new com.google.gson.GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(json) + "\n");
      System.out.println("wrote " + out.resolve("precisions.md") + " and precisions.json");
    }
    return 0;
  }
}
