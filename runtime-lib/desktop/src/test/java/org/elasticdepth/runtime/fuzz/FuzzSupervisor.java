package org.elasticdepth.runtime.fuzz;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@link BundleFuzzer} in forked JVMs for a time budget. When a child dies (a native crash:
 * SIGSEGV, SIGABRT...) or hangs, the case it was on is written to {@code WORK/crash-CASE/} or
 * {@code WORK/hang-CASE/} (the changed files and the mutation) and a new child goes on with the
 * next case, so one run counts every crash. Soak run, e.g. ten minutes:
 *
 * <pre>
 * mvn -o -q -pl runtime-lib/desktop test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
 *   -Dexec.args="-cp %classpath org.elasticdepth.runtime.fuzz.FuzzSupervisor ${PWD}/app/src/main/assets/bundle /tmp/fuzz 14 600"
 * </pre>
 *
 * or {@code mvn -o -pl runtime-lib/desktop -am verify -Dtest=BundleFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dfuzz.seconds=600}. A fifth argument names another {@link BundleFuzzer.Target} to fuzz (e.g. the
 * exporter's {@code org.elasticdepth.exporter.cli.VerifyFuzzTarget}, with the exporter's test classpath).
 */
public final class FuzzSupervisor {
  /** What a fuzzing run found. */
  public record Report(long executions, List<Long> crashes, List<Long> hangs, long untyped, List<String> summaries) {
    public boolean clean() {
      return crashes.isEmpty() && hangs.isEmpty() && untyped == 0;
    }

    @Override
    public String toString() {
      return "executions=" + executions + " crashes=" + crashes.size() + " " + crashes + " hangs=" + hangs.size() + " " + hangs
          + " untyped=" + untyped + " children=" + summaries;
    }
  }

  private FuzzSupervisor() {}

  public static void main(String[] args) throws Exception {
    List<String> target = args.length > 4 ? List.of(args[4]) : List.of();
    Report report = run(new File(args[0]), Path.of(args[1]), Long.parseLong(args[2]), Double.parseDouble(args[3]), List.of(),
        target, System.out);
    System.out.println("FUZZ REPORT " + report);
    System.exit(report.clean() ? 0 : 1);
  }

  /** Fuzzes the runtime for {@code seconds}; {@code jvmArguments} go to every child JVM (e.g. {@code -Dfuzz.crashAt=N}). */
  public static Report run(File bundleDir, Path work, long seed, double seconds, List<String> jvmArguments, PrintStream log)
      throws IOException, InterruptedException {
    return run(bundleDir, work, seed, seconds, jvmArguments, List.of(), log);
  }

  /** As above; {@code target} is empty (the runtime) or one {@link BundleFuzzer.Target} class name. */
  public static Report run(File bundleDir, Path work, long seed, double seconds, List<String> jvmArguments,
      List<String> target, PrintStream log) throws IOException, InterruptedException {
    Files.createDirectories(work);
    BundleMutator mutator = new BundleMutator(BundleFuzzer.read(bundleDir), seed);
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    long from = 0;
    long executions = 0;
    long untyped = 0;
    List<Long> crashes = new ArrayList<>();
    List<Long> hangs = new ArrayList<>();
    List<String> summaries = new ArrayList<>();
    while (true) {
      double left = (deadline - System.nanoTime()) / 1e9;
      if (left < 0.5) {
        break;
      }
      Files.deleteIfExists(work.resolve(BundleFuzzer.PROGRESS));
      List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx384m", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:-CreateCoredumpOnCrash",
          "-XX:ErrorFile=" + work.toAbsolutePath().resolve("hs_err_pid%p.log")));
      command.addAll(jvmArguments);
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), BundleFuzzer.class.getName(),
          bundleDir.getAbsolutePath(), work.toAbsolutePath().toString(), Long.toString(seed), Long.toString(from),
          Double.toString(left)));
      command.addAll(target);
      Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
      String summary = null;
      try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.startsWith("FUZZ ")) {
            summary = line;
          } else if (line.startsWith("UNTYPED") || line.startsWith("HANG")) {
            log.println(line);
          }
        }
      }
      int status = child.waitFor();
      if (summary != null && (status == 0 || status == BundleFuzzer.EXIT_UNTYPED)) {
        summaries.add(summary);
        executions += count(summary, "executions=");
        untyped += count(summary, "untyped=");
        break; // the child used up the time
      }
      long at = progress(work);
      if (at < 0) {
        throw new IOException("fuzzing child exited with status " + status + " before its first case");
      }
      executions += at - from + 1;
      String kind = status == BundleFuzzer.EXIT_HANG ? "hang" : "crash";
      (status == BundleFuzzer.EXIT_HANG ? hangs : crashes).add(at);
      BundleMutator.Mutant mutant = mutator.mutant(at);
      BundleFuzzer.saveCase(work.resolve(kind + "-" + at), mutant);
      log.println(kind.toUpperCase(java.util.Locale.ROOT) + " case " + at + " (exit status " + status + "): " + mutant.description());
      from = at + 1;
    }
    return new Report(executions, crashes, hangs, untyped, summaries);
  }

  private static long progress(Path work) throws IOException {
    Path p = work.resolve(BundleFuzzer.PROGRESS);
    return Files.exists(p) ? Long.parseLong(Files.readString(p).trim()) : -1;
  }

  private static long count(String summary, String key) {
    int at = summary.indexOf(key) + key.length();
    int end = at;
    while (end < summary.length() && Character.isDigit(summary.charAt(end))) {
      end++;
    }
    return Long.parseLong(summary.substring(at, end));
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
