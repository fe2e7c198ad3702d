package org.elasticdepth.exporter.analysis;

import org.elasticdepth.exporter.calibrate.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Builds the analysis report of one run, or the comparison of several, from {@link LayerAnalysis} results. */
public final class AnalysisReport {

    /** One analysed run: a display name, its analysis and its calibration if it has one. */
    public record Entry(String name, LayerAnalysis.Result result, Optional<Calibration> calibration) {
        /** The same entry naming its run as {@code run} (see {@link AnalysisResult#run()}). */
        public Entry withRun(String run) {
            return new Entry(name, new LayerAnalysis.Result(result.numbers().withRun(run), result.cosToLastSamples()),
                    calibration);
        }
    }

    private AnalysisReport() {
    }

    public static HtmlReport build(String title, List<Entry> entries) throws IOException {
        return build(title, entries, null);
    }

    /**
     * The report, and when {@code bundle} is given (the manifest of a bundle exported from these runs'
     * model) a per-layer accuracy table per precision the bundle carries, from its calibrations. The
     * analysis itself stays on the float model.
     */
    public static HtmlReport build(String title, List<Entry> entries, BundleManifest bundle) throws IOException {
        HtmlReport report = new HtmlReport(title);
        header(report, entries);
        report.paragraph("Layer-wise analysis after \"On Layer-wise Representation Similarity: Application for "
                + "Multi-Exit Models with a Single Classifier\" (Jiang, Zhou, Zhu). Test split; COS is the mean "
                + "sample-wise cosine similarity of CLS features centred by their global mean; CKA is linear CKA. "
                + "Early-exit numbers use the max-softmax threshold named in each section (the run's calibrated one, "
                + "chosen on the validation split, when it has one).");
        Map<String, double[]> accuracy = new LinkedHashMap<>();
        Map<String, List<AnalysisResult.MinimalDepth>> minimalDepths = new LinkedHashMap<>();
        Map<String, List<FrontierPoint>> frontiers = new LinkedHashMap<>();
        for (Entry e : entries) {
            accuracy.put(e.name(), e.result().numbers().layerAccuracy());
            minimalDepths.put(e.name(), e.result().numbers().minimalDepth());
            frontiers.put(e.name(), e.result().numbers().testFrontier());
        }
        report.heading(2, "Layer-wise accuracy");
        report.table(accuracyTable(entries));
        if (bundle != null) {
            report.heading(2, "Layer-wise accuracy per precision (bundle)");
            report.paragraph("The exported bundle's graphs in each precision it carries (" + BundleManifest.labels(
                    bundle.precisions()) + "), measured by the exporter on TFLite: each precision's own calibration "
                    + "(its split named per row), and each layer's drop against the float graphs. The analysis "
                    + "above and below is the float model's.");
            report.table(PrecisionAccuracy.table(bundle));
        }
        report.heading(2, "Minimal depth");
        report.paragraph("The smallest depth whose exit accuracy is within half a point and within one point of full "
                + "depth: chosen on the validation split, reported on the test split. Aligned training makes accuracy "
                + "rise with depth, so the layers above it add little for this task; exported bundles carry it and "
                + "the runtime plans at most this depth when no budget is given (marked with diamonds in the plot).");
        report.table(minimalDepthTable(entries));
        report.row().image("layer_accuracy.png", "exit accuracy per layer; diamonds: minimal depth within 0.5 and 1 "
                        + "point", Charts.layerAccuracy(accuracy, minimalDepths))
                .image("frontier.png", "accuracy vs speed-up over exit thresholds (test split)",
                        Charts.frontier("Early exit: accuracy vs speed-up (test)", frontiers)).endRow();
        for (Entry e : entries) {
            section(report, e, entries.size() > 1 ? e.name() + "_" : "");
        }
        return report;
    }

