package org.elasticdepth.runtime.fuzz;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A few seconds of seeded mutation fuzzing of the app's default bundle (manifest bytes, and graph
 * bytes with the manifest's hash and size fixed up) through {@code ElasticClassifier.fromDirectory}
 * + {@code classify} on desktop TFLite with XNNPACK, in forked JVMs so that a native crash is a
 * failed test, not a dead surefire. Every case must end accepted or as a typed exception, within
 * its time. Longer: {@code -Dfuzz.seconds=600}; another seed: {@code -Dfuzz.seed=N}; crashing
 * cases are written under {@code target/fuzz/} (or {@code -Dfuzz.work=DIR}).
 */
public class BundleFuzzTest {
  /** Surefire runs in the module's directory. */
  static final File APP_BUNDLE = new File("../../app/src/main/assets/bundle");

  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void mutatedBundlesNeverCrashHangOrThrowUntyped() throws Exception {
    double seconds = Double.parseDouble(System.getProperty("fuzz.seconds", "6"));
    long seed = Long.getLong("fuzz.seed", 14);
    String work = System.getProperty("fuzz.work");
    FuzzSupervisor.Report report = FuzzSupervisor.run(APP_BUNDLE, work == null ? new File("target/fuzz").toPath()
        : new File(work).toPath(), seed, seconds, java.util.List.of(), System.out);
    System.out.println("fuzzing " + seconds + " s, seed " + seed + ": " + report);
    assertTrue("fuzzing found failures (cases under target/fuzz): " + report, report.clean());
    assertTrue("no case ran: " + report, report.executions() > 0);
  }

  /**
   * The same with quantized graphs ({@link Int8SeedBundle}: the tiny fixture's int8 graphs, blocks
   * hand-built with 16x8 and float islands), so that mutations reach quantization tables and quantized
   * operators. Runs half the budget of the float bundle ({@code -Dfuzz.seconds} sets both).
   */
  @Test
  public void mutatedQuantizedBundlesNeverCrashHangOrThrowUntyped() throws Exception {
    double seconds = Double.parseDouble(System.getProperty("fuzz.int8.seconds", System.getProperty("fuzz.seconds", "4")));
    long seed = Long.getLong("fuzz.seed", 14);
    String work = System.getProperty("fuzz.work");
    java.nio.file.Path dir = (work == null ? new File("target/fuzz") : new File(work)).toPath().resolve("int8");
    File bundle = Int8SeedBundle.write(dir.resolve("seed"));
    FuzzSupervisor.Report report = FuzzSupervisor.run(bundle, dir, seed, seconds, java.util.List.of(), System.out);
    System.out.println("fuzzing the int8 seed " + seconds + " s, seed " + seed + ": " + report);
    assertTrue("fuzzing found failures (cases under " + dir + "): " + report, report.clean());
    assertTrue("no case ran: " + report, report.executions() > 0);
  }

  @Test
  public void theQuantizedSeedOpensAndClassifies() throws Exception {
    File bundle = Int8SeedBundle.write(tmp.getRoot().toPath().resolve("int8"));
    try (org.elasticdepth.runtime.desktop.DesktopExecutor executor = org.elasticdepth.runtime.desktop.DesktopExecutor.create();
        org.elasticdepth.runtime.ElasticClassifier c = org.elasticdepth.runtime.ElasticClassifier.fromDirectory(bundle, executor,
            org.elasticdepth.runtime.ElasticClassifier.Options.builder().build())) {
      float[] image = new float[c.manifest().input().elementCount()];
      for (int i = 0; i < image.length; i++) {
        image[i] = (float) Math.sin(i);
      }
      System.out.println("int8 seed: " + c.classify(image));
    }
  }

  @Test
  public void aNativeCrashIsCaughtSavedAndFuzzingGoesOn() throws Exception {
    java.nio.file.Path work = tmp.getRoot().toPath();
    FuzzSupervisor.Report report = FuzzSupervisor.run(APP_BUNDLE, work, 14, 10, java.util.List.of("-D" + BundleFuzzer.CRASH_AT + "=0"),
        System.out);
    assertEquals(report.toString(), java.util.List.of(0L), report.crashes());
    assertTrue("the JVM died of the signal, with a fatal error log: " + report,
        java.nio.file.Files.list(work).anyMatch(p -> p.getFileName().toString().startsWith("hs_err_pid")));
    assertTrue("the case that crashed is written out: " + report, java.nio.file.Files.exists(work.resolve("crash-0/mutation.txt")));
    assertTrue("a new child went on after the crash: " + report, report.executions() > 1 && !report.summaries().isEmpty());
  }
}
