package org.elasticdepth.exporter.cli;

import org.elasticdepth.exporter.calibrate.Calibration;
import org.elasticdepth.exporter.calibrate.Calibrator;
import org.elasticdepth.exporter.calibrate.MinimalDepths;
import org.elasticdepth.runtime.bundle.BundleManifest.MinimalDepth;
import org.elasticdepth.exporter.calibrate.ClopperPearson;
import org.elasticdepth.exporter.calibrate.LayerPredictions;
import org.elasticdepth.runtime.bundle.BundleManifest.Guarantee;
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
                + "accuracy, mean exit layer, speed-up, exit histogram and the Clopper-Pearson bound on the "
                + "disagreement with full depth for each, and chooses the fastest threshold within the target "
                + "accuracy drop (point estimate) or, with --max-drop, the loosest threshold whose accuracy drop is "
                + "guaranteed (fixed-sequence testing, Learn-then-Test). Writes RUN_DIR/" + RunDirectory.CALIBRATION
                + " (used by export)."})
public final class CalibrateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a run directory written by train")
    Path runDir;

    @Option(names = "--target-drop", defaultValue = "0.01",
            description = "accepted accuracy drop vs full depth, absolute (0.01 = 1 point) (default: ${DEFAULT-VALUE})")
    double targetDrop;

    @Option(names = "--max-drop", paramLabel = "EPS",
            description = "choose the guaranteed threshold: with probability >= --confidence over the validation "
                    + "sample, the early exit disagrees with the full-depth prediction (and so loses accuracy) on at "
                    + "most this fraction of new images, in (0, 1)")
    Double maxDrop;

    @Option(names = "--confidence", paramLabel = "1-DELTA", defaultValue = "0.95",
            description = "confidence of the loss bounds and of --max-drop's guarantee, in (0, 1) "
                    + "(default: ${DEFAULT-VALUE})")
    double confidence;

    @Option(names = "--thresholds", split = ",", paramLabel = "T",
            description = "comma list of increasing thresholds in (0, 1] (default: 0.30..0.75 by 0.05, 0.76..0.99 "
                    + "by 0.01, 0.995, 0.999)")
    double[] thresholds;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads, 0 = half the cores, at least one")
    int threads;

    @Override
    public Integer call() throws Exception {
        // checked before the model runs: a bad eps or confidence fails in a second, not after evaluation
        Calibrator.GuaranteeRequest guarantee = new Calibrator.GuaranteeRequest(
                maxDrop != null ? maxDrop : Math.max(targetDrop, 1e-6), confidence, maxDrop != null);
        Engines.threads(threads);
        RunDirectory run = RunDirectory.open(runDir);
        DataSplits data = run.loadData();
        if (guarantee.required()) {
            int needed = ClopperPearson.minimumSamples(guarantee.maxLoss(), guarantee.delta());
            if (data.validation().size() < needed) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "--max-drop %s at --confidence %s needs "
                        + "at least %d validation images (n >= ln(delta) / ln(1 - eps)); this run has %d",
                        maxDrop, confidence, needed, data.validation().size()));
            }
        }
        Evaluation.SetOutputs outputs;
        try (ElasticVit model = run.loadModel()) {
            outputs = Evaluation.run(model, data.validation(), run.normalization());
        }
        Calibration calibration = Calibrator.calibrate(LayerPredictions.of(outputs.probabilities(), outputs.labels()),
                targetDrop, thresholds == null ? Calibrator.defaultThresholds() : thresholds, guarantee);
        AtomicFiles.writeString(run.calibrationFile(), calibration.toJson() + "\n");

        System.out.printf(Locale.ROOT, "validation: %d images; accuracy by layer %s%n", calibration.samples(),
                Arrays.toString(Arrays.stream(calibration.layerAccuracy()).map(a -> Math.round(a * 1e4) / 1e4)
                        .toArray()));
        System.out.printf(Locale.ROOT, "threshold  accuracy  mean exit  speed-up  disagree  bound@%.3f%n", confidence);
        for (FrontierPoint p : calibration.frontier()) {
            System.out.printf(Locale.ROOT, "%9.3f  %8.4f  %9.2f  %7.2fx  %8d  %10.4f%n", p.threshold(), p.accuracy(),
                    p.meanExitLayer(), p.speedUp(), p.lossBound().losses(), p.lossBound().upperBound());
        }
        FrontierPoint c = calibration.chosen();
        Guarantee g = calibration.guarantee();
        String certified = g.threshold() == null
                ? "no threshold is certified (only full depth)"
                : String.format(Locale.ROOT, "threshold %.3f is certified", g.threshold());
        if (guarantee.required()) {
            System.out.printf(Locale.ROOT, "guaranteed (fixed-sequence testing, Clopper-Pearson): with confidence %.3f "
                            + "the disagreement with full depth, hence the accuracy drop, stays <= %.4f: %s; chosen "
                            + "threshold %.3f: validation accuracy %.4f (full depth %.4f), mean exit layer %.2f, "
                            + "speed-up %.2fx -> %s%n", confidence, maxDrop, certified, c.threshold(), c.accuracy(),
                    calibration.fullDepthAccuracy(), c.meanExitLayer(), c.speedUp(), run.calibrationFile());
        } else {
            System.out.printf(Locale.ROOT, "chosen threshold %.3f (point estimate): accuracy %.4f (full depth %.4f, "
                            + "target drop %.4f), mean exit layer %.2f, speed-up %.2fx -> %s%n", c.threshold(),
                    c.accuracy(), calibration.fullDepthAccuracy(), targetDrop, c.meanExitLayer(), c.speedUp(),
                    run.calibrationFile());
            System.out.printf(Locale.ROOT, "for a guaranteed drop <= %.4f at confidence %.3f: %s (use --max-drop)%n",
                    g.maxLoss(), confidence, certified);
        }
        for (MinimalDepth d : MinimalDepths.of(calibration.layerAccuracy())) {
            System.out.printf(Locale.ROOT, "minimal depth within %s point of full depth: %d of %d (accuracy %.4f)%n",
                    d.dropInPoints(), d.depth(), calibration.layerAccuracy().length,
                    calibration.layerAccuracy()[d.depth() - 1]);
        }
        return 0;
    }
}