    private static void section(HtmlReport report, Entry e, String prefix) throws IOException {
        AnalysisResult n = e.result().numbers();
        report.heading(2, e.name() + " (" + n.mode() + ", " + n.epochs() + " epochs, " + n.samples()
                + " test images)");
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("layer"));
        List<String> cos = new ArrayList<>(List.of("COS to last"));
        List<String> cka = new ArrayList<>(List.of("CKA to last"));
        List<String> median = new ArrayList<>(List.of("median per-sample COS"));
        List<String> exits = new ArrayList<>(List.of("exits at layer"));
        for (int l = 0; l < n.layerAccuracy().length; l++) {
            header.add(Integer.toString(l + 1));
            cos.add(f3(n.cosToLast()[l]));
            cka.add(f3(n.ckaToLast()[l]));
            median.add(f3(n.cosDistribution().get(l).median()));
            exits.add(Long.toString(n.exitCounts()[l]));
        }
        rows.add(header);
        rows.add(cos);
        rows.add(cka);
        rows.add(median);
        rows.add(exits);
        report.table(rows);
        report.paragraph(String.format(Locale.ROOT, "Early exit at max-softmax threshold %.3f (%s): accuracy %.4f "
                        + "(full depth %.4f), mean exit layer %.2f, speed-up %.2fx.", n.exitThreshold(),
                n.thresholdSource(), n.exitAccuracy(), n.layerAccuracy()[n.layerAccuracy().length - 1],
                n.meanExitLayer(), n.speedUp()));
        e.calibration().ifPresent(c -> report.paragraph(String.format(Locale.ROOT, "Calibration (validation, %d "
                        + "images): threshold %.3f keeps accuracy within %.1f points of full depth (%.4f -> %.4f) "
                        + "at %.2fx speed-up.", c.samples(), c.chosenThreshold(), c.targetDrop() * 100,
                c.fullDepthAccuracy(), c.chosen().accuracy(), c.chosen().speedUp())));
        report.row()
                .image(prefix + "cos_cka.png", e.name() + ": COS vs CKA to the last layer",
                        Charts.cosVersusCka(e.name(), n.cosToLast(), n.ckaToLast()))
                .image(prefix + "cos_box.png", e.name() + ": per-sample COS distribution",
                        Charts.cosBoxPlot(e.name(), e.result().cosToLastSamples()))
                .image(prefix + "exit_histogram.png", e.name() + ": exit histogram",
                        Charts.exitHistogram(e.name(), n.exitCounts(), n.exitThreshold(), n.speedUp()))
                .endRow();
        report.row()
                .image(prefix + "cos_heatmap.png", e.name() + ": COS between all layers",
                        Charts.heatmap(e.name() + ": COS", n.cosPairs()))
                .image(prefix + "cka_heatmap.png", e.name() + ": linear CKA between all layers",
                        Charts.heatmap(e.name() + ": linear CKA", n.ckaPairs()))
                .endRow();
    }

    /** The report's header: what was analysed (model, data, training), said once when the runs share it. */
    private static void header(HtmlReport report, List<Entry> entries) {
        report.fact("model", joined(entries, AnalysisResult::model));
        report.fact("data", joined(entries, AnalysisResult::data));
        // a run named by its mode (as analyze names them) does not repeat it
        report.fact("training", joined(entries, entries.size() > 1 && entries.stream()
                .allMatch(e -> e.name().equals(e.result().numbers().mode()))
                ? n -> n.epochs() + " epochs, seed " + n.seed()
                : n -> n.mode() + ", " + n.epochs() + " epochs, seed " + n.seed()));
        report.fact("evaluated on", joined(entries, n -> n.samples() + " " + n.split() + " images"));
        if (entries.size() > 1) {
            report.fact("runs", joined(entries, AnalysisResult::run));
        }
    }

    /** "value" when every run has the same, else "name: value; name: value". */
    private static String joined(List<Entry> entries, Function<AnalysisResult, String> field) {
        Set<String> distinct = new LinkedHashSet<>();
        entries.forEach(e -> distinct.add(field.apply(e.result().numbers())));
        if (distinct.size() == 1) {
            return distinct.iterator().next();
        }
        List<String> parts = new ArrayList<>();
        entries.forEach(e -> parts.add(e.name() + ": " + field.apply(e.result().numbers())));
        return String.join("; ", parts);
    }

    private static List<List<String>> minimalDepthTable(List<Entry> entries) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("model", "within", "minimal depth", "validation accuracy", "full depth (validation)",
                "test accuracy", "full depth (test)", "test cost (points)"));
        for (Entry e : entries) {
            AnalysisResult n = e.result().numbers();
            for (AnalysisResult.MinimalDepth d : n.minimalDepth()) {
                rows.add(List.of(e.name(), String.format(Locale.ROOT, "%s point", points(d.accuracyDrop())),
                        d.depth() + " of " + n.layerAccuracy().length, f3(d.validationAccuracy()),
                        f3(d.validationFullDepthAccuracy()), f3(d.testAccuracy()), f3(d.testFullDepthAccuracy()),
                        String.format(Locale.ROOT, "%.1f", (d.testFullDepthAccuracy() - d.testAccuracy()) * 100)));
            }
        }
        return rows;
    }

    static String points(double drop) {
        return new org.elasticdepth.runtime.bundle.BundleManifest.MinimalDepth(drop, 1).dropInPoints();
    }

    private static List<List<String>> accuracyTable(List<Entry> entries) {
        List<List<String>> rows = new ArrayList<>();
        int layers = entries.get(0).result().numbers().layerAccuracy().length;
        List<String> header = new ArrayList<>(List.of("model"));
        for (int l = 1; l <= layers; l++) {
            header.add("layer " + l);
        }
        header.add("exit speed-up");
        rows.add(header);
        for (Entry e : entries) {
            List<String> row = new ArrayList<>(List.of(e.name()));
            for (double a : e.result().numbers().layerAccuracy()) {
                row.add(f3(a));
            }
            while (row.size() < header.size() - 1) {
                row.add("");
            }
            row.add(String.format(Locale.ROOT, "%.2fx", e.result().numbers().speedUp()));
            rows.add(row);
        }
        return rows;
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
