package org.elasticdepth.exporter.train;


import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Saves and loads a run's checkpoints. Layout: {@code RUN_DIR/checkpoint/{model.tensors, optimizer.tensors,
 * state.json}} is the latest one and {@code RUN_DIR/checkpoint.prev/} the one before.
 *
 * <p>Saving writes {@code checkpoint.tmp/} completely, then renames {@code checkpoint/} to {@code checkpoint.prev/}
 * and {@code checkpoint.tmp/} to {@code checkpoint/}: a crash at any moment leaves at least one complete checkpoint.
 * Every tensor file carries a CRC, so loading detects truncation and corruption.
 */
public final class CheckpointStore {
    public static final String LATEST = "checkpoint";
    public static final String PREVIOUS = "checkpoint.prev";
    private static final String TEMP = "checkpoint.tmp";
    private static final String MODEL = "model.tensors";
    private static final String OPTIMIZER = "optimizer.tensors";
    private static final String STATE = "state.json";

    /** A loaded checkpoint and where it came from. */
    public record Loaded(Checkpoint checkpoint, Path directory, String warning) {
    }

    private final Path runDir;

    public CheckpointStore(Path runDir) {
        this.runDir = runDir;
    }

    public void save(Checkpoint checkpoint) throws IOException {
        Path tmp = runDir.resolve(TEMP);
        deleteRecursively(tmp);
        Files.createDirectories(tmp);
        TensorArchive.write(tmp.resolve(MODEL), checkpoint.weights());
        TensorArchive.write(tmp.resolve(OPTIMIZER), checkpoint.optimizer());
        AtomicFiles.writeJson(tmp.resolve(STATE), checkpoint.state());
        Path latest = runDir.resolve(LATEST);
        Path previous = runDir.resolve(PREVIOUS);
        if (Files.exists(latest)) {
            deleteRecursively(previous);
            AtomicFiles.moveAtomically(latest, previous);
        }
        AtomicFiles.moveAtomically(tmp, latest);
    }

    public boolean exists() {
        return Files.isDirectory(runDir.resolve(LATEST)) || Files.isDirectory(runDir.resolve(PREVIOUS));
    }

    /**
     * Loads the latest checkpoint. If it is missing or corrupt and {@code allowPrevious}, falls back to the
     * previous one and says so in {@link Loaded#warning()}.
     *
     * @throws CheckpointException naming what is wrong (and whether the previous checkpoint is intact)
     */
    public Loaded load(boolean allowPrevious) throws CheckpointException {
        Path latest = runDir.resolve(LATEST);
        Path previous = runDir.resolve(PREVIOUS);
        CheckpointException latestError;
        try {
            return new Loaded(read(latest), latest, null);
        } catch (CheckpointException e) {
            latestError = e;
        }
        if (!Files.isDirectory(latest) && !Files.isDirectory(previous)) {
            throw new CheckpointException("no checkpoint in " + runDir.toAbsolutePath()
                    + " (training has not completed an epoch there)");
        }
        Checkpoint fallback;
        try {
            fallback = read(previous);
        } catch (CheckpointException e) {
            throw new CheckpointException("checkpoint unusable: " + latestError.getMessage()
                    + "; the previous checkpoint is unusable too: " + e.getMessage(), latestError);
        }
        String message = "latest checkpoint unusable (" + latestError.getMessage() + "); the previous checkpoint "
                + previous + " (epoch " + fallback.state().epochsCompleted() + ") is intact and kept";
        if (!allowPrevious) {
            throw new CheckpointException(message + ". Resume training with --resume to continue from it.",
                    latestError);
        }
        return new Loaded(fallback, previous, message + "; continuing from it");
    }

    private static Checkpoint read(Path dir) throws CheckpointException {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir + " is missing");
        }
        TrainingState state;
        try {
            state = AtomicFiles.GSON.fromJson(Files.readString(dir.resolve(STATE), StandardCharsets.UTF_8),
                    TrainingState.class);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(dir.resolve(STATE) + " is missing or corrupt: " + e.getMessage(), e);
        }
        // 0 completed epochs: an imported checkpoint (pretrained weights, fresh optimiser)
        if (state == null || state.history() == null || state.epochsCompleted() < 0) {
            throw new CheckpointException(dir.resolve(STATE) + " is corrupt (no epoch count recorded)");
        }
        return new Checkpoint(TensorArchive.read(dir.resolve(MODEL)), TensorArchive.read(dir.resolve(OPTIMIZER)),
                state);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
