package org.elasticdepth.exporter.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.elasticdepth.exporter.data.Augmentation;
import org.elasticdepth.exporter.data.DataSplits;
import org.elasticdepth.exporter.data.ImageSet;
import org.elasticdepth.exporter.data.Normalization;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.VitConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains a run: AdamW, warm-up + cosine or multi-step schedule, the objective of the run's {@link TrainingMode},
 * a validation pass and an atomic checkpoint after every epoch.
 *
 * <p>Reproducible on CPU for a fixed seed and thread count: initialisation, shuffling and augmentation come from
 * Java {@link Random}s derived from (seed, epoch), and the engine's RNG (dropout) is re-seeded every epoch, so a run
 * resumed from a checkpoint continues exactly as an uninterrupted one.
 *
 * <p>A NaN or infinite loss stops training with {@link TrainingDivergedException}; the last good checkpoint is kept.
 */
public final class Trainer {
    /** Non-finite steps in a row after which training counts as diverged (isolated ones are skipped). */
    static final int MAX_CONSECUTIVE_SKIPS = 5;

    private final Path runDir;
    private final RunConfig config;
    private final TrainingListener listener;

    public Trainer(Path runDir, RunConfig config, TrainingListener listener) {
        this.runDir = runDir;
        this.config = config;
        this.listener = listener;
    }

    /**
     * Trains from scratch, or from the run's latest checkpoint if {@code resume}, until the configured epochs.
     *
     * @param maxSteps stop after this many steps in total (for tests; {@code Long.MAX_VALUE} normally); a partial
     *                 epoch is not checkpointed
     * @return the final training state
     */
    public TrainingState train(DataSplits data, boolean resume, long maxSteps) throws IOException {
        TrainingOptions options = config.training();
        VitConfig vit = config.model();
        CheckpointStore store = new CheckpointStore(runDir);
        ImageSet train = data.train();
        int batch = Math.min(options.batchSize(), train.size());
        int stepsPerEpoch = train.size() / batch;
        LearningRateSchedule schedule = new LearningRateSchedule(options, stepsPerEpoch);
        Objective objective = new Objective(options, vit.depth());
        Augmentation augmentation = Augmentation.parse(config.data().augmentation(), vit.imageSize());

        Checkpoint start = null;
        if (resume) {
            CheckpointStore.Loaded loaded = store.load(true);
            if (loaded.warning() != null) {
                listener.message("warning: " + loaded.warning());
            }
            start = loaded.checkpoint();
        }
        try (ElasticVit model = start == null ? ElasticVit.initialize(vit, options.mode().headLayout(), options.seed())
                : RunDirectory.modelFrom(config, start, runDir);
             AdamW optimizer = new AdamW(updatedWeights(model, options), options.weightDecay(),
                     options.gradientClip());
             NDManager batches = NDManager.newBaseManager();
             BatchPrefetcher.Loader loader = new BatchPrefetcher.Loader()) {
            List<EpochMetrics> history = new ArrayList<>();
            int firstEpoch = 1;
            long step = 0;
            if (start != null) {
                optimizer.load(start.optimizer());
                history.addAll(start.state().history());
                firstEpoch = start.state().epochsCompleted() + 1;
                step = start.state().steps();
                listener.message(start.state().epochsCompleted() == 0
                        ? "starting from the pretrained weights (epoch-0 checkpoint)"
                        : "resuming after epoch " + start.state().epochsCompleted() + " (step " + step + ")");
            }
            TrainingState state = new TrainingState(firstEpoch - 1, step, history);
            for (int epoch = firstEpoch; epoch <= options.epochs() && step < maxSteps; epoch++) {
                Engine.getInstance().setRandomSeed((int) (options.seed() * 1009 + epoch));
                int[] order = permutation(train.size(), new Random(options.seed() * 1_000_003L + epoch));
                Random augmentRandom = new Random(options.seed() * 7_919L + epoch * 104_729L);
                listener.epochStarted(epoch, options.epochs(), stepsPerEpoch);
                long started = System.nanoTime();
                double lossSum = 0;
                long correct = 0;
                long seen = 0;
                int stepsDone = 0;
                int consecutiveSkips = 0;
                int skipped = 0;
                BatchPrefetcher prefetcher = new BatchPrefetcher(loader, train, order, batch, augmentation,
                        augmentRandom, config.normalization());
                for (int s = 0; s < stepsPerEpoch && step < maxSteps; s++, step++) {
                    int[] indices = Arrays.copyOfRange(order, s * batch, (s + 1) * batch);
                    float lr = schedule.at(step);
                    float loss;
                    try (NDManager sub = batches.newSubManager()) {
                        float[] pixels = prefetcher.take(s, s + 1 < stepsPerEpoch);
                        NDArray images = ElasticVit.torchOwned(sub.create(pixels, new Shape(batch, vit.channels(),
                                vit.imageSize(), vit.imageSize())));
                        int[] labels = new int[batch];
                        for (int i = 0; i < batch; i++) {
                            labels[i] = train.label(indices[i]);
                        }
                        NDArray labelArray = ElasticVit.torchOwned(sub.create(labels));
                        NDArray oneHot = labelArray.oneHot(vit.numClasses());
                        NDArray lastLogits = null;
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            NDList features = model.forwardFeatures(images, true);
                            Objective.StepLoss stepLoss = objective.loss(model, step, features, oneHot);
                            loss = stepLoss.loss().getFloat();
                            if (Float.isFinite(loss)) {
                                collector.backward(stepLoss.loss());
                                lastLogits = stepLoss.lastLogits();
                            }
                        }
                        // A non-finite loss or gradient skips the update (loss-scaler style); only a run of them
                        // means the model itself has diverged.
                        if (lastLogits == null || !optimizer.step(lr)) {
                            consecutiveSkips++;
                            String what = lastLogits == null ? "loss " + loss : "gradient norm not finite";
                            if (consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) {
                                throw new TrainingDivergedException("the loss stayed non-finite for "
                                        + consecutiveSkips + " steps in a row (" + what + ") at epoch " + epoch
                                        + ", step " + (s + 1) + "; training stopped. " + lastGood(state, store)
                                        + " Try a lower --lr.");
                            }
                            listener.message("warning: epoch " + epoch + ", step " + (s + 1) + " skipped (" + what
                                    + ")");
                            skipped++;
                            continue;
                        }
                        consecutiveSkips = 0;
                        correct += lastLogits.argMax(1).toType(labelArray.getDataType(), false).eq(labelArray).sum()
                                .toType(DataType.INT64, false).getLong();
                    }
                    lossSum += loss;
                    seen += batch;
                    stepsDone++;
                    listener.stepDone(stepsDone, lossSum / stepsDone, (double) correct / seen, lr);
                }
                if (stepsDone + skipped < stepsPerEpoch) {
                    break; // maxSteps reached mid-epoch: nothing to checkpoint
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                double[] validation = Evaluation.run(model, data.validation(), config.normalization()).layerAccuracy();
                history.add(new EpochMetrics(epoch, lossSum / stepsDone, (double) correct / seen, validation, seconds));
                state = new TrainingState(epoch, step, history);
                store.save(new Checkpoint(tensors(model), optimizer.state(), state));
                listener.epochDone(history.get(history.size() - 1), options.epochs());
            }
            return state;
        }
    }

