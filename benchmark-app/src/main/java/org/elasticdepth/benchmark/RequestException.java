package org.elasticdepth.benchmark;

/** A benchmark request (intent extras or the screen's fields) that cannot be run; the message names the field. */
public final class RequestException extends IllegalArgumentException {
  public RequestException(String message) {
    super(message);
  }
}
