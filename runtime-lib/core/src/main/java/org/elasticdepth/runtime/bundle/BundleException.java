package org.elasticdepth.runtime.bundle;

import org.elasticdepth.runtime.ElasticRuntimeException;

/**
 * A bundle cannot be used: its manifest is malformed or of an unknown version, a file is missing,
 * truncated or tampered with, or the graphs' shapes contradict the model. The {@link #problem()}
 * lets callers react (e.g. an app shows "update the model" for {@link Problem#UNSUPPORTED_VERSION}).
 */
public class BundleException extends ElasticRuntimeException {
  /** What kind of defect was found. */
  public enum Problem {
    /** manifest.json is not valid JSON or a field is missing or of the wrong type/range. */
    MALFORMED_MANIFEST,
    /** The manifest names another format, or a format version this runtime does not read. */
    UNSUPPORTED_VERSION,
    /** The manifest is well formed but inconsistent (shapes, counts, labels vs classes). */
    INCONSISTENT,
    /** A file the manifest names is not in the bundle. */
    MISSING_FILE,
    /** A file's size or SHA-256 differs from the manifest: truncated, corrupted or tampered. */
    INTEGRITY,
    /** A graph's bytes break the structure this format promises (see {@code graph.InvalidGraphException}). */
    INVALID_GRAPH,
    /** The bundle could not be read or written (I/O). */
    IO,
    /**
     * A signature was required and manifest.json is unsigned, signed by another key, or changed
     * after signing ({@link BundleSignature}).
     */
    SIGNATURE,
    /** A precision was asked for that the bundle does not carry (see {@link BundleManifest#precisions()}). */
    MISSING_PRECISION
  }

  private final Problem problem;

  public BundleException(Problem problem, String message) {
    super(message);
    this.problem = problem;
  }

  public BundleException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
