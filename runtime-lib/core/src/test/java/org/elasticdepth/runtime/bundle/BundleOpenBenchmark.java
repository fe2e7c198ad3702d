package org.elasticdepth.runtime.bundle;

import java.io.File;
import java.util.Arrays;
import java.util.Locale;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;

/**
 * What opening a bundle directory costs, and what loading a block again costs (a re-plan that
 * releases and reloads it). Not a test: a benchmark main that prints medians.
 *
 * <pre>
 * mvn -o -q -pl runtime-lib/core test-compile
 * java -cp runtime-lib/core/target/classes:runtime-lib/core/target/test-classes:$HOME/.m2/repository/com/google/code/gson/gson/2.11.0/gson-2.11.0.jar \
 *   org.elasticdepth.runtime.bundle.BundleOpenBenchmark app/src/main/assets/bundle 300
 * </pre>
 */
public final class BundleOpenBenchmark {
  private BundleOpenBenchmark() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: BundleOpenBenchmark BUNDLE_DIR RUNS");
      System.exit(2);
    }
    File dir = new File(args[0]);
    int runs = Integer.parseInt(args[1]);
    for (int round = 0; round < 2; round++) { // the first round warms the JIT up
      long[] open = new long[runs];
      long[] firstLoad = new long[runs];
      long[] reload = new long[runs];
      for (int i = 0; i < runs; i++) {
        long t0 = System.nanoTime();
        try (Bundle bundle = Bundle.fromDirectory(dir)) {
          long t1 = System.nanoTime();
          Graph block = bundle.manifest().block(1);
          bundle.graph(block);
          long t2 = System.nanoTime();
          bundle.graph(block);
          long t3 = System.nanoTime();
          open[i] = t1 - t0;
          firstLoad[i] = t2 - t1;
          reload[i] = t3 - t2;
        }
      }
      if (round == 1) {
        System.out.printf(Locale.ROOT, "%s, medians of %d runs: open %.3f ms; block 1 first load (read + SHA-256) %.3f ms; "
            + "loaded again %.4f ms%n", dir, runs, median(open), median(firstLoad), median(reload));
      }
    }
  }

  private static double median(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2] / 1e6;
  }
}
