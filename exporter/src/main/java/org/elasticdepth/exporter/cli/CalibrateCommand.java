package org.elasticdepth.exporter.cli;

import org.elasticdepth.exporter.calibrate.Calibration;
import org.elasticdepth.exporter.calibrate.Calibrator;
import org.elasticdepth.exporter.calibrate.MinimalDepths;
import org.elasticdepth.runtime.bundle.BundleManifest.MinimalDepth;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.exporter.data.DataSplits;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.train.AtomicFiles;
import org.elasticdepth.exporter.train.Evaluation;
import org.elasticdepth.exporter.train.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code calibrate}: chooses the early-exit threshold on the validation split. */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"Sweeps max-softmax exit thresholds on the validation split (never the test split), records "
                + "accuracy, mean exit layer and speed-up for each, and chooses the fastest threshold within the "
                + "target accuracy drop. Writes RUN_DIR/" + RunDirectory.CALIBRATION + " (used by export)."})
public final class CalibrateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a run directory written by train")
    Path runDir;

    @Option(names = "--target-drop", defaultValue = "0.01",
            description = "accepted accuracy drop vs full depth, absolute (0.01 = 1 point) (default: ${DEFAULT-VALUE})")
    double targetDrop;

    @Option(names = "--thresholds", split = ",", paramLabel = "T",
            description = "comma list of increasing thresholds in (0, 1] (default: 0.30..0.95 by 0.05, 0.97, 0.98, "
                    + "0.99, 0.995, 0.999)")
    double[] thresholds;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads, 0 = half the cores, at least one")
    int threads;

    @Override
    public Integer call() throws Exception {
        Engines.threads(threads);
        RunDirectory run = RunDirectory.open(runDir);
        DataSplits data = run.loadData();
        Evaluation.SetOutputs outputs;
        try (ElasticVit model = run.loadModel()) {
            outputs = Evaluation.run(model, data.validation(), run.normalization());
        }
        Calibration calibration = Calibrator.calibrate(outputs.probabilities(), outputs.labels(), targetDrop,
                thresholds == null ? Calibrator.defaultThresholds() : thresholds);
        AtomicFiles.writeString(run.calibrationFile(), calibration.toJson() + "\n");

        System.out.printf(Locale.ROOT, "validation: %d images; accuracy by layer %s%n", calibration.samples(),
                Arrays.toString(Arrays.stream(calibration.layerAccuracy()).map(a -> Math.round(a * 1e4) / 1e4)
                        .toArray()));
        System.out.println("threshold  accuracy  mean exit  speed-up");
        for (FrontierPoint p : calibration.frontier()) {
            System.out.printf(Locale.ROOT, "%9.3f  %8.4f  %9.2f  %7.2fx%n", p.threshold(), p.accuracy(),
                    p.meanExitLayer(), p.speedUp());
        }
        FrontierPoint c = calibration.chosen();
        System.out.printf(Locale.ROOT, "chosen threshold %.3f: accuracy %.4f (full depth %.4f, target drop %.4f), "
                        + "mean exit layer %.2f, speed-up %.2fx -> %s%n", c.threshold(), c.accuracy(),
                calibration.fullDepthAccuracy(), targetDrop, c.meanExitLayer(), c.speedUp(), run.calibrationFile());
        for (MinimalDepth d : MinimalDepths.of(calibration.layerAccuracy())) {
            System.out.printf(Locale.ROOT, "minimal depth within %s point of full depth: %d of %d (accuracy %.4f)%n",
                    d.dropInPoints(), d.depth(), calibration.layerAccuracy().length,
                    calibration.layerAccuracy()[d.depth() - 1]);
        }
        return 0;
    }
}
