package org.elasticdepth.exporter.cli;

/** PyTorch engine settings that must be made before DJL loads the engine. */
final class Engines {
    private Engines() {
    }

    /**
     * Intra-op threads for PyTorch. 0 picks half the cores (at least one): PyTorch's OpenMP threads spin while
     * waiting, and on a small shared machine one thread per core ran five times slower than one thread in total.
     */
    static void threads(int threads) {
        int chosen = threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(chosen));
    }
}
