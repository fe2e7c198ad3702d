package org.elasticdepth.exporter.train;

import org.elasticdepth.exporter.data.Augmentation;
import org.elasticdepth.exporter.data.ImageSet;
import org.elasticdepth.exporter.data.Normalization;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Prepares the next training batch (decode, augment, normalise) while the current step runs, so a streamed image
 * folder does not starve the trainer. Batches are prepared one at a time, in step order, on one loader thread, so the
 * augmentation's random draws, and therefore training, are exactly those of preparing them inline.
 */
final class BatchPrefetcher {
    /** The loader thread, shared by every epoch of a run. */
    static final class Loader implements AutoCloseable {
        private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "batch-loader");
            t.setDaemon(true);
            return t;
        });

        @Override
        public void close() {
            thread.shutdownNow();
        }
    }

    private final Loader loader;
    private final ImageSet set;
    private final int[] order;
    private final int batch;
    private final Augmentation augmentation;
    private final Random random;
    private final Normalization normalization;
    private Future<float[]> next;
    private int nextStep = -1;

    BatchPrefetcher(Loader loader, ImageSet set, int[] order, int batch, Augmentation augmentation, Random random,
                    Normalization normalization) {
        this.loader = loader;
        this.set = set;
        this.order = order;
        this.batch = batch;
        this.augmentation = augmentation;
        this.random = random;
        this.normalization = normalization;
    }

    /** The pixels of step {@code step} (steps are taken in order); starts preparing the next one if {@code more}. */
    float[] take(int step, boolean more) throws IOException {
        if (next == null || nextStep != step) {
            next = submit(step);
        }
        Future<float[]> current = next;
        next = more ? submit(step + 1) : null;
        nextStep = step + 1;
        try {
            return current.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while loading a batch", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
    }

    private Future<float[]> submit(int step) {
        int[] indices = Arrays.copyOfRange(order, step * batch, (step + 1) * batch);
        return loader.thread.submit(() -> Trainer.batchPixels(set, indices, augmentation, random, normalization));
    }
}
