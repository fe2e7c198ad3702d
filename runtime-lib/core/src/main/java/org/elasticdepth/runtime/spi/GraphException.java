package org.elasticdepth.runtime.spi;

import org.elasticdepth.runtime.ElasticRuntimeException;

/** A graph could not be loaded or run by any accelerator (the message names the graph and why). */
public class GraphException extends ElasticRuntimeException {
  public GraphException(String message) {
    super(message);
  }

  public GraphException(String message, Throwable cause) {
    super(message, cause);
  }
}
