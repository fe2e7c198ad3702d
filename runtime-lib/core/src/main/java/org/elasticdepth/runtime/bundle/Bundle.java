package org.elasticdepth.runtime.bundle;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.graph.GraphStructure;
import org.elasticdepth.runtime.bundle.graph.GraphValidator;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException;

/**
 * An opened bundle: its validated manifest and verified access to its graphs.
 *
 * <p>Opening reads and validates the manifest, checks that every graph file exists with the size
 * the manifest gives, and checks every graph's structure with {@link GraphValidator} (indices,
 * operator vocabulary, shapes by inference, buffer sizes, signature, activation bound: a few
 * milliseconds, no hashing). {@link #graph} hashes a graph and validates it again before handing it
 * out, so an interpreter never sees bytes that differ from what the exporter wrote or that break
 * the format's structure (a truncated, tampered or malformed file becomes a {@link
 * BundleException}, never a native crash). {@link #verifyAll} hashes everything up front.
 *
 * <p>Thread safety: safe for concurrent use once opened; {@link #close} must not race with other
 * calls.
 */
public final class Bundle implements AutoCloseable {
  private final BundleSource source;
  private final BundleManifest manifest;
  private final Map<Graph, GraphStructure> structures = new HashMap<>();

  private Bundle(BundleSource source, BundleManifest manifest) {
    this.source = source;
    this.manifest = manifest;
  }

  /** Opens a bundle directory (graphs are memory-mapped). */
  public static Bundle fromDirectory(File dir) {
    if (!dir.isDirectory()) {
      throw new BundleException(Problem.MISSING_FILE, "bundle directory " + dir + " does not exist");
    }
    return open(BundleSource.directory(dir));
  }

  /** Opens a bundle zip (manifest.json at the root or in one top-level folder). */
  public static Bundle fromZip(File zip) {
    if (!zip.isFile()) {
      throw new BundleException(Problem.MISSING_FILE, "bundle zip " + zip + " does not exist");
    }
    try {
      return open(BundleSource.zip(zip));
    } catch (IOException e) {
      throw new BundleException(Problem.IO, "cannot read bundle zip " + zip + ": " + e.getMessage(), e);
    }
  }

  /** Opens a bundle whose files are already in memory, keyed by file name. */
  public static Bundle fromBuffers(Map<String, ByteBuffer> files) {
    return open(BundleSource.buffers(files));
  }

  /** Opens a bundle from any source; on failure the source is closed. */
  public static Bundle open(BundleSource source) {
    try {
      ByteBuffer json = source.read(BundleManifest.FILE_NAME);
      if (json == null) {
        throw new BundleException(Problem.MISSING_FILE, source.describe() + " has no " + BundleManifest.FILE_NAME);
      }
      BundleManifest manifest = ManifestJson.parse(StandardCharsets.UTF_8.decode(json.duplicate()).toString());
      Bundle bundle = new Bundle(source, manifest);
      for (Graph g : manifest.graphs().all()) {
        // Existence, size and structure; hashes are checked when a graph is used.
        bundle.structures.put(g, bundle.validateAtOpen(g, bundle.content(g)));
      }
      return bundle;
    } catch (IOException e) {
      closeQuietly(source);
      throw new BundleException(Problem.IO, "cannot read bundle " + source.describe() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(source);
      throw e;
    }
  }

  public BundleManifest manifest() {
    return manifest;
  }

  /** Where the bundle was read from, for messages. */
  public String location() {
    return source.describe();
  }

  /**
   * The verified bytes of {@code graph}: a read-only, native-order buffer (memory-mapped for
   * directories) positioned at 0.
   *
   * @throws BundleException if the file is missing, of the wrong size, or its SHA-256 differs
   */
  public ByteBuffer graph(Graph graph) {
    ByteBuffer content = content(graph);
    String actual = Sha256.hex(content);
    if (!actual.equals(graph.sha256())) {
      throw new BundleException(Problem.INTEGRITY, graph.file() + " in " + source.describe()
          + " has SHA-256 " + actual + " but the manifest says " + graph.sha256() + " (corrupted or tampered)");
    }
    // Again after hashing: the file may have changed since it was validated at open.
    if (!GraphValidator.validate(graph, content).equals(structure(graph))) {
      throw new BundleException(Problem.INTEGRITY, graph.file() + " in " + source.describe() + " changed since the bundle was opened");
    }
    return content;
  }

  /**
   * Validates a graph's structure before its hash is known. A graph that fails and whose hash also
   * differs from the manifest's is reported as corrupted (the more useful diagnosis).
   */
  private GraphStructure validateAtOpen(Graph graph, ByteBuffer content) {
    try {
      return GraphValidator.validate(graph, content);
    } catch (InvalidGraphException e) {
      if (!Sha256.hex(content).equals(graph.sha256())) {
        throw new BundleException(Problem.INTEGRITY, graph.file() + " in " + source.describe()
            + " does not match the SHA-256 in the manifest (corrupted or tampered): " + e.getMessage(), e);
      }
      throw e;
    }
  }

  /**
   * What the structural validation found for {@code graph} when the bundle was opened, e.g. its
   * {@link GraphStructure#activationBytes() activation bound}, which the depth planner charges.
   */
  public GraphStructure structure(Graph graph) {
    GraphStructure structure = structures.get(graph);
    if (structure == null) {
      throw new IllegalArgumentException(graph.file() + " is not a graph of this bundle");
    }
    return structure;
  }

  /** Hashes every graph now, so that later loads cannot fail on integrity. */
  public void verifyAll() {
    for (Graph g : manifest.graphs().all()) {
      graph(g);
    }
  }

  private ByteBuffer content(Graph graph) {
    ByteBuffer content;
    try {
      content = source.read(graph.file());
    } catch (IOException e) {
      throw new BundleException(Problem.IO, "cannot read " + graph.file() + " in " + source.describe() + ": " + e.getMessage(), e);
    }
    if (content == null) {
      throw new BundleException(Problem.MISSING_FILE, source.describe() + " has no " + graph.file() + " named by the manifest");
    }
    if (content.remaining() != graph.bytes()) {
      throw new BundleException(Problem.INTEGRITY, graph.file() + " in " + source.describe() + " has "
          + content.remaining() + " bytes but the manifest says " + graph.bytes() + " (truncated or replaced)");
    }
    return content;
  }

  @Override
  public void close() {
    closeQuietly(source);
  }

  private static void closeQuietly(BundleSource source) {
    try {
      source.close();
    } catch (IOException ignored) {
      // Nothing useful to do: the bundle is being discarded.
    }
  }
}
