package org.elasticdepth.runtime.android;

import org.elasticdepth.runtime.spi.GraphException;

/**
 * A graph file's tensors contradict its manifest entry. Distinct from other {@link GraphException}s
 * only so that {@link DelegateFallback} stops at once: no other accelerator can fix a wrong graph.
 */
final class GraphSignatureException extends GraphException {
  GraphSignatureException(String message) {
    super(message);
  }
}
