package org.elasticdepth.exporter.train;

/**
 * Training hyper-parameters (stored in the run's {@code config.json}).
 *
 * @param mode          objective
 * @param epochs        passes over the training split
 * @param batchSize     images per step (the last partial batch of an epoch is dropped)
 * @param learningRate  peak AdamW learning rate
 * @param weightDecay   decoupled AdamW weight decay, applied to matrices only (not biases, norms, CLS, position)
 * @param schedule      {@code cosine} (linear warm-up then cosine to 0) or {@code multistep} (warm-up, then x0.1 at
 *                      50% and 75% of the steps, the paper's schedule)
 * @param warmupEpochs  linear warm-up length in epochs (may be fractional)
 * @param alignedOnly   aligned mode: use the aligned loss on every step instead of alternating with last-layer CE
 * @param cosregBeta    cosreg mode: weight of the cosine term
 * @param gradientClip  clip the global gradient norm to this (0 = off)
 * @param seed          initialisation, shuffling, augmentation and dropout seed
 * @param threads       PyTorch intra-op threads (0 = engine default)
 * @param freezeBlocks  fine-tuning: the stem and blocks 1..freezeBlocks keep their weights (0 = train everything;
 *                      absent in older config.json files, which reads as 0)
 */
public record TrainingOptions(TrainingMode mode, int epochs, int batchSize, float learningRate, float weightDecay,
                              String schedule, float warmupEpochs, boolean alignedOnly, float cosregBeta,
                              float gradientClip, long seed, int threads, int freezeBlocks) {
    public static final String COSINE = "cosine";
    public static final String MULTISTEP = "multistep";
    public static final float DEFAULT_GRADIENT_CLIP = 1f;

    /** Gradient clipping at norm {@value #DEFAULT_GRADIENT_CLIP} (the CLI default). */
    public TrainingOptions(TrainingMode mode, int epochs, int batchSize, float learningRate, float weightDecay,
                           String schedule, float warmupEpochs, boolean alignedOnly, float cosregBeta, long seed,
                           int threads) {
        this(mode, epochs, batchSize, learningRate, weightDecay, schedule, warmupEpochs, alignedOnly, cosregBeta,
                DEFAULT_GRADIENT_CLIP, seed, threads);
    }

    /** Every weight trained. */
    public TrainingOptions(TrainingMode mode, int epochs, int batchSize, float learningRate, float weightDecay,
                           String schedule, float warmupEpochs, boolean alignedOnly, float cosregBeta,
                           float gradientClip, long seed, int threads) {
        this(mode, epochs, batchSize, learningRate, weightDecay, schedule, warmupEpochs, alignedOnly, cosregBeta,
                gradientClip, seed, threads, 0);
    }

    public TrainingOptions {
        if (mode == null) {
            throw new IllegalArgumentException("training mode is required");
        }
        if (epochs < 1 || batchSize < 1) {
            throw new IllegalArgumentException("epochs and batch size must be positive");
        }
        if (!(learningRate > 0) || weightDecay < 0 || warmupEpochs < 0 || cosregBeta < 0 || gradientClip < 0
                || threads < 0) {
            throw new IllegalArgumentException("learning rate must be positive; weight decay, warm-up, beta and threads"
                    + " must not be negative");
        }
        if (freezeBlocks < 0) {
            throw new IllegalArgumentException("frozen blocks must not be negative, got " + freezeBlocks);
        }
        if (!COSINE.equals(schedule) && !MULTISTEP.equals(schedule)) {
            throw new IllegalArgumentException("schedule must be cosine or multistep, got " + schedule);
        }
    }

    /** The same options with the stem and blocks 1..{@code blocks} frozen. */
    public TrainingOptions withFreezeBlocks(int blocks) {
        return new TrainingOptions(mode, epochs, batchSize, learningRate, weightDecay, schedule, warmupEpochs,
                alignedOnly, cosregBeta, gradientClip, seed, threads, blocks);
    }

    /** True if the weight named {@code name} (contract name) stays frozen under these options. */
    public boolean isFrozen(String name) {
        if (freezeBlocks == 0) {
            return false;
        }
        if (name.startsWith("stem.")) {
            return true;
        }
        if (name.startsWith("block")) {
            int dot = name.indexOf('.');
            return Integer.parseInt(name.substring("block".length(), dot)) <= freezeBlocks;
        }
        return false;
    }
}
