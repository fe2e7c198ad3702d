package org.elasticdepth.exporter.benchreport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.elasticdepth.exporter.benchreport.LoadedResults.Entry;
import org.elasticdepth.exporter.benchreport.LoadedResults.Skipped;
import org.elasticdepth.exporter.benchreport.ReportCharts.Chart;
import org.elasticdepth.exporter.benchreport.Table.Html;
import org.elasticdepth.exporter.io.PortablePaths;
import org.elasticdepth.exporter.train.AtomicFiles;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.AutomaticPrecision;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.DepthResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.EarlyExit;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.FullComparison;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.GraphTarget;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Sustained;
import org.elasticdepth.runtime.benchmark.PrecisionComparison;

/**
 * The cross-device comparison: reads result files (skipping unreadable ones with their reason) and
 * writes {@code report.md} (Markdown tables) and {@code index.html} (the same tables and the PNG
 * plots) into one directory. Every file is written through a temporary name and renamed.
 */
public final class BenchReport {
  public static final String MARKDOWN = "report.md";
  public static final String HTML = "index.html";

  private BenchReport() {}

  /** What was written. */
  public record Written(List<Path> files, LoadedResults loaded) {}

  public static Written write(List<Path> inputs, Path outDir) throws IOException {
    LoadedResults loaded = LoadedResults.load(inputs);
    Files.createDirectories(outDir);
    List<Path> written = new ArrayList<>();
    List<Chart> charts = ReportCharts.draw(loaded.results());
    for (Chart c : charts) {
      Path png = outDir.resolve(c.fileName());
      AtomicFiles.write(png, out -> out.write(c.png()));
      written.add(png);
    }
    List<Section> sections = sections(loaded);
    Path md = outDir.resolve(MARKDOWN);
    AtomicFiles.writeString(md, markdown(sections, loaded, outDir));
    written.add(md);
    Path html = outDir.resolve(HTML);
    AtomicFiles.writeString(html, html(sections, loaded, charts, outDir));
    written.add(html);
    return new Written(written, loaded);
  }

  private record Section(String title, String note, Table table) {}

  private static List<Section> sections(LoadedResults loaded) {
    List<Section> sections = new ArrayList<>();
    sections.add(new Section("Devices", null, devices(loaded)));
    sections.add(new Section("Latency vs depth (mean ms per image, chained graphs)",
        "init = loading every graph of the chain at full depth, delegates included; chained vs full = overhead of the chained blocks over full.tflite at full depth, from the medians (the mean in brackets)",
        latency(loaded)));
    sections.add(new Section("Early exit", "at the threshold in use (each precision's own calibrated one), against the same samples at full depth", earlyExit(loaded)));
    if (loaded.results().stream().anyMatch(e -> e.result().multiPrecision())) {
      sections.add(new Section("Precisions side by side",
          "per device and executor, each precision of the bundle; ratios against fp32 on the same executor in the same run; "
              + "resident bytes per added block by the executor's accounting; chosen = what the runtime runs by itself there",
          precisions(loaded)));
      sections.add(new Section("The runtime's precision choice", "ElasticClassifier.preview with default options, per device and executor",
          precisionChoices(loaded)));
    }
    Table sustained = sustained(loaded);
    if (!sustained.isEmpty()) {
      sections.add(new Section("Sustained runs", null, sustained));
    }
    return sections;
  }

  private static Table devices(LoadedResults loaded) {
    Table t = new Table(List.of("device", "SoC / CPU", "OS", "API", "RAM (GiB)", "cores", "ABI", "bundle", "generator", "file"));
    for (Entry e : loaded.results()) {
      BenchmarkResult r = e.result();
      t.row(List.of(e.label(), r.device().soc(), r.device().os(), r.device().apiLevel() == 0 ? "-" : "" + r.device().apiLevel(),
          String.format(Locale.ROOT, "%.1f", r.device().ramBytes() / (double) (1L << 30)), "" + r.device().cores(),
          r.device().abi(), r.bundle().bundleId() + " (L=" + r.bundle().depth() + ", " + String.join(", ", r.bundle().precisions()) + ")",
          r.generator(), e.file().getFileName().toString()));
    }
    return t;
  }

