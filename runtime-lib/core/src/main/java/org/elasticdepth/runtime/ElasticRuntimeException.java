package org.elasticdepth.runtime;

/**
 * Base of every error the runtime throws on purpose. Unchecked, like TFLite's own
 * {@code IllegalArgumentException}s, so Kotlin and Java callers are not forced into boilerplate,
 * but always a specific subclass whose message names what is wrong.
 */
public class ElasticRuntimeException extends RuntimeException {
  public ElasticRuntimeException(String message) {
    super(message);
  }

  public ElasticRuntimeException(String message, Throwable cause) {
    super(message, cause);
  }
}
