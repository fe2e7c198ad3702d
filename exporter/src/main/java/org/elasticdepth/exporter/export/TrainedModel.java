package org.elasticdepth.exporter.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.elasticdepth.exporter.calibrate.MinimalDepths;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.HeadLayout;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.exporter.train.RunDirectory;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;

/**
 * A training run as the exporter sees it: the model's shape, its weights and the manifest's
 * description (input preprocessing, labels, calibration, provenance), read from {@code RUN_DIR}.
 */
public record TrainedModel(Model model, VitWeights weights, BundleExporter.Description description) {

  /**
   * Reads the run's config, latest checkpoint and calibration (optional).
   *
   * @throws ExportException if the run cannot be read, its checkpoint does not match its config,
   *     or it has one head per layer (a bundle has one shared head)
   */
  public static TrainedModel load(Path runDir) {
    RunDirectory run;
    try {
      run = RunDirectory.open(runDir);
    } catch (IOException e) {
      throw new ExportException("cannot read run " + runDir + ": " + e.getMessage(), e);
    }
    if (run.mode().headLayout() != HeadLayout.SHARED) {
      throw new ExportException("run " + runDir + " was trained in " + run.mode().cliName()
          + " mode with one head per layer; a bundle holds one shared head, so export a standard, aligned or cosreg run");
    }
    VitConfig c = run.modelConfig();
    Model model = BundleExporter.model(c);
    VitWeights weights;
    try (ElasticVit vit = run.loadModel()) {
      weights = VitWeights.of(vit.namedWeights(), vit.weightShapes());
    } catch (IOException e) {
      throw new ExportException("cannot load the checkpoint of " + runDir + ": " + e.getMessage(), e);
    }
    weights.requireMatches(model);
    Input input = new Input("NHWC", c.imageSize(), c.imageSize(), c.channels(), 1f / 255f,
        run.normalization().mean(), run.normalization().std(), "center-crop");
    Calibration calibration;
    try {
      calibration = run.calibration().map(TrainedModel::calibration).orElse(null);
    } catch (IOException e) {
      throw new ExportException("cannot read the calibration of " + runDir + ": " + e.getMessage(), e);
    }
    BundleExporter.Description description = new BundleExporter.Description(input, run.labels(), calibration,
        run.mode().cliName(), run.epochsCompleted(), run.seed(), run.config().data().describe());
    return new TrainedModel(model, weights, description);
  }

  /** The manifest's form of a calibration the exporter computed. */
  public static Calibration calibration(org.elasticdepth.exporter.calibrate.Calibration c) {
    return new Calibration(c.split(), Arrays.stream(c.layerAccuracy()).boxed().toList(), c.frontier(), c.targetDrop(),
        c.chosenThreshold(), MinimalDepths.of(c.layerAccuracy()), c.guarantee());
  }
}
