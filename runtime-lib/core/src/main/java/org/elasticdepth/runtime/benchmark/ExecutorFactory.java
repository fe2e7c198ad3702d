package org.elasticdepth.runtime.benchmark;

import org.elasticdepth.runtime.spi.BlockExecutor;

/**
 * Creates a fresh executor for one configuration of the suite, e.g. "CPU, 4 threads" or "GPU".
 * Called on the suite's thread; a factory that throws marks that configuration as failed.
 */
@FunctionalInterface
public interface ExecutorFactory {
  BlockExecutor create();
}
