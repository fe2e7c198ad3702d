package org.elasticdepth.exporter.imports;

import org.elasticdepth.exporter.cli.CliRunner;
import org.elasticdepth.exporter.data.SyntheticFolder;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.train.EpochMetrics;
import org.elasticdepth.exporter.train.RunDirectory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * {@code train --init-from}: a model pretrained with last-layer CE (weak shallow exits), saved as a timm-layout
 * safetensors file with its config.json beside it, fine-tuned with the aligned loss on the same classes.
 */
public class InitFromTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    private static final Pattern BEFORE = Pattern.compile("before fine-tuning:((?: [0-9.]+)+)");
    private static Path folder;
    private static Path pretrainedRun;
    private static Path checkpointDir;
    private static double[] pretrainedValidation;

    private static final List<String> COMMON = List.of("--data", "", "--validation-size", "24", "--batch-size", "16",
            "--threads", "1", "--no-progress-bar", "--seed", "5");

    @BeforeClass
    public static void pretrain() throws Exception {
        Path root = tmp.getRoot().toPath();
        // faint colours and one epoch of last-layer CE: the last layer is good, the shallow ones are not
        folder = SyntheticFolder.write(root.resolve("colours"), 3, 40, 24, 1, 0.15);
        pretrainedRun = root.resolve("pretrained");
        CliRunner cli = new CliRunner();
        assertEquals(cli.err(), 0, cli.run(args("--out", pretrainedRun.toString(), "--mode", "standard",
                "--image-size", "16", "--channels", "3", "--patch", "4", "--dim", "16", "--depth", "4", "--heads", "2",
                "--mlp-dim", "32", "--epochs", "1", "--lr", "3e-3")));
        RunDirectory run = RunDirectory.open(pretrainedRun);
        List<EpochMetrics> history = run.state().history();
        pretrainedValidation = history.get(history.size() - 1).validationLayerAccuracy();
        // the layout the PyTorch trainer hands over: model.safetensors + the run's config.json
        checkpointDir = Files.createDirectory(root.resolve("checkpoint"));
        try (ElasticVit model = run.loadModel()) {
            TimmLayout.write(model, checkpointDir.resolve("model.safetensors"));
        }
        Files.copy(pretrainedRun.resolve(RunDirectory.CONFIG), checkpointDir.resolve(RunDirectory.CONFIG));
    }

    @Test
    public void fineTuningStartsAtThePretrainedAccuracyAndImprovesShallowLayers() throws Exception {
        assertTrue("pretrained " + Arrays.toString(pretrainedValidation),
                pretrainedValidation[3] >= 0.7 && pretrainedValidation[0] <= pretrainedValidation[3] - 0.1);
        Path out = tmp.getRoot().toPath().resolve("finetuned");
        CliRunner cli = new CliRunner();
        assertEquals(cli.err(), 0, cli.run(args("--out", out.toString(), "--init-from", checkpointDir.toString(),
                "--epochs", "3", "--lr", "2e-3")));
        assertTrue(cli.out(), cli.out().contains("head kept (3 classes)"));
        double[] before = before(cli.out());
        assertEquals("the shared head at the last layer starts where the pretrained model was",
                pretrainedValidation[3], before[3], 1e-4);
        double[] after = lastValidation(out);
        System.out.println("init-from: pretrained (standard CE) validation per layer " + Arrays.toString(
                pretrainedValidation) + ", fine-tune starts at " + Arrays.toString(before) + ", after 3 aligned epochs "
                + Arrays.toString(after));
        assertTrue("layer 1: " + before[0] + " -> " + after[0], after[0] > before[0] + 0.1);
        assertTrue("last layer stays good: " + after[3], after[3] >= 0.7);
        RunDirectory run = RunDirectory.open(out);
        assertEquals(RunDirectory.open(pretrainedRun).normalization(), run.normalization());
    }

    @Test
    public void anInterruptedFineTuneResumesFromThePretrainedWeightsExactly() throws Exception {
        Path whole = tmp.getRoot().toPath().resolve("whole");
        Path interrupted = tmp.getRoot().toPath().resolve("interrupted");
        CliRunner cli = new CliRunner();
        List<String> fineTune = List.of("--init-from", pretrainedRun.toString(), "--epochs", "2", "--lr", "2e-3");
        assertEquals(cli.err(), 0, cli.run(args(concat(fineTune, "--out", whole.toString())).toArray(new String[0])));
        // stopped after 2 steps of epoch 1: only the epoch-0 checkpoint (pretrained weights) is on disk, as after a
        // kill before the first epoch ends
        assertEquals(cli.err(), 0, cli.run(args(concat(fineTune, "--out", interrupted.toString(), "--max-steps",
                "2")).toArray(new String[0])));
        assertEquals(0, RunDirectory.open(interrupted).epochsCompleted());
        assertEquals(cli.err(), 0, cli.run("train", "--out", interrupted.toString(), "--resume", "--no-progress-bar"));
        assertTrue(cli.out(), cli.out().contains("starting from the pretrained weights (epoch-0 checkpoint)"));
        assertEquals(2, RunDirectory.open(interrupted).epochsCompleted());
        Map<String, float[]> expected = weights(whole);
        weights(interrupted).forEach((name, values) -> assertArrayEquals(name, expected.get(name), values, 0f));
    }

    @Test
    public void aDifferentClassCountGetsAFreshHeadAndFrozenBlocksStayPut() throws Exception {
        Path four = SyntheticFolder.write(tmp.getRoot().toPath().resolve("four"), 4, 25, 24, 2);
        Path out = tmp.getRoot().toPath().resolve("four-classes");
        CliRunner cli = new CliRunner();
        List<String> a = new ArrayList<>(List.of(args("--out", out.toString(), "--init-from", pretrainedRun.toString(),
                "--epochs", "1", "--freeze-blocks", "2")));
        a.set(a.indexOf(folder.toString()), four.toString());
        assertEquals(cli.err(), 0, cli.run(a.toArray(new String[0])));
        assertTrue(cli.out(), cli.out().contains("new head (fresh LayerNorm + Linear) for 4 classes (the pretrained "
                + "head has 3)") && cli.out().contains("blocks 1..2 frozen"));
        RunDirectory run = RunDirectory.open(out);
        assertEquals(List.of("blue", "green", "red", "yellow"), run.labels());
        assertEquals(2, run.config().training().freezeBlocks());
        Map<String, float[]> pretrained = weights(pretrainedRun);
        Map<String, float[]> tuned = weights(out);
        for (String name : tuned.keySet()) {
            boolean frozen = name.startsWith("stem.") || name.startsWith("block1.") || name.startsWith("block2.");
            if (frozen) {
                assertArrayEquals(name, pretrained.get(name), tuned.get(name), 0f);
            } else if (name.startsWith("block4.") && name.endsWith("weight")) {
                assertFalse(name + " trained", Arrays.equals(pretrained.get(name), tuned.get(name)));
            }
        }
        assertEquals(4 * 16, tuned.get("head.fc.weight").length);
    }

    @Test
    public void badFineTuneOptionsAreClearErrors() throws Exception {
        CliRunner cli = new CliRunner();
        Path out = tmp.getRoot().toPath().resolve("bad");
        assertEquals(1, cli.run(args("--out", out.toString(), "--init-from", pretrainedRun.toString(), "--dim", "32")));
        assertTrue(cli.err(), cli.err().contains("--dim 32 does not match"));
        assertEquals(1, cli.run(args("--out", out.toString(), "--freeze-blocks", "1")));
        assertTrue(cli.err(), cli.err().contains("--freeze-blocks needs --init-from"));
        assertEquals(1, cli.run(args("--out", out.toString(), "--init-from", pretrainedRun.toString(),
                "--freeze-blocks", "5")));
        assertTrue(cli.err(), cli.err().contains("exceeds the model's 4 blocks"));
        assertEquals(1, cli.run(args("--out", out.toString(), "--init-from", pretrainedRun.toString(), "--preset",
                "deit-tiny")));
        assertTrue(cli.err(), cli.err().contains("--preset deit-tiny does not match"));
        Path bare = Files.createDirectory(tmp.getRoot().toPath().resolve("bare"));
        Files.copy(checkpointDir.resolve("model.safetensors"), bare.resolve("model.safetensors"));
        assertEquals(1, cli.run(args("--out", out.toString(), "--init-from", bare.toString())));
        assertTrue(cli.err(), cli.err().contains("--heads"));
        assertFalse(Files.exists(out.resolve(RunDirectory.CONFIG)));
    }

    private static String[] args(String... extra) {
        return args(List.of(extra)).toArray(new String[0]);
    }

    private static List<String> args(List<String> extra) {
        List<String> all = new ArrayList<>();
        all.add("train");
        all.addAll(COMMON);
        all.set(all.indexOf(""), folder.toString());
        all.addAll(extra);
        return all;
    }

    private static List<String> concat(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }

    private static double[] before(String out) {
        Matcher m = BEFORE.matcher(out);
        assertTrue(out, m.find());
        return Arrays.stream(m.group(1).trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
    }

    private static double[] lastValidation(Path run) throws Exception {
        List<EpochMetrics> history = RunDirectory.open(run).state().history();
        return history.get(history.size() - 1).validationLayerAccuracy();
    }

    private static Map<String, float[]> weights(Path run) throws Exception {
        try (ElasticVit model = RunDirectory.open(run).loadModel()) {
            return model.namedWeights();
        }
    }
}
