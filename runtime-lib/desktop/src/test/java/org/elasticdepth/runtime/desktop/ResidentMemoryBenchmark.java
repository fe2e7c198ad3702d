package org.elasticdepth.runtime.desktop;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleSource;
import org.elasticdepth.runtime.bundle.ManifestJson;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.graph.GraphValidator;
import org.elasticdepth.runtime.spi.LoadedGraph;

/**
 * What a loaded block really costs the process, against what the executor accounts for. Not a
 * test: a benchmark main that prints a table.
 *
 * <pre>
 * mvn -o -q -pl runtime-lib/desktop test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
 *   -Dexec.args="-Xms256m -Xmx256m -XX:+AlwaysPreTouch -cp %classpath
 *     org.elasticdepth.runtime.desktop.ResidentMemoryBenchmark ${PWD}/app/src/main/assets/bundle 20"
 * </pre>
 *
 * <p>A fixed, pre-touched Java heap keeps the JVM's own memory out of the resident set's changes.
 *
 * <p>Blocks are loaded cumulatively and nothing is freed until the end, each load from its own
 * copy of the file: freed memory would be reused by the next load and hide its cost from the
 * resident set. Each configuration loads {@code rounds} x L blocks; the growth after the first
 * round, per block, is the marginal cost of one more block.
 *
 * <p>It first prints what opening the bundle costs and how much of it is the structural
 * validation of its graphs ({@code GraphValidator}, which runs at open and again as each graph is
 * handed out): median of 50 repetitions after 20 of warm-up.
 */
public final class ResidentMemoryBenchmark {
  private ResidentMemoryBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      usage("expected BUNDLE_DIR [ROUNDS]");
    }
    int rounds = 20;
    if (args.length > 1) {
      try {
        rounds = Integer.parseInt(args[1]);
      } catch (NumberFormatException e) {
        usage("ROUNDS must be a whole number, got '" + args[1] + "'");
      }
    }
    if (rounds < 2) {
      usage("ROUNDS must be at least 2 (the first round only pays one-time costs), got " + rounds);
    }
    try {
      measure(args[0], rounds);
    } catch (BundleException e) {
      usage(e.getMessage());
    }
  }

  private static void usage(String problem) {
    System.err.println("ResidentMemoryBenchmark: " + problem);
    System.err.println("usage: ResidentMemoryBenchmark BUNDLE_DIR [ROUNDS (default 20)]");
    System.exit(2);
  }

  private static void measureOpening(String bundleDir) {
    int warmUp = 20;
    int runs = 50;
    long[] open = new long[runs];
    long[] unvalidated = new long[runs];
    long[] validation = new long[runs];
    int graphs = 0;
    for (int r = -warmUp; r < runs; r++) {
      // What opening did before structural validation: read and check the manifest, map every graph file.
      long b0 = System.nanoTime();
      try (BundleSource source = BundleSource.directory(new File(bundleDir))) {
        ByteBuffer json = source.read(BundleManifest.FILE_NAME);
        BundleManifest manifest = ManifestJson.parse(java.nio.charset.StandardCharsets.UTF_8.decode(json).toString());
        for (Graph g : manifest.graphs().all()) {
          source.read(g.file()).remaining();
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      long b1 = System.nanoTime();
      if (r >= 0) {
        unvalidated[r] = b1 - b0;
      }
      long t0 = System.nanoTime();
      try (Bundle bundle = Bundle.fromDirectory(new File(bundleDir))) {
        long t1 = System.nanoTime();
        List<Graph> all = bundle.manifest().graphs().all();
        List<ByteBuffer> contents = new ArrayList<>();
        for (Graph g : all) {
          contents.add(bundle.graph(g)); // hashed: not part of the timed validation below
        }
        long t2 = System.nanoTime();
        for (int i = 0; i < all.size(); i++) {
          GraphValidator.validate(all.get(i), contents.get(i));
        }
        long t3 = System.nanoTime();
        if (r >= 0) {
          open[r] = t1 - t0;
          validation[r] = t3 - t2;
        }
        graphs = all.size();
      }
    }
    java.util.Arrays.sort(open);
    java.util.Arrays.sort(unvalidated);
    java.util.Arrays.sort(validation);
    System.out.printf(Locale.ROOT, "opening the bundle (manifest, file sizes, structure of its %d graphs): median %.2f ms;"
        + " the same without structural validation: %.2f ms; structural validation of the %d mapped graphs alone:"
        + " median %.2f ms (%d runs)%n%n", graphs, open[runs / 2] / 1e6, unvalidated[runs / 2] / 1e6, graphs,
        validation[runs / 2] / 1e6, runs);
  }

  private static void measure(String bundleDir, int rounds) throws Exception {
    measureOpening(bundleDir);
    List<AutoCloseable> keep = new ArrayList<>();
    try (Bundle bundle = Bundle.fromDirectory(new File(bundleDir))) {
      List<Graph> blocks = bundle.manifest().graphs().blocks();
      long fileBytes = blocks.stream().mapToLong(Graph::bytes).sum() / blocks.size();
      System.out.printf(Locale.ROOT, "%s: %d blocks of %,d bytes (mean), %d rounds per configuration%n%n", bundleDir,
          blocks.size(), fileBytes, rounds);
      System.out.println("| executor | process growth per added block | accounted (residentBytes) | estimate (planner) | file |");
      System.out.println("|---|---:|---:|---:|---:|");
      for (boolean xnnpack : new boolean[] {true, false}) {
        DesktopExecutor executor = DesktopExecutor.create(DesktopExecutor.Options.builder().setUseXnnpack(xnnpack).build());
        keep.add(executor);
        long accounted = 0;
        long estimate = 0;
        long afterFirstRound = 0;
        for (int r = 0; r < rounds; r++) {
          for (Graph block : blocks) {
            LoadedGraph g = executor.load(block, copy(bundle.graph(block)));
            keep.add(g);
            accounted += g.residentBytes();
            estimate += executor.residentBytesEstimate(block);
          }
          if (r == 0) {
            // the first round pays one-time costs (native libraries, allocator arenas, XNNPACK state)
            afterFirstRound = residentSetBytes();
          }
        }
        double loads = rounds * blocks.size();
        double marginal = (residentSetBytes() - afterFirstRound) / ((rounds - 1.0) * blocks.size());
        System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f | %,.0f | %,d |%n", xnnpack ? "XNNPACK" : "TFLite kernels",
            marginal, accounted / loads, estimate / loads, fileBytes);
      }
    } finally {
      for (int i = keep.size() - 1; i >= 0; i--) {
        keep.get(i).close();
      }
    }
  }

  /** A private direct copy, as a load from its own file would have: the model's bytes count too. */
  private static ByteBuffer copy(ByteBuffer content) {
    ByteBuffer copy = ByteBuffer.allocateDirect(content.remaining());
    copy.put(content.duplicate()).flip();
    return copy;
  }

  private static long residentSetBytes() throws IOException {
    String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
    return Long.parseLong(statm[1]) * 4096;
  }
}
