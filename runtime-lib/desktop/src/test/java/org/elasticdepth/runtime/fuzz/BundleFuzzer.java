package org.elasticdepth.runtime.fuzz;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.ElasticRuntimeException;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException;
import org.elasticdepth.runtime.desktop.DesktopExecutor;

/**
 * The fuzzing child process: runs mutants {@code from, from+1, ...} of a bundle through {@code
 * ElasticClassifier.fromDirectory} + {@code classify} on desktop TFLite with XNNPACK, until its time
 * is up. Meant to run in its own JVM ({@link FuzzSupervisor}): a native crash kills only this
 * process, and {@code progress} (written before each case) tells the supervisor which case did it.
 *
 * <p>Each case ends as accepted, a typed error ({@link ElasticRuntimeException}), an untyped one
 * (anything else, an {@link OutOfMemoryError} included: a failure, written to {@code
 * untyped-CASE/}) or a hang (no answer in {@link #CASE_TIMEOUT_SECONDS}: exit status 3).
 *
 * <p>Arguments: {@code BUNDLE_DIR WORK_DIR SEED FROM SECONDS [TARGET_CLASS]}; the optional {@link
 * Target} (a class with a public no-argument constructor) replaces the runtime, e.g. the exporter's
 * {@code verify}. Prints one {@code FUZZ ...} summary line; exit status 0 when every case was
 * accepted or typed, 1 when some were untyped, 3 on a hang.
 */
public final class BundleFuzzer {
  /** What one case is run through. */
  public interface Target {
    /**
     * Runs the bundle in {@code dir}; returns the name of the outcome (accepted, a typed error);
     * throws for anything untyped.
     */
    String attempt(File dir) throws Exception;
  }

  static final int CASE_TIMEOUT_SECONDS = 30;
  static final String PROGRESS = "progress";
  static final int EXIT_UNTYPED = 1;
  static final int EXIT_HANG = 3;
  /** System property: the case at which to crash the JVM natively on purpose (tests of the supervisor). */
  static final String CRASH_AT = "fuzz.crashAt";

  private BundleFuzzer() {}

  public static void main(String[] args) throws Exception {
    File bundleDir = new File(args[0]);
    Path work = Path.of(args[1]);
    long seed = Long.parseLong(args[2]);
    long from = Long.parseLong(args[3]);
    double seconds = Double.parseDouble(args[4]);
    Target target = args.length > 5 ? (Target) Class.forName(args[5]).getConstructor().newInstance() : null;
    System.exit(run(bundleDir, work, seed, from, seconds, target));
  }

  static int run(File bundleDir, Path work, long seed, long from, double seconds, Target custom)
      throws IOException, InterruptedException {
    Map<String, byte[]> good = read(bundleDir);
    BundleMutator mutator = new BundleMutator(good, seed);
    Path dir = work.resolve("bundle");
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> e : good.entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
    Map<String, Integer> outcomes = new TreeMap<>();
    long untyped = 0;
    long executions = 0;
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-case");
      t.setDaemon(true);
      return t;
    });
    Set<String> changed = new HashSet<>();
    try (DesktopExecutor executor = DesktopExecutor.create()) {
      for (long i = from; System.nanoTime() < deadline; i++) {
        BundleMutator.Mutant mutant = mutator.mutant(i);
        for (String file : changed) {
          Files.write(dir.resolve(file), good.get(file));
        }
        changed.clear();
        for (Map.Entry<String, byte[]> e : mutant.files().entrySet()) {
          Files.write(dir.resolve(e.getKey()), e.getValue());
          changed.add(e.getKey());
        }
        Files.write(work.resolve(PROGRESS), Long.toString(i).getBytes(StandardCharsets.UTF_8));
        if (i == Long.getLong(CRASH_AT, -1)) {
          crashNatively(); // proves to FuzzSupervisorTest that a real SIGSEGV is caught, saved and survived
        }
        Future<String> result = worker.submit(() -> custom != null ? custom.attempt(dir.toFile()) : attempt(dir.toFile(), executor));
        String outcome;
        try {
          outcome = result.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          System.out.println("HANG case " + i + ": " + mutant.description());
          System.out.flush();
          Runtime.getRuntime().halt(EXIT_HANG);
          return EXIT_HANG;
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable cause = e.getCause();
          outcome = "untyped " + cause.getClass().getName();
          untyped++;
          System.out.println("UNTYPED case " + i + ": " + cause + " after " + mutant.description());
          saveCase(work.resolve("untyped-" + i), mutant);
        }
        executions++;
        outcomes.merge(outcome, 1, Integer::sum);
      }
    } finally {
      worker.shutdownNow();
    }
    System.out.println("FUZZ executions=" + executions + " untyped=" + untyped + " outcomes=" + outcomes);
    return untyped == 0 ? 0 : EXIT_UNTYPED;
  }

  /** One case; returns its outcome's name, throws only what is untyped. */
  private static String attempt(File dir, DesktopExecutor executor) {
    try (ElasticClassifier c = ElasticClassifier.fromDirectory(dir, executor,
        ElasticClassifier.Options.builder().setWarmUpRuns(1).build())) {
      float[] image = new float[c.manifest().input().elementCount()];
      for (int i = 0; i < image.length; i++) {
        image[i] = (float) Math.sin(i);
      }
      c.classify(image);
      return "accepted";
    } catch (InvalidGraphException e) {
      return "invalid graph: " + e.rule();
    } catch (BundleException e) {
      return "bundle: " + e.problem();
    } catch (ElasticRuntimeException e) {
      return e.getClass().getSimpleName();
    }
  }

  /** A native write to address 16: SIGSEGV in native code, the JVM dies as it would in a broken kernel. */
  private static void crashNatively() {
    org.bytedeco.javacpp.Pointer bad = new org.bytedeco.javacpp.BytePointer() {
      {
        address = 16;
      }
    };
    org.bytedeco.javacpp.Pointer.memset(bad, 1, 64);
    Runtime.getRuntime().halt(134); // not reached
  }

  public static void saveCase(Path dir, BundleMutator.Mutant mutant) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> e : mutant.files().entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
    Files.write(dir.resolve("mutation.txt"), (mutant.description() + "\n").getBytes(StandardCharsets.UTF_8));
  }

  static Map<String, byte[]> read(File bundleDir) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    File[] list = bundleDir.listFiles();
    if (list == null) {
      throw new IOException("no bundle at " + bundleDir);
    }
    java.util.Arrays.sort(list);
    for (File f : list) {
      if (f.isFile()) {
        files.put(f.getName(), Files.readAllBytes(f.toPath()));
      }
    }
    return files;
  }
}
