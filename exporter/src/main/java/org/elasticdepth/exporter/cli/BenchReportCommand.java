package org.elasticdepth.exporter.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.elasticdepth.exporter.benchreport.BenchReport;
import org.elasticdepth.exporter.benchreport.LoadedResults.Skipped;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bench-report}: compares benchmark results of several devices side by side. */
@Command(name = "bench-report", mixinStandardHelpOptions = true,
    description = "Writes DIR/index.html (tables and plots) and DIR/report.md from benchmark result files of "
        + "benchmark-app or exporter bench. Unreadable files are skipped with their reason.")
public final class BenchReportCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILES", description = "result JSON files")
  List<Path> files;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "report directory")
  Path out;

  @Override
  public Integer call() throws Exception {
    BenchReport.Written written = BenchReport.write(files, out);
    for (Skipped s : written.loaded().skipped()) {
      System.err.println("skipped " + s.file() + ": " + s.reason() + " (" + s.detail() + ")");
    }
    System.out.println("reported " + written.loaded().results().size() + " of " + files.size() + " file(s) in "
        + out.resolve(BenchReport.HTML) + " and " + out.resolve(BenchReport.MARKDOWN));
    // Exit code 1 when nothing at all could be reported, so scripts notice.
    return written.loaded().results().isEmpty() ? 1 : 0;
  }
}
