package org.elasticdepth.exporter.cli;

import org.elasticdepth.exporter.analysis.AnalysisReport;
import org.elasticdepth.exporter.analysis.AnalysisResult;
import org.elasticdepth.exporter.analysis.LayerAnalysis;
import org.elasticdepth.exporter.calibrate.Calibration;
import org.elasticdepth.exporter.data.DataSplits;
import org.elasticdepth.exporter.data.ImageSet;
import org.elasticdepth.exporter.io.PortablePaths;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.exporter.train.AtomicFiles;
import org.elasticdepth.exporter.train.Evaluation;
import org.elasticdepth.exporter.train.RunDirectory;
import org.elasticdepth.exporter.export.BundleExporter;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.Quote;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code analyze}: the paper's layer-wise analysis of one run, or a comparison of several. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Layer-wise analysis on the test split: exit accuracy per layer, COS and linear CKA of every "
                + "layer vs the last and for all pairs, the COS distribution, the exit histogram and speed-up.",
            "Writes RUN_DIR/" + RunDirectory.ANALYSIS + " and RUN_DIR/report/index.html for each run; with several "
                    + "runs (or --out) also a comparison report (index.html, plots, analysis.json) in --out."})
public final class AnalyzeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "run directories written by train")
    List<Path> runDirs;

    @Option(names = "--out", paramLabel = "DIR", description = "comparison report directory (default with several "
            + "runs: comparison/ next to the first run)")
    Path out;

    @Option(names = "--threshold", paramLabel = "T", description = "exit threshold for the histogram (default: the "
            + "run's calibrated threshold, else 0.9)")
    Double threshold;

    @Option(names = "--limit", paramLabel = "N", description = "analyse only the first N test images")
    Integer limit;

    @Option(names = "--bundle", paramLabel = "BUNDLE_DIR", description = "a bundle exported from the run (directory or "
            + ".zip; one RUN_DIR only): the report adds a per-layer accuracy table for every precision it carries, "
            + "from its calibrations")
    Path bundle;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads, 0 = half the cores, at least one")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (bundle != null && runDirs.size() != 1) {
            throw new IllegalArgumentException("--bundle goes with one RUN_DIR (the run it was exported from), got "
                    + runDirs.size());
        }
        Engines.threads(threads);
        List<AnalysisReport.Entry> entries = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        BundleManifest manifest = null; // --bundle's, for the one run
        for (Path dir : runDirs) {
            RunDirectory run = RunDirectory.open(dir);
            Optional<Calibration> calibration = run.calibration();
            DataSplits data = run.loadData();
            ImageSet test = data.test();
            if (limit != null) {
                test = test.head(limit);
            }
            Evaluation.SetOutputs outputs;
            double[] validationAccuracy;
            try (ElasticVit model = run.loadModel()) {
                outputs = Evaluation.run(model, test, run.normalization());
                // the minimal depth is chosen on validation: the calibration's numbers, else measured here
                validationAccuracy = calibration.isPresent() ? calibration.get().layerAccuracy()
                        : Evaluation.run(model, data.validation(), run.normalization()).layerAccuracy();
            }
            double t = threshold != null ? threshold : calibration.map(Calibration::chosenThreshold).orElse(0.9);
            String source = threshold != null ? "option" : calibration.isPresent() ? "calibration" : "default";
            LayerAnalysis.Run what = new LayerAnalysis.Run(".", run.mode().cliName(), run.seed(),
                    run.epochsCompleted(), describe(run.modelConfig()), run.config().data().describe());
            LayerAnalysis.Result result = LayerAnalysis.analyze(what, outputs, t, source, validationAccuracy);
            String name = names.add(run.mode().cliName()) ? run.mode().cliName() : dir.getFileName().toString();
            names.add(name);
            AnalysisReport.Entry entry = new AnalysisReport.Entry(name, result, calibration);
            entries.add(entry);
            dirs.add(dir);
            AtomicFiles.writeJson(run.analysisFile(), result.numbers());
            if (bundle != null) {
                manifest = bundleManifest(bundle, run);
            }
            Path html = AnalysisReport.build("Layer-wise analysis: " + name, List.of(entry), manifest)
                    .write(run.reportDirectory());
            print(name, result.numbers());
            System.out.println("  -> " + run.analysisFile() + ", " + html);
        }
        if (entries.size() > 1 || out != null) {
            Path dir = out != null ? out : runDirs.get(0).toAbsolutePath().getParent().resolve("comparison");
            List<AnalysisReport.Entry> compared = new ArrayList<>();
            Map<String, AnalysisResult> all = new LinkedHashMap<>();
            for (int i = 0; i < entries.size(); i++) {
                AnalysisReport.Entry e = entries.get(i);
                AnalysisReport.Entry named = e.withRun(PortablePaths.relative(dirs.get(i), dir));
                compared.add(named);
                all.put(named.name(), named.result().numbers());
            }
            Path html = AnalysisReport.build("Layer-wise comparison: " + String.join(" vs ", all.keySet()), compared,
                    manifest).write(dir);
            AtomicFiles.writeJson(dir.resolve("analysis.json"), all);
            System.out.println("comparison -> " + html + ", " + dir.resolve("analysis.json"));
        }
        return 0;
    }

    /** The manifest of {@code path}, checked (hashes included) and required to describe {@code run}'s model. */
    static BundleManifest bundleManifest(Path path, RunDirectory run) {
        try (Bundle b = path.toString().endsWith(".zip") ? Bundle.fromZip(path.toFile()) : Bundle.fromDirectory(path.toFile())) {
            b.verifyAll();
            BundleManifest.Model expected = BundleExporter.model(run.modelConfig());
            if (!expected.equals(b.manifest().model())) {
                throw new IllegalArgumentException("--bundle " + path + " holds the model " + Quote.clip(
                        b.manifest().model().toString(), 300) + ", not the run's " + expected);
            }
            return b.manifest();
        }
    }

    /** The model's shape in one line, for the report's header and analysis.json. */
    static String describe(VitConfig c) {
        return String.format(Locale.ROOT, "ViT %dx%dx%d, patch %d (%d tokens), dim %d, %d blocks, %d heads, MLP %d, "
                        + "%d classes", c.imageSize(), c.imageSize(), c.channels(), c.patchSize(),
                c.gridSize() * c.gridSize() + 1, c.dim(), c.depth(), c.heads(), c.mlpDim(), c.numClasses());
    }

    private static void print(String name, AnalysisResult n) {
        System.out.printf(Locale.ROOT, "%s (%d test images)%n  layer  accuracy  COS->L  CKA->L  exits%n", name,
                n.samples());
        for (int l = 0; l < n.layerAccuracy().length; l++) {
            System.out.printf(Locale.ROOT, "  %5d  %8.4f  %6.3f  %6.3f  %5d%n", l + 1, n.layerAccuracy()[l],
                    n.cosToLast()[l], n.ckaToLast()[l], n.exitCounts()[l]);
        }
        System.out.printf(Locale.ROOT, "  threshold %.3f (%s): accuracy %.4f, mean exit %.2f, speed-up %.2fx%n",
                n.exitThreshold(), n.thresholdSource(), n.exitAccuracy(), n.meanExitLayer(), n.speedUp());
        for (AnalysisResult.MinimalDepth d : n.minimalDepth()) {
            System.out.printf(Locale.ROOT, "  minimal depth within %s point (validation): %d of %d; test accuracy "
                            + "%.4f vs %.4f at full depth%n", new BundleManifest.MinimalDepth(d.accuracyDrop(),
                            d.depth()).dropInPoints(), d.depth(), n.layerAccuracy().length, d.testAccuracy(),
                    d.testFullDepthAccuracy());
        }
    }
}
