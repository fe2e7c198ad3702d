package org.elasticdepth.exporter.cli;

import org.elasticdepth.exporter.analysis.AnalysisReport;
import org.elasticdepth.exporter.analysis.AnalysisResult;
import org.elasticdepth.exporter.analysis.LayerAnalysis;
import org.elasticdepth.exporter.calibrate.Calibration;
import org.elasticdepth.exporter.data.ImageSet;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.train.AtomicFiles;
import org.elasticdepth.exporter.train.Evaluation;
import org.elasticdepth.exporter.train.RunDirectory;
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

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads, 0 = half the cores, at least one")
    int threads;

    @Override
    public Integer call() throws Exception {
        Engines.threads(threads);
        List<AnalysisReport.Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Path dir : runDirs) {
            RunDirectory run = RunDirectory.open(dir);
            Optional<Calibration> calibration = run.calibration();
            ImageSet test = run.loadData().test();
            if (limit != null) {
                test = test.head(limit);
            }
            Evaluation.SetOutputs outputs;
            try (ElasticVit model = run.loadModel()) {
                outputs = Evaluation.run(model, test, run.normalization());
            }
            double t = threshold != null ? threshold : calibration.map(Calibration::chosenThreshold).orElse(0.9);
            String source = threshold != null ? "option" : calibration.isPresent() ? "calibration" : "default";
            LayerAnalysis.Result result = LayerAnalysis.analyze(dir.toString(), run.mode().cliName(),
                    run.epochsCompleted(), outputs, t, source);
            String name = names.add(run.mode().cliName()) ? run.mode().cliName() : dir.getFileName().toString();
            names.add(name);
            AnalysisReport.Entry entry = new AnalysisReport.Entry(name, result, calibration);
            entries.add(entry);
            AtomicFiles.writeJson(run.analysisFile(), result.numbers());
            Path html = AnalysisReport.build("Layer-wise analysis: " + name, List.of(entry))
                    .write(run.reportDirectory());
            print(name, result.numbers());
            System.out.println("  -> " + run.analysisFile() + ", " + html);
        }
        if (entries.size() > 1 || out != null) {
            Path dir = out != null ? out : runDirs.get(0).toAbsolutePath().getParent().resolve("comparison");
            Map<String, AnalysisResult> all = new LinkedHashMap<>();
            entries.forEach(e -> all.put(e.name(), e.result().numbers()));
            Path html = AnalysisReport.build("Layer-wise comparison: " + String.join(" vs ", all.keySet()), entries)
                    .write(dir);
            AtomicFiles.writeJson(dir.resolve("analysis.json"), all);
            System.out.println("comparison -> " + html + ", " + dir.resolve("analysis.json"));
        }
        return 0;
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
    }
}
