package org.elasticdepth.runtime.bundle;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.graph.GraphProfile;
import org.elasticdepth.runtime.bundle.graph.GraphStructure;
import org.elasticdepth.runtime.bundle.graph.GraphValidator;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException;

/**
 * An opened bundle: its validated manifest and verified access to its graphs.
 *
 * <p>Opening reads the manifest (refused unread above {@link BundleLimits#MAX_MANIFEST_BYTES}),
 * checks its signature when signers are required (before parsing it, see {@link
 * BundleSignature}), parses and validates it, checks that every graph file exists with the size
 * the manifest gives, from the file's length, before reading it, and then checks every graph's
 * structure with {@link GraphValidator} (indices, operator vocabulary, shapes by inference, buffer
 * sizes, signature, activation bound: a few milliseconds, no hashing); that is the only read of a
 * graph at open. {@link #graph} hashes a
 * graph and validates it again before handing it out, so an interpreter never sees bytes that
 * differ from what the exporter wrote or that break the format's structure (a truncated, tampered
 * or malformed file becomes a {@link BundleException}, never a native crash).
 * When the source's buffers cost nothing to keep ({@link BundleSource#buffersAreFree()}: mapped
 * files, in-memory buffers) the verified buffer is kept and handed out again, so each graph is
 * read and hashed once however often it is loaded; the bytes handed out are always the bytes
 * that were hashed. {@link #verifyAll} hashes everything up front.
 *
 * <p>Thread safety: safe for concurrent use once opened; {@link #close} must not race with other
 * calls.
 */
public final class Bundle implements AutoCloseable {
  private final BundleSource source;
  private final BundleManifest manifest;
  private final byte[] manifestBytes; // exactly the bytes parsed, for signature checks
  private final Map<String, ByteBuffer> verified = new ConcurrentHashMap<>();
  private final Map<Graph, GraphStructure> structures = new HashMap<>();
  // Buffers read at open for free sources, handed to the first graph() so nothing is read twice.
  private final Map<Graph, ByteBuffer> readAtOpen = new ConcurrentHashMap<>();

  private Bundle(BundleSource source, BundleManifest manifest, byte[] manifestBytes) {
    this.source = source;
    this.manifest = manifest;
    this.manifestBytes = manifestBytes;
  }

  /**
   * Opens a bundle directory (graphs are memory-mapped). With {@code requiredSigners}, the
   * bundle must be signed by one of them ({@link #requireSignedBy}).
   */
  public static Bundle fromDirectory(File dir, PublicKey... requiredSigners) {
    if (!dir.isDirectory()) {
      throw new BundleException(Problem.MISSING_FILE, "bundle directory " + dir + " does not exist");
    }
    return open(BundleSource.directory(dir), requiredSigners);
  }

  /** Opens a bundle zip (manifest.json at the root or in one top-level folder). */
  public static Bundle fromZip(File zip, PublicKey... requiredSigners) {
    if (!zip.isFile()) {
      throw new BundleException(Problem.MISSING_FILE, "bundle zip " + zip + " does not exist");
    }
    BundleSource source;
    try {
      source = BundleSource.zip(zip);
    } catch (IOException e) {
      throw new BundleException(Problem.IO, "cannot read bundle zip " + zip + ": " + Quote.clip(e.getMessage()), e);
    }
    return open(source, requiredSigners);
  }

  /** Opens a bundle whose files are already in memory, keyed by file name. */
  public static Bundle fromBuffers(Map<String, ByteBuffer> files, PublicKey... requiredSigners) {
    return open(BundleSource.buffers(files), requiredSigners);
  }

