package org.elasticdepth.runtime;

/** An input image is unusable: wrong size, or a value that is NaN or infinite. */
public class InputException extends ElasticRuntimeException {
  public InputException(String message) {
    super(message);
  }
}
