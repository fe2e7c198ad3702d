package org.elasticdepth.exporter.train;

import org.elasticdepth.exporter.calibrate.Calibration;
import org.elasticdepth.exporter.data.DataSplits;
import org.elasticdepth.exporter.data.DatasetException;
import org.elasticdepth.exporter.data.Normalization;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.InputShapeException;
import org.elasticdepth.exporter.model.VitConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A training run on disk, the hand-off between training, analysis, calibration and export.
 *
 * <h2>Layout</h2>
 * <pre>
 * RUN_DIR/config.json         {@link RunConfig}: model (VitConfig), training options (mode, epochs, seed, ...),
 *                             data spec, normalisation mean/std, class labels
 * RUN_DIR/checkpoint/         latest checkpoint: model.tensors ({@link TensorArchive}, contract weight names of
 *                             {@link ElasticVit}), optimizer.tensors, state.json ({@link TrainingState})
 * RUN_DIR/checkpoint.prev/    the checkpoint before it (kept for recovery from a corrupt latest one)
 * RUN_DIR/evaluation.json     test accuracy per layer ({@code evaluate})
 * RUN_DIR/calibration.json    {@link Calibration} ({@code calibrate}): per-layer validation accuracy, the exit
 *                             frontier rows {threshold, accuracy, meanExitLayer, speedUp}, the chosen threshold
 * RUN_DIR/analysis.json       every number of the analysis ({@code analyze})
 * RUN_DIR/report/index.html   the analysis report and its plots
 * </pre>
 *
 * <p>Usage (e.g. by the exporter): {@code RunDirectory run = RunDirectory.open(dir); try (ElasticVit model =
 * run.loadModel()) { ... }}. Instances are immutable snapshots of what was on disk at {@link #open}.
 */
public final class RunDirectory {
    public static final String CONFIG = "config.json";
    public static final String CALIBRATION = "calibration.json";
    public static final String ANALYSIS = "analysis.json";
    public static final String EVALUATION = "evaluation.json";
    public static final String REPORT = "report";

    private final Path path;
    private final RunConfig config;
    private final TrainingState state;

    private RunDirectory(Path path, RunConfig config, TrainingState state) {
        this.path = path;
        this.config = config;
        this.state = state;
    }

    /**
     * Opens a run directory with at least one completed epoch.
     *
     * @throws RunDirectoryException if the directory or its {@code config.json} is missing or invalid
     * @throws CheckpointException   if there is no usable latest checkpoint (the message says whether the previous
     *                               one is intact)
     */
    public static RunDirectory open(Path dir) throws RunDirectoryException, CheckpointException {
        RunConfig config = readConfig(dir);
        CheckpointStore.Loaded loaded = new CheckpointStore(dir).load(false);
        return new RunDirectory(dir, config, loaded.checkpoint().state());
    }

    /** Reads and validates {@code config.json} alone (a run that may not have a checkpoint yet). */
    public static RunConfig readConfig(Path dir) throws RunDirectoryException {
        if (!Files.isDirectory(dir)) {
            throw new RunDirectoryException("run directory " + dir.toAbsolutePath() + " does not exist");
        }
        Path file = dir.resolve(CONFIG);
        if (!Files.isRegularFile(file)) {
            throw new RunDirectoryException(dir.toAbsolutePath() + " is not a run directory (no " + CONFIG + ")");
        }
        try {
            RunConfig config = AtomicFiles.GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8),
                    RunConfig.class);
            if (config == null) {
                throw new RunDirectoryException(file + " is empty");
            }
            if (config.formatVersion() != RunConfig.FORMAT_VERSION) {
                throw new RunDirectoryException(file + " has format version " + config.formatVersion()
                        + ", this exporter reads " + RunConfig.FORMAT_VERSION);
            }
            return config;
        } catch (IOException e) {
            throw new RunDirectoryException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new RunDirectoryException(file + " is invalid: " + cause.getMessage(), e);
        }
    }

    /** Writes {@code config.json} of a new run (atomically). */
    public static void writeConfig(Path dir, RunConfig config) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.writeJson(dir.resolve(CONFIG), config);
    }

    public Path path() {
        return path;
    }

    public RunConfig config() {
        return config;
    }

    public VitConfig modelConfig() {
        return config.model();
    }

    public TrainingMode mode() {
        return config.training().mode();
    }

    public List<String> labels() {
        return config.labels();
    }

    public Normalization normalization() {
        return config.normalization();
    }

    public long seed() {
        return config.training().seed();
    }

    /** Epochs the latest checkpoint holds. */
    public int epochsCompleted() {
        return state.epochsCompleted();
    }

    /** Epochs the run was configured for. */
    public int epochsPlanned() {
        return config.training().epochs();
    }

    public TrainingState state() {
        return state;
    }

    /**
     * The model with the latest checkpoint's weights; the caller closes it.
     *
     * @throws CheckpointException if the checkpoint is corrupt or does not match {@code config.json}
     */
    public ElasticVit loadModel() throws CheckpointException {
        Checkpoint checkpoint = new CheckpointStore(path).load(false).checkpoint();
        return modelFrom(config, checkpoint, path);
    }

    static ElasticVit modelFrom(RunConfig config, Checkpoint checkpoint, Path where) throws CheckpointException {
        Map<String, float[]> values = new LinkedHashMap<>();
        checkpoint.weights().forEach((name, tensor) -> values.put(name, tensor.values()));
        try {
            return ElasticVit.fromWeights(config.model(), config.training().mode().headLayout(), values);
        } catch (InputShapeException e) {
            throw new CheckpointException("checkpoint in " + where + " does not match its config.json: "
                    + e.getMessage(), e);
        }
    }

    /** Train / validation / test splits exactly as the run used them. */
    public DataSplits loadData() throws DatasetException {
        return DataSplits.load(config.data(), config.model().imageSize(), config.model().channels());
    }

    /** The calibration written by {@code calibrate}, if any. */
    public Optional<Calibration> calibration() throws RunDirectoryException {
        Path file = path.resolve(CALIBRATION);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Calibration.fromJson(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            throw new RunDirectoryException(file + " is unreadable: " + e.getMessage(), e);
        }
    }

    public Path calibrationFile() {
        return path.resolve(CALIBRATION);
    }

    public Path analysisFile() {
        return path.resolve(ANALYSIS);
    }

    public Path evaluationFile() {
        return path.resolve(EVALUATION);
    }

    public Path reportDirectory() {
        return path.resolve(REPORT);
    }
}