  /**
   * Opens a bundle from any source; on failure the source is closed. With {@code
   * requiredSigners}, manifest.json must carry a valid signature by one of them, checked before
   * the manifest is parsed; with none, signatures are not looked at.
   *
   * @throws BundleException {@link Problem#SIGNATURE} if signers are required and the bundle is
   *     unsigned or not signed by one of them; another problem for any other defect
   */
  public static Bundle open(BundleSource source, PublicKey... requiredSigners) {
    List<PublicKey> signers = BundleSignature.checkedKeys(requiredSigners);
    try {
      ByteBuffer json = source.read(BundleManifest.FILE_NAME, BundleLimits.MAX_MANIFEST_BYTES);
      if (json == null) {
        throw new BundleException(Problem.MISSING_FILE, source.describe() + " has no " + BundleManifest.FILE_NAME);
      }
      byte[] manifestBytes = new byte[json.remaining()];
      json.duplicate().get(manifestBytes);
      if (!signers.isEmpty()) {
        BundleSignature.verify(manifestBytes, readSignature(source), signers);
      }
      Bundle bundle = new Bundle(source, ManifestJson.parse(ByteBuffer.wrap(manifestBytes)), manifestBytes);
      for (Graph g : bundle.manifest.allGraphs()) {
        bundle.checkSize(g);
      }
      for (Graph g : bundle.manifest.allGraphs()) {
        // Structure now (the planner charges each graph's activation bound); hashes when used.
        ByteBuffer content = bundle.content(g);
        bundle.structures.put(g, bundle.validateAtOpen(g, content));
        if (source.buffersAreFree()) {
          bundle.readAtOpen.put(g, content);
        }
      }
      for (Precision p : bundle.manifest.precisions()) {
        bundle.checkPrecision(bundle.manifest.variant(p).get());
      }
      return bundle;
    } catch (IOException e) {
      closeQuietly(source);
      throw new BundleException(Problem.IO, "cannot read bundle " + source.describe() + ": " + Quote.clip(e.getMessage()), e);
    } catch (RuntimeException | Error e) {
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
   * Checks that manifest.json, exactly as this bundle parsed it, carries a valid signature
   * ({@link BundleSignature#FILE_NAME}) by one of {@code trusted}. The manifest holds every
   * graph's SHA-256 and size and every graph is hashed before use, so this covers the whole
   * bundle.
   *
   * @throws BundleException {@link Problem#SIGNATURE} if unsigned, signed by another key, or
   *     modified after signing
   * @throws IllegalArgumentException if {@code trusted} is empty or holds a key that is not EC P-256
   */
  public void requireSignedBy(PublicKey... trusted) {
    List<PublicKey> keys = BundleSignature.checkedKeys(trusted);
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("requireSignedBy needs at least one public key");
    }
    try {
      BundleSignature.verify(manifestBytes, readSignature(source), keys);
    } catch (IOException e) {
      throw new BundleException(Problem.IO, "cannot read " + BundleSignature.FILE_NAME + " in " + source.describe()
          + ": " + Quote.clip(e.getMessage()), e);
    }
  }

  /** The signature file's bytes, or null when the bundle has none. */
  private static byte[] readSignature(BundleSource source) throws IOException {
    ByteBuffer sig = source.read(BundleSignature.FILE_NAME, BundleLimits.MAX_SIGNATURE_BYTES);
    if (sig == null) {
      return null;
    }
    byte[] bytes = new byte[sig.remaining()];
    sig.duplicate().get(bytes);
    return bytes;
  }

  /**
   * The verified bytes of {@code graph}: a read-only, native-order buffer (memory-mapped for
   * directories) positioned at 0.
   *
   * @throws BundleException if the file is missing, of the wrong size, or its SHA-256 differs
   */
  public ByteBuffer graph(Graph graph) {
    String key = graph.file() + " " + graph.sha256() + " " + graph.bytes();
    ByteBuffer kept = verified.get(key);
    if (kept != null) {
      return view(kept);
    }
    ByteBuffer early = readAtOpen.remove(graph);
    ByteBuffer content = early != null ? early : content(graph);
    String actual;
    try {
      actual = Sha256.hex(content);
    } catch (InternalError e) {
      // The JVM's report of a fault in a memory-mapped file that shrank after it was mapped.
      throw new BundleException(Problem.INTEGRITY, graph.file() + " in " + source.describe()
          + " changed while it was being read", e);
    }
    if (!actual.equals(graph.sha256())) {
      throw new BundleException(Problem.INTEGRITY, graph.file() + " in " + source.describe()
          + " has SHA-256 " + actual + " but the manifest says " + graph.sha256() + " (corrupted or tampered)");
    }
    // Again after hashing: the file may have changed since it was validated at open.
    if (!GraphValidator.validate(graph, content).equals(structure(graph))) {
      throw new BundleException(Problem.INTEGRITY, graph.file() + " in " + source.describe() + " changed since the bundle was opened");
    }
    if (source.buffersAreFree()) {
      verified.putIfAbsent(key, content);
    }
    return view(content);
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
   * The manifest's word against the graphs: each graph holds the weights of its precision, and an
   * int8 precision's quantization record names exactly the operators its graphs leave computing
   * in int16 and in float32. A precision that lies would be served to the wrong accelerator and
   * charged the wrong memory.
   */
  private void checkPrecision(BundleManifest.Variant v) {
    Set<String> int16 = new TreeSet<>();
    Set<String> float32 = new TreeSet<>();
    for (Graph g : v.graphs().all()) {
      GraphProfile profile = structures.get(g).profile();
      // A graph without FULLY_CONNECTED or CONV_2D weights says nothing about its weights' precision.
      boolean weightsDisagree = !profile.weightTypes().isEmpty() && profile.precision() != v.precision();
      if (weightsDisagree || (v.precision() != Precision.INT8
          && !(profile.int8Ops().isEmpty() && profile.int16Ops().isEmpty()))) {
        throw new BundleException(Problem.INCONSISTENT, g.file() + " in " + source.describe() + " is listed with the "
            + v.precision().label() + " graphs but holds "
            + (weightsDisagree ? profile.precision().label() + " weights" : "integer operators"));
      }
      int16.addAll(profile.int16Ops());
      float32.addAll(profile.float32Ops());
    }
    BundleManifest.Quantization q = v.quantization();
    if (q != null && !(int16.equals(new TreeSet<>(q.int16Ops())) && float32.equals(new TreeSet<>(q.floatOps())))) {
      throw new BundleException(Problem.INCONSISTENT, "the " + v.precision().label() + " quantization record of "
          + source.describe() + " says int16 " + Quote.of(q.int16Ops()) + " and float " + Quote.of(q.floatOps())
          + " but its graphs compute in int16 " + int16 + " and in float " + float32);
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
    for (Graph g : manifest.allGraphs()) {
      graph(g);
    }
  }

  private static ByteBuffer view(ByteBuffer content) {
    return content.duplicate().order(ByteOrder.nativeOrder());
  }

  /** Existence and size from the file's length, without reading it. */
  private void checkSize(Graph graph) throws IOException {
    long size = source.size(graph.file());
    if (size < 0) {
      throw missing(graph);
    }
    if (size != graph.bytes()) {
      throw wrongSize(graph, size);
    }
  }

  private ByteBuffer content(Graph graph) {
    ByteBuffer content;
    try {
      content = source.read(graph.file(), graph.bytes());
    } catch (IOException e) {
      throw new BundleException(Problem.IO, "cannot read " + graph.file() + " in " + source.describe() + ": "
          + Quote.clip(e.getMessage()), e);
    }
    if (content == null) {
      throw missing(graph);
    }
    if (content.remaining() != graph.bytes()) {
      throw wrongSize(graph, content.remaining());
    }
    return content;
  }

  /**
   * The SHA-256 of manifest.json exactly as parsed: names the bundle a result was measured on (the
   * manifest holds every graph's hash, so this covers the graphs too).
   */
  public String manifestSha256() {
    return Sha256.hex(ByteBuffer.wrap(manifestBytes));
  }

  private BundleException missing(Graph graph) {
    return new BundleException(Problem.MISSING_FILE, source.describe() + " has no " + graph.file() + " named by the manifest");
  }

  private BundleException wrongSize(Graph graph, long size) {
    return new BundleException(Problem.INTEGRITY, graph.file() + " in " + source.describe() + " has "
        + size + " bytes but the manifest says " + graph.bytes() + " (truncated or replaced)");
  }

  @Override
  public void close() {
    verified.clear();
    readAtOpen.clear();
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
