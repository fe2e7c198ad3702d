package org.elasticdepth.exporter.ddp;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import org.elasticdepth.exporter.imports.TimmLayout;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * Bad input to the PyTorch DDP trainer: one clear line (exit status 2), nothing half-written. All cases run in one
 * Python process (ddp_trainer_cases.py) because importing torch takes seconds.
 *
 * <p>A corrupt image stops the trainer before it trains, naming every bad file: the exporter reads the same folder
 * (calibrate, evaluate, verify --checkpoint) and stops on it too, and skipping it would shift the exporter's
 * index-based validation split against the trainer's.
 */
public class DdpTrainerBadInputTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    private static Path root;
    private static List<JsonObject> results;

    private enum Case {
        TRAIN_ONE_EPOCH, RESUME_WITH_ANOTHER_SHAPE, SAME_OUT_WITHOUT_RESUME, RESUME_WITHOUT_A_RUN, NO_IMAGES,
        NO_TRAIN_TEST_FOLDERS, CLASSES_DIFFER, CORRUPT_IMAGE, CUT_SHORT_CHECKPOINT
    }

    @BeforeClass
    public static void runAllCases() throws Exception {
        PythonTorch.require();
        root = tmp.getRoot().toPath();
        Path good = TinyImageFolder.write(root.resolve("good"), 6, 2, 3);

        Path empty = root.resolve("empty");
        for (String split : List.of("train", "test")) {
            for (String c : List.of("a", "b")) {
                Files.createDirectories(empty.resolve(split).resolve(c));
            }
        }
        Path flat = TinyImageFolder.write(root.resolve("flat-holder"), 2, 1, 4).resolve("train"); // no train/ inside
        Path differ = TinyImageFolder.write(root.resolve("differ"), 6, 2, 3);
        Files.move(differ.resolve("test/dot"), differ.resolve("test/square"));
        Path corrupt = TinyImageFolder.write(root.resolve("corrupt"), 6, 2, 3);
        Files.write(corrupt.resolve("train/bar/zz_broken.png"), "not a PNG at all".getBytes(StandardCharsets.UTF_8));
        byte[] png = Files.readAllBytes(corrupt.resolve("test/dot/000.png"));
        Files.write(corrupt.resolve("test/dot/zz_truncated.png"), Arrays.copyOf(png, png.length / 2));
        Path truncated = Files.createDirectories(root.resolve("truncated-run"));

        Map<Case, List<String>> cases = new java.util.EnumMap<>(Case.class);
        cases.put(Case.TRAIN_ONE_EPOCH, args(good, root.resolve("run"), "--dim", "16"));
        cases.put(Case.RESUME_WITH_ANOTHER_SHAPE, args(good, root.resolve("run"), "--dim", "24", "--resume"));
        cases.put(Case.SAME_OUT_WITHOUT_RESUME, args(good, root.resolve("run"), "--dim", "16"));
        cases.put(Case.RESUME_WITHOUT_A_RUN, args(good, root.resolve("nothing-here"), "--dim", "16", "--resume"));
        cases.put(Case.NO_IMAGES, args(empty, root.resolve("out-empty"), "--dim", "16"));
        cases.put(Case.NO_TRAIN_TEST_FOLDERS, args(flat, root.resolve("out-flat"), "--dim", "16"));
        cases.put(Case.CLASSES_DIFFER, args(differ, root.resolve("out-differ"), "--dim", "16"));
        cases.put(Case.CORRUPT_IMAGE, args(corrupt, root.resolve("out-corrupt"), "--dim", "16"));
        cases.put(Case.CUT_SHORT_CHECKPOINT, args(good, truncated, "--dim", "16", "--resume"));

        // a checkpoint cut short (the start of a zip archive, as torch.save writes them), beside a valid config.json
        Files.writeString(truncated.resolve("config.json"), "{\"normalization\": {\"mean\": [0.5, 0.5, 0.5], "
                + "\"std\": [0.2, 0.2, 0.2]}}");
        Files.write(truncated.resolve("checkpoint.pt"), new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 0, 0, 0});

        Path file = root.resolve("cases.json");
        Files.writeString(file, new Gson().toJson(new ArrayList<>(cases.values())));
        results = runCases(file);
    }

    @Test
    public void aGoodRunTrains() {
        assertEquals(result(Case.TRAIN_ONE_EPOCH).toString(), 0, status(Case.TRAIN_ONE_EPOCH));
    }

    @Test
    public void resumingWithAnotherShapeNamesTheDifferenceAndLeavesTheCheckpointAlone() throws Exception {
        assertFails(Case.RESUME_WITH_ANOTHER_SHAPE, "holds a model of a different shape: dim 16 (checkpoint) vs 24 "
                + "(this command)");
        // the refused resume wrote nothing: the run still holds the first run's files, of width 16, and no temp file
        try (Stream<Path> files = Files.list(root.resolve("run"))) {
            assertEquals(List.of("checkpoint.pt", "config.json", "model.safetensors", "reference.safetensors"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        assertArrayEquals(new long[] {16, 3, 4, 4}, TimmLayout.read(root.resolve("run/model.safetensors"))
                .get("patch_embed.proj.weight").shape());
    }

    @Test
    public void anExistingRunIsNotOverwritten() {
        assertFails(Case.SAME_OUT_WITHOUT_RESUME, "already holds a run; add --resume");
    }

    @Test
    public void resumeNeedsARun() {
        assertFails(Case.RESUME_WITHOUT_A_RUN, "is not a run of this trainer");
        assertFalse(Files.exists(root.resolve("nothing-here")));
    }

    @Test
    public void aFolderWithoutImagesIsNamed() {
        assertFails(Case.NO_IMAGES, "empty/train/a holds no .jpg/.jpeg/.png image");
        assertFalse(Files.exists(root.resolve("out-empty")));
    }

    @Test
    public void aFolderWithoutTrainAndTestIsExplained() {
        assertFails(Case.NO_TRAIN_TEST_FOLDERS, "needs train/ and test/ sub-folders");
    }

    @Test
    public void differentClassesInTrainAndTestAreListed() {
        assertFails(Case.CLASSES_DIFFER, "train/ and test/ have different class folders (only in train/: ['dot']; "
                + "only in test/: ['square'])");
        assertFalse(Files.exists(root.resolve("out-differ")));
    }

    @Test
    public void corruptImagesStopTrainingBeforeItStartsNamingEveryFile() throws IOException {
        String err = assertFails(Case.CORRUPT_IMAGE, "2 image(s) cannot be decoded");
        assertTrue(err, err.contains("train/bar/zz_broken.png"));
        assertTrue(err, err.contains("test/dot/zz_truncated.png"));
        Path out = root.resolve("out-corrupt");
        try (Stream<Path> files = Files.exists(out) ? Files.list(out) : Stream.empty()) {
            assertEquals("nothing written", List.of(), files.toList());
        }
    }

    @Test
    public void aCheckpointCutShortIsReportedAsUnreadable() {
        assertFails(Case.CUT_SHORT_CHECKPOINT, "checkpoint.pt is unreadable");
    }

    private static List<String> args(Path data, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("--data", data.toString(), "--out", out.toString(), "--image-size",
                "16", "--channels", "3", "--patch", "4", "--depth", "2", "--heads", "2", "--mlp-dim", "16",
                "--epochs", "1", "--batch-size", "4", "--validation-size", "2", "--workers", "0", "--augment", "none"));
        a.addAll(List.of(extra));
        return a;
    }

    private static List<JsonObject> runCases(Path file) throws Exception {
        PythonTorch.Result r = PythonTorch.run(300, Map.of(),
                PythonTorch.TEST_SCRIPTS.resolve("ddp_trainer_cases.py").toString(), file.toString());
        assertEquals(r.both(), 0, r.status());
        List<JsonObject> parsed = new ArrayList<>();
        r.out().lines().filter(l -> l.startsWith("{")).forEach(l -> parsed.add(new Gson().fromJson(l,
                JsonObject.class)));
        return parsed;
    }

    private static JsonObject result(Case c) {
        return results.get(c.ordinal());
    }

    private static int status(Case c) {
        return result(c).get("status").getAsInt();
    }

    /** Exit status 2 and one "error: ..." message containing {@code expected}; returns stderr. */
    private static String assertFails(Case c, String expected) {
        JsonObject r = result(c);
        String err = r.get("err").getAsString();
        assertEquals(r.toString(), 2, status(c));
        assertTrue(err, err.startsWith("error: "));
        assertTrue("expected '" + expected + "' in: " + err, err.contains(expected));
        assertFalse("no traceback: " + err, err.contains("Traceback"));
        return err;
    }
}
