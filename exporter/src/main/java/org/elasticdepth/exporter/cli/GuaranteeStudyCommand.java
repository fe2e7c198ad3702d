package org.elasticdepth.exporter.cli;

import org.elasticdepth.exporter.calibrate.Calibrator;
import org.elasticdepth.exporter.calibrate.GuaranteeCharts;
import org.elasticdepth.exporter.calibrate.GuaranteeStudy;
import org.elasticdepth.exporter.calibrate.LayerPredictions;
import org.elasticdepth.exporter.data.DataSplits;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.train.AtomicFiles;
import org.elasticdepth.exporter.train.Evaluation;
import org.elasticdepth.exporter.train.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code guarantee-study}: does the guaranteed calibration keep its promise on held-out data? */
@Command(name = "guarantee-study", mixinStandardHelpOptions = true,
        description = {"Empirical check of the guaranteed calibration: pools the run's validation and test images "
                + "(never its training images), splits them at random into a calibration and a test part many "
                + "times, calibrates on each calibration part (guaranteed and naive point estimates) and counts how "
                + "often the loss on the test part exceeded eps. The model's per-layer predictions are computed once "
                + "and cached (RUN_DIR/" + GuaranteeStudyCommand.CACHE + " or --cache). Writes a table (guarantee.md), the "
                + "numbers (guarantee.json) and one plot per setting into --out."})
public final class GuaranteeStudyCommand implements Callable<Integer> {
    static final String CACHE = "layer-predictions.bin";

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a run directory written by train")
    Path runDir;

    @Option(names = "--splits", defaultValue = "200", description = "random calibration/test splits (default: ${DEFAULT-VALUE})")
    int splits;

    @Option(names = "--calibration-size", defaultValue = "5000",
            description = "images in each calibration part, the rest is its test part (default: ${DEFAULT-VALUE}, "
                    + "the size of the validation split calibrate uses)")
    int calibrationSize;

    @Option(names = "--settings", split = ",", paramLabel = "EPS:DELTA", defaultValue = "0.01:0.05,0.02:0.10",
            description = "eps:delta pairs to study (default: ${DEFAULT-VALUE})")
    List<String> settings;

    @Option(names = "--thresholds", split = ",", paramLabel = "T",
            description = "increasing thresholds in (0, 1] (default: calibrate's)")
    double[] thresholds;

