package org.elasticdepth.exporter.benchreport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.elasticdepth.runtime.benchmark.BenchmarkFormatException;
import org.elasticdepth.runtime.benchmark.BenchmarkJson;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;

/**
 * The result files given to bench-report: those that could be read, and those skipped with a
 * named reason (malformed JSON, another schema version, a bad field, an unreadable file).
 */
public record LoadedResults(List<Entry> results, List<Skipped> skipped) {
  public LoadedResults {
    results = Collections.unmodifiableList(new ArrayList<>(results));
    skipped = Collections.unmodifiableList(new ArrayList<>(skipped));
  }

  /** A readable result and the label that names it in tables and plots ("device · executor" is added per executor). */
  public record Entry(Path file, String label, BenchmarkResult result) {}

  /** A file that was left out: {@code reason} is the {@link BenchmarkFormatException.Problem} name, {@code detail} what was found. */
  public record Skipped(Path file, String reason, String detail) {}

  public static LoadedResults load(List<Path> files) {
    List<Entry> results = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (Path file : files) {
      try {
        BenchmarkResult r = BenchmarkJson.read(file.toFile());
        String label = r.device().manufacturer() + " " + r.device().model();
        // Two files from the same device stay apart in the legend.
        String unique = label;
        for (int n = 2; labels.contains(unique); n++) {
          unique = label + " #" + n;
        }
        labels.add(unique);
        results.add(new Entry(file, unique, r));
      } catch (BenchmarkFormatException e) {
        skipped.add(new Skipped(file, e.problem().name(), e.getMessage()));
      }
    }
    return new LoadedResults(results, skipped);
  }
}