  private static Table latency(LoadedResults loaded) {
    TreeSet<Integer> depths = new TreeSet<>();
    loaded.results().forEach(e -> e.result().executors().forEach(x -> x.depths().forEach(d -> depths.add(d.depth()))));
    List<String> headers = new ArrayList<>(List.of("device", "executor"));
    depths.forEach(d -> headers.add("d=" + d));
    headers.addAll(List.of("init at full depth (ms)", "chained vs full", "resident/graph bytes",
        "process RSS per added block / block file", "ran on / fallbacks"));
    Table t = new Table(headers);
    for (Entry e : loaded.results()) {
      for (ExecutorResult x : e.result().executors()) {
        List<String> row = new ArrayList<>(List.of(e.label(), e.result().label(x)));
        if (x.status() == Status.FAILED) {
          depths.forEach(d -> row.add("-"));
          row.addAll(List.of("-", "-", "-", "-", "failed: " + x.error()));
          t.row(row);
          continue;
        }
        DepthResult deepest = null;
        double worstRatio = 0;
        for (int d : depths) {
          DepthResult r = find(x, d);
          if (r == null) {
            row.add("-");
          } else if (r.status() != Status.OK) {
            row.add("failed");
          } else {
            row.add(String.format(Locale.ROOT, "%.3f", r.latency().meanMs()));
            deepest = r;
            worstRatio = Math.max(worstRatio, (double) r.residentBytes() / r.graphBytes());
          }
        }
        row.add(deepest == null ? "-" : String.format(Locale.ROOT, "%.1f (d=%d)", deepest.initMs(), deepest.depth()));
        FullComparison f = x.full();
        row.add(f.status() == Status.OK
            ? String.format(Locale.ROOT, "%+.1f %% (mean %+.1f %%)", f.medianOverheadPercent(), f.overheadPercent())
            : f.status().json());
        row.add(deepest == null ? "-" : String.format(Locale.ROOT, "%.3f", worstRatio));
        // only the first executor of a run measures fresh memory (BenchmarkResult.blockGrowth)
        row.add(x != e.result().executors().get(0) ? "-" : e.result().blockGrowth().map(g -> String.format(Locale.ROOT,
            "%,.0f B (%.2fx)", g.processBytes(), g.processBytes() / g.graphBytes())).orElse("-"));
        row.add(placement(x));
        t.row(row);
      }
    }
    return t;
  }

  private static Table earlyExit(LoadedResults loaded) {
    Table t = new Table(List.of("device", "executor", "threshold", "samples", "accuracy", "full-depth accuracy",
        "mean exit layer", "speed-up (layers)", "speed-up (wall clock)", "exit histogram"));
    for (Entry e : loaded.results()) {
      for (ExecutorResult x : e.result().executors()) {
        EarlyExit ee = x.earlyExit();
        if (ee.status() != Status.OK) {
          t.row(List.of(e.label(), e.result().label(x), ee.status().json() + ": " + ee.message(), "-", "-", "-", "-", "-", "-", "-"));
          continue;
        }
        t.row(List.of(e.label(), e.result().label(x), String.format(Locale.ROOT, "%.4f", ee.threshold()), "" + ee.samples(),
            String.format(Locale.ROOT, "%.4f", ee.accuracy()), String.format(Locale.ROOT, "%.4f", ee.fullDepthAccuracy()),
            String.format(Locale.ROOT, "%.2f", ee.meanExitLayer()), String.format(Locale.ROOT, "%.2fx", ee.speedUpByLayers()),
            String.format(Locale.ROOT, "%.2fx", ee.speedUpByWallClock()), ee.exitHistogram().toString()));
      }
    }
    return t;
  }

  private static Table precisions(LoadedResults loaded) {
    Table t = new Table(List.of("device", "executor", "precision", "depth", "median ms", "vs fp32", "ms per block", "vs fp32",
        "resident bytes per block", "vs fp32", "full-depth accuracy", "early exit: threshold", "accuracy", "speed-up (layers)", "runtime's choice"));
    for (Entry e : loaded.results()) {
      for (PrecisionComparison.Row r : PrecisionComparison.rows(e.result())) {
        String chosen = r.automatic() ? "chosen" : "";
        if (r.status() != Status.OK) {
          t.row(List.of(e.label(), r.executor(), r.precision(), "failed: " + r.error(), "-", "-", "-", "-", "-", "-", "-", "-",
              "-", "-", chosen));
          continue;
        }
        t.row(List.of(e.label(), r.executor(), r.precision(), r.depth() == null ? "-" : "" + r.depth(),
            format("%.3f", r.medianMs()), format("%.2fx", r.latencyVsFp32()), format("%.4f", r.blockMs()),
            format("%.2fx", r.blockVsFp32()), format("%,.0f", r.residentBytesPerBlock()),
            format("%.2fx", r.residentVsFp32()), format("%.4f", r.fullDepthAccuracy()), format("%.4f", r.threshold()),
            format("%.4f", r.earlyExitAccuracy()), format("%.2fx", r.speedUpByLayers()), chosen));
      }
    }
    return t;
  }

  private static Table precisionChoices(LoadedResults loaded) {
    Table t = new Table(List.of("device", "executor", "precision", "accelerator", "accuracy drop (points)", "reason"));
    for (Entry e : loaded.results()) {
      for (AutomaticPrecision c : e.result().precisionChoices()) {
        t.row(List.of(e.label(), c.executor(), c.precision() == null ? "-" : c.precision(),
            c.accelerator() == null ? "-" : c.accelerator(),
            c.accuracyDrop() == null ? "-" : String.format(Locale.ROOT, "%.2f", 100 * c.accuracyDrop()), c.reason()));
      }
    }
    return t;
  }

  private static String format(String pattern, Double value) {
    return value == null ? "-" : String.format(Locale.ROOT, pattern, value);
  }