    @Option(names = "--seed", defaultValue = "2021", description = "seed of the splits (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, description = "directory for guarantee.md, guarantee.json and plots")
    Path out;

    @Option(names = "--cache", paramLabel = "FILE",
            description = "where the per-layer predictions are cached (default: RUN_DIR/" + CACHE + ")")
    Path cacheFile;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads, 0 = half the cores, at least one")
    int threads;

    @Override
    public Integer call() throws Exception {
        List<GuaranteeStudy.Setting> parsed = new ArrayList<>();
        for (String s : settings) {
            String[] parts = s.split(":");
            if (parts.length != 2) {
                throw new IllegalArgumentException("--settings wants EPS:DELTA pairs, got \"" + s + "\"");
            }
            try {
                parsed.add(new GuaranteeStudy.Setting(Double.parseDouble(parts[0]), Double.parseDouble(parts[1])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--settings: \"" + s + "\" is not EPS:DELTA", e);
            }
        }
        double[] grid = thresholds == null ? Calibrator.defaultThresholds() : thresholds;
        RunDirectory run = RunDirectory.open(runDir);
        LayerPredictions pool = predictions(run);
        long start = System.nanoTime();
        List<GuaranteeStudy.Summary> summaries = new GuaranteeStudy(pool, grid).run(splits, calibrationSize, parsed, seed);
        System.out.printf(Locale.ROOT, "%d splits of %d images (%d calibration, %d test) in %.1f s%n", splits,
                pool.size(), calibrationSize, pool.size() - calibrationSize, (System.nanoTime() - start) / 1e9);

        Files.createDirectories(out);
        String table = table(summaries, pool.size());
        System.out.print(table);
        AtomicFiles.writeString(out.resolve("guarantee.md"), table);
        AtomicFiles.writeJson(out.resolve("guarantee.json"), json(summaries, pool.size(), grid));
        for (GuaranteeStudy.Setting setting : parsed) {
            List<GuaranteeStudy.Summary> of = summaries.stream().filter(s -> s.setting().equals(setting)).toList();
            byte[] png = GuaranteeCharts.testLossBySplit(setting, of);
            Path file = out.resolve(String.format(Locale.ROOT, "guarantee_eps%s_delta%s.png",
                    strip(setting.eps()), strip(setting.delta())));
            AtomicFiles.write(file, o -> o.write(png));
        }
        System.out.println("-> " + out);
        return 0;
    }

    /** Validation then test predictions of every layer: computed once, then read from the cache. */
    private LayerPredictions predictions(RunDirectory run) throws Exception {
        Path cache = cacheFile != null ? cacheFile : run.path().resolve(CACHE);
        Path model = run.path().resolve("checkpoint").resolve("model.tensors");
        if (Files.isRegularFile(cache) && Files.isRegularFile(model)
                && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(model)) > 0) {
            try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(cache))) {
                LayerPredictions cached = LayerPredictions.read(in);
                System.out.println("per-layer predictions of " + cached.size() + " images from " + cache);
                return cached;
            } catch (IOException e) {
                System.out.println("recomputing the cache: " + e.getMessage());
            }
        }
        Engines.threads(threads);
        DataSplits data = run.loadData();
        LayerPredictions pool;
        try (ElasticVit vit = run.loadModel()) {
            Evaluation.SetOutputs validation = Evaluation.run(vit, data.validation(), run.normalization());
            Evaluation.SetOutputs test = Evaluation.run(vit, data.test(), run.normalization());
            pool = LayerPredictions.of(validation.probabilities(), validation.labels())
                    .concat(LayerPredictions.of(test.probabilities(), test.labels()));
        }
        LayerPredictions toWrite = pool;
        AtomicFiles.write(cache, o -> {
            java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(o);
            toWrite.write(buffered);
            buffered.flush();
        });
        System.out.println("per-layer predictions of " + pool.size() + " images (validation + test) cached in " + cache);
        return pool;
    }

    static String table(List<GuaranteeStudy.Summary> summaries, int poolSize) {
        StringBuilder b = new StringBuilder();
        b.append("| eps | delta | calibration | splits with test disagreement > eps | splits with test accuracy drop > eps "
                + "| mean test disagreement | mean test accuracy drop | mean speed-up | splits exiting early |\n");
        b.append("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (GuaranteeStudy.Summary s : summaries) {
            int n = s.trials().size();
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %d / %d = %.3f | %d / %d = %.3f | %.4f | %.4f | %.2fx | %.0f %% |%n",
                    strip(s.setting().eps()), strip(s.setting().delta()), GuaranteeCharts.label(s.method()),
                    s.disagreementViolations(), n, (double) s.disagreementViolations() / n,
                    s.accuracyDropViolations(), n, (double) s.accuracyDropViolations() / n,
                    s.mean(GuaranteeStudy.Trial::testDisagreement), s.mean(GuaranteeStudy.Trial::testAccuracyDrop),
                    s.mean(GuaranteeStudy.Trial::testSpeedUp), 100 * s.exitingShare()));
        }
        return b.toString();
    }

    private static Map<String, Object> json(List<GuaranteeStudy.Summary> summaries, int poolSize, double[] grid) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("images", poolSize);
        root.put("thresholds", grid);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (GuaranteeStudy.Summary s : summaries) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("eps", s.setting().eps());
            row.put("delta", s.setting().delta());
            row.put("method", s.method().name());
            row.put("splits", s.trials().size());
            row.put("disagreementViolations", s.disagreementViolations());
            row.put("accuracyDropViolations", s.accuracyDropViolations());
            row.put("chosenThresholds", s.trials().stream().mapToDouble(GuaranteeStudy.Trial::threshold)
                    .mapToObj(t -> Double.isNaN(t) ? null : t).toList());
            row.put("testDisagreement", s.trials().stream().mapToDouble(GuaranteeStudy.Trial::testDisagreement).toArray());
            row.put("testAccuracyDrop", s.trials().stream().mapToDouble(GuaranteeStudy.Trial::testAccuracyDrop).toArray());
            rows.add(row);
        }
        root.put("results", rows);
        return root;
    }

    private static String strip(double v) {
        return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }
}
