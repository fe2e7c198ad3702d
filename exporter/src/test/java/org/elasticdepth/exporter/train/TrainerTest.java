package org.elasticdepth.exporter.train;

import org.elasticdepth.exporter.data.DataSplits;
import org.elasticdepth.exporter.model.ElasticVit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class TrainerTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final DataSplits data = SyntheticData.splits();

    @Test
    public void alignedTrainingLowersShallowLayerLossMoreThanStandard() throws Exception {
        double before = shallowLoss(SyntheticData.config(TrainingMode.STANDARD, 1, 3e-3f, 7), 0);
        double standard = shallowLoss(SyntheticData.config(TrainingMode.STANDARD, 5, 3e-3f, 7), 40);
        double aligned = shallowLoss(SyntheticData.config(TrainingMode.ALIGNED, 5, 3e-3f, 7), 40);
        assertTrue("aligned should lower the layer-1 loss more: before " + before + ", standard " + standard
                + ", aligned " + aligned, before - aligned > 1.5 * (before - standard) && aligned < standard - 0.05);
    }

    /** Validation cross-entropy of the shared head at layer 1 after {@code steps} steps (0 = at initialisation). */
    private double shallowLoss(RunConfig config, long steps) throws Exception {
        Path dir = temp.newFolder().toPath();
        RunDirectory.writeConfig(dir, config);
        ElasticVit model;
        if (steps == 0) {
            model = ElasticVit.initialize(config.model(), config.training().mode().headLayout(),
                    config.training().seed());
        } else {
            new Trainer(dir, config, TrainingListener.SILENT).train(data, false, Long.MAX_VALUE);
            model = RunDirectory.open(dir).loadModel();
        }
        try (model) {
            Evaluation.SetOutputs out = Evaluation.run(model, data.validation(), config.normalization());
            double loss = 0;
            for (int i = 0; i < out.size(); i++) {
                loss -= Math.log(Math.max(out.probabilities()[0][i][out.labels()[i]], 1e-12));
            }
            return loss / out.size();
        }
    }

    @Test
    public void everyModeTrainsAndLowersItsLoss() throws Exception {
        for (TrainingMode mode : TrainingMode.values()) {
            RunConfig config = SyntheticData.config(mode, 2, 3e-3f, 1);
            Path dir = temp.newFolder().toPath();
            RunDirectory.writeConfig(dir, config);
            TrainingState state = new Trainer(dir, config, TrainingListener.SILENT).train(data, false, Long.MAX_VALUE);
            EpochMetrics first = state.history().get(0);
            EpochMetrics second = state.history().get(1);
            assertTrue(mode + ": " + first.trainLoss() + " -> " + second.trainLoss(),
                    Double.isFinite(second.trainLoss()) && second.trainLoss() < first.trainLoss());
            try (ElasticVit model = RunDirectory.open(dir).loadModel()) {
                assertEquals(mode.headLayout(), model.headLayout());
            }
        }
    }

    @Test
    public void resumedTrainingMatchesUninterruptedTraining() throws Exception {
        RunConfig twoEpochs = SyntheticData.config(TrainingMode.ALIGNED, 2, 2e-3f, 11);
        Path straight = temp.newFolder().toPath();
        RunDirectory.writeConfig(straight, twoEpochs);
        new Trainer(straight, twoEpochs, TrainingListener.SILENT).train(data, false, Long.MAX_VALUE);

        Path interrupted = temp.newFolder().toPath();
        RunDirectory.writeConfig(interrupted, twoEpochs);
        // stop in the middle of epoch 2 (8 steps per epoch): only epoch 1 is checkpointed
        TrainingState partial = new Trainer(interrupted, twoEpochs, TrainingListener.SILENT).train(data, false, 12);
        assertEquals(1, partial.epochsCompleted());
        TrainingState resumed = new Trainer(interrupted, twoEpochs, TrainingListener.SILENT).train(data, true,
                Long.MAX_VALUE);
        assertEquals(2, resumed.epochsCompleted());
        assertEquals(16, resumed.steps());

        try (ElasticVit a = RunDirectory.open(straight).loadModel();
             ElasticVit b = RunDirectory.open(interrupted).loadModel()) {
            Map<String, float[]> wa = a.namedWeights();
            Map<String, float[]> wb = b.namedWeights();
            for (String name : wa.keySet()) {
                assertArrayEquals(name, wa.get(name), wb.get(name), 1e-6f);
            }
        }
    }

    @Test
    public void nanLossStopsTrainingAndKeepsTheLastGoodCheckpoint() throws Exception {
        Path dir = temp.newFolder().toPath();
        RunConfig good = SyntheticData.config(TrainingMode.STANDARD, 1, 2e-3f, 5);
        RunDirectory.writeConfig(dir, good);
        new Trainer(dir, good, TrainingListener.SILENT).train(data, false, Long.MAX_VALUE);
        Map<String, float[]> saved;
        try (ElasticVit model = RunDirectory.open(dir).loadModel()) {
            saved = model.namedWeights();
        }
        // an absurd learning rate blows the weights up within a couple of steps
        RunConfig exploding = SyntheticData.config(TrainingMode.STANDARD, 3, 1e30f, 5);
        try {
            new Trainer(dir, exploding, TrainingListener.SILENT).train(data, true, Long.MAX_VALUE);
            fail("training went on with a non-finite loss");
        } catch (TrainingDivergedException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("epoch 2"));
            assertTrue(e.getMessage(), e.getMessage().contains("last good checkpoint (epoch 1)"));
        }
        RunDirectory run = RunDirectory.open(dir);
        assertEquals(1, run.epochsCompleted());
        try (ElasticVit model = run.loadModel()) {
            assertArrayEquals(saved.get("head.fc.weight"), model.namedWeights().get("head.fc.weight"), 0f);
        }
    }

    @Test
    public void corruptCheckpointIsReportedAndThePreviousOneKept() throws Exception {
        Path dir = temp.newFolder().toPath();
        RunConfig config = SyntheticData.config(TrainingMode.STANDARD, 2, 2e-3f, 3);
        RunDirectory.writeConfig(dir, config);
        new Trainer(dir, config, TrainingListener.SILENT).train(data, false, Long.MAX_VALUE);
        Path model = dir.resolve(CheckpointStore.LATEST).resolve("model.tensors");
        try (RandomAccessFile file = new RandomAccessFile(model.toFile(), "rw")) {
            file.seek(file.length() / 2);
            int b = file.read();
            file.seek(file.length() / 2);
            file.write(b ^ 0x55);
        }
        try {
            RunDirectory.open(dir);
            fail("corrupt checkpoint accepted");
        } catch (CheckpointException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("corrupt"));
            assertTrue(e.getMessage(), e.getMessage().contains("previous checkpoint"));
        }
        assertTrue(Files.isDirectory(dir.resolve(CheckpointStore.PREVIOUS)));
        CheckpointStore.Loaded loaded = new CheckpointStore(dir).load(true);
        assertEquals(1, loaded.checkpoint().state().epochsCompleted());
        assertTrue(loaded.warning().contains("continuing"));
    }
}