  private static Table sustained(LoadedResults loaded) {
    Table t = new Table(List.of("device", "executor", "depth", "seconds", "first interval (ms)", "last interval (ms)",
        "change", "thermal at end"));
    for (Entry e : loaded.results()) {
      for (ExecutorResult x : e.result().executors()) {
        Sustained s = x.sustained();
        if (s.status() != Status.OK || s.points().isEmpty()) {
          continue;
        }
        double first = s.points().get(0).meanMs();
        double last = s.points().get(s.points().size() - 1).meanMs();
        String thermal = s.points().get(s.points().size() - 1).thermalStatus();
        t.row(List.of(e.label(), e.result().label(x), "" + s.depth(), String.format(Locale.ROOT, "%.0f", s.durationSeconds()),
            String.format(Locale.ROOT, "%.3f", first), String.format(Locale.ROOT, "%.3f", last),
            String.format(Locale.ROOT, "%+.1f %%", 100 * (last / first - 1)), thermal == null ? "-" : thermal));
      }
    }
    return t;
  }

  private static DepthResult find(ExecutorResult x, int depth) {
    for (DepthResult d : x.depths()) {
      if (d.depth() == depth) {
        return d;
      }
    }
    return null;
  }

  /** Accelerators used and every fallback, as MLPerf-style disclosure of what ran where. */
  private static String placement(ExecutorResult x) {
    TreeSet<String> used = new TreeSet<>();
    TreeSet<String> fallbacks = new TreeSet<>();
    for (DepthResult d : x.depths()) {
      for (GraphTarget t : d.targets()) {
        used.add(t.accelerator());
        if (t.fallbackReason() != null) {
          fallbacks.add(t.graph() + " " + t.requested() + "->" + t.accelerator());
        }
      }
    }
    return String.join("+", used) + (fallbacks.isEmpty() ? "" : "; fallbacks: " + String.join(", ", fallbacks));
  }

  /** A skipped file named relative to the report, so the report reads the same on every machine. */
  private static String name(Skipped k, Path outDir) {
    return PortablePaths.relative(k.file(), outDir);
  }

  /** The reason without the file's path as given (often absolute); the file is named beside it. */
  private static String detail(Skipped k, Path outDir) {
    String name = name(k, outDir);
    return k.detail().replace(k.file().toAbsolutePath().normalize().toString(), name)
        .replace(k.file().toAbsolutePath().toString(), name).replace(k.file().toString(), name);
  }

  private static String markdown(List<Section> sections, LoadedResults loaded, Path outDir) {
    StringBuilder s = new StringBuilder("# Elastic-depth benchmark report\n\n");
    s.append(loaded.results().size()).append(" result file(s)");
    s.append(loaded.skipped().isEmpty() ? ".\n" : ", " + loaded.skipped().size() + " skipped (see the end).\n");
    for (Section sec : sections) {
      s.append("\n## ").append(sec.title()).append("\n\n");
      if (sec.note() != null) {
        s.append(sec.note()).append("\n\n");
      }
      s.append(sec.table().markdown());
    }
    if (!loaded.skipped().isEmpty()) {
      s.append("\n## Skipped files\n\n");
      for (Skipped k : loaded.skipped()) {
        s.append("- ").append(name(k, outDir)).append(": ").append(k.reason()).append(" (").append(detail(k, outDir))
            .append(")\n");
      }
    }
    return s.toString();
  }

  private static String html(List<Section> sections, LoadedResults loaded, List<Chart> charts, Path outDir) {
    StringBuilder s = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<title>Elastic-depth benchmark report</title><style>body{font-family:sans-serif;margin:2em}"
        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}"
        + "td:first-child,td:nth-child(2){text-align:left}.skipped{color:#a00}</style></head><body>\n"
        + "<h1>Elastic-depth benchmark report</h1>\n");
    s.append("<p>").append(loaded.results().size()).append(" result file(s), ").append(loaded.skipped().size())
        .append(" skipped. Also as <a href=\"").append(MARKDOWN).append("\">Markdown</a>.</p>\n");
    for (Section sec : sections) {
      s.append("<h2>").append(Html.escape(sec.title())).append("</h2>\n");
      if (sec.note() != null) {
        s.append("<p>").append(Html.escape(sec.note())).append("</p>\n");
      }
      s.append(sec.table().html());
    }
    s.append("<h2>Plots</h2>\n");
    if (charts.isEmpty()) {
      s.append("<p>No measurements to plot.</p>\n");
    }
    for (Chart c : charts) {
      s.append("<h3>").append(Html.escape(c.title())).append("</h3>\n<img src=\"").append(c.fileName())
          .append("\" alt=\"").append(Html.escape(c.title())).append("\" width=\"").append(ReportCharts.WIDTH).append("\">\n");
    }
    if (!loaded.skipped().isEmpty()) {
      s.append("<h2>Skipped files</h2>\n<ul class=\"skipped\">\n");
      for (Skipped k : loaded.skipped()) {
        s.append("<li>").append(Html.escape(name(k, outDir))).append(": <b>").append(k.reason()).append("</b> (")
            .append(Html.escape(detail(k, outDir))).append(")</li>\n");
      }
      s.append("</ul>\n");
    }
    return s.append("</body></html>\n").toString();
  }
}
