package org.elasticdepth.runtime.benchmark;

import org.elasticdepth.runtime.ElasticRuntimeException;

/** A benchmark result document could not be read; {@link #problem()} says which way it is wrong. */
public class BenchmarkFormatException extends ElasticRuntimeException {
  /** What is wrong with the document. */
  public enum Problem {
    /** Not JSON at all, or not an object. */
    MALFORMED_JSON,
    /** Not a benchmark result, or a schema version this code does not read. */
    UNSUPPORTED_VERSION,
    /** A field is missing or has the wrong type or value; the message names its JSON path. */
    INVALID_FIELD,
    /** The file could not be read or written. */
    IO
  }

  private final Problem problem;

  public BenchmarkFormatException(Problem problem, String message) {
    super(message);
    this.problem = problem;
  }

  public BenchmarkFormatException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