    /** Normalised (and, for training, augmented) NCHW floats of the given images. */
    static float[] batchPixels(ImageSet set, int[] indices, Augmentation augmentation, Random random,
                               Normalization normalization) {
        int n = set.imageBytes();
        int plane = set.imageSize() * set.imageSize();
        long[] cropSeeds = null;
        if (augmentation.randomResizedCrop()) {
            cropSeeds = new long[indices.length];
            for (int i = 0; i < indices.length; i++) {
                cropSeeds[i] = random.nextLong();
            }
        }
        byte[] raw = new byte[indices.length * n];
        set.copyBatch(indices, cropSeeds, raw); // streamed sets decode on several threads
        byte[] augmented = new byte[n];
        float[] out = new float[indices.length * n];
        for (int i = 0; i < indices.length; i++) {
            augmentation.apply(raw, i * n, augmented, 0, set.channels(), set.imageSize(), random);
            for (int j = 0; j < n; j++) {
                out[i * n + j] = normalization.apply(augmented[j] & 0xff, j / plane);
            }
        }
        return out;
    }

    /**
     * The weights the optimiser updates: all of them, or all but the frozen stem and first blocks (those stop
     * requiring gradients, so backward does not compute them).
     */
    static Map<String, NDArray> updatedWeights(ElasticVit model, TrainingOptions options) {
        if (options.freezeBlocks() > model.config().depth()) {
            throw new IllegalArgumentException("cannot freeze " + options.freezeBlocks() + " blocks of a model of "
                    + model.config().depth());
        }
        Map<String, NDArray> updated = new LinkedHashMap<>();
        model.trainableWeights().forEach((name, array) -> {
            if (options.isFrozen(name)) {
                array.setRequiresGradient(false);
            } else {
                updated.put(name, array);
            }
        });
        return updated;
    }

    static Map<String, TensorArchive.Tensor> tensors(ElasticVit model) {
        return Checkpoint.weightsOf(model);
    }

    private String lastGood(TrainingState state, CheckpointStore store) {
        if (state.epochsCompleted() == 0 || !store.exists()) {
            return "No checkpoint had been written yet.";
        }
        return "The last good checkpoint (epoch " + state.epochsCompleted() + ") is kept in "
                + runDir.resolve(CheckpointStore.LATEST) + ".";
    }

    private static int[] permutation(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
