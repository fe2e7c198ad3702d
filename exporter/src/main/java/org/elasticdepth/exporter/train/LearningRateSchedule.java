package org.elasticdepth.exporter.train;

/** Learning rate per step: linear warm-up, then cosine decay to zero or the paper's multi-step decay. */
public final class LearningRateSchedule {
    private final float peak;
    private final long warmupSteps;
    private final long totalSteps;
    private final boolean cosine;

    public LearningRateSchedule(TrainingOptions options, long stepsPerEpoch) {
        this.peak = options.learningRate();
        this.totalSteps = Math.max(1, stepsPerEpoch * options.epochs());
        this.warmupSteps = Math.min(totalSteps, Math.round(options.warmupEpochs() * stepsPerEpoch));
        this.cosine = TrainingOptions.COSINE.equals(options.schedule());
    }

    /** The learning rate of step {@code step} (0-based). */
    public float at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        if (cosine) {
            return (float) (peak * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
        }
        double fraction = (double) step / totalSteps;
        return peak * (fraction >= 0.75 ? 0.01f : fraction >= 0.5 ? 0.1f : 1f);
    }
}
