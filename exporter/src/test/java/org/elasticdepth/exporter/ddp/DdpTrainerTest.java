package org.elasticdepth.exporter.ddp;

import org.elasticdepth.exporter.cli.CliRunner;
import org.elasticdepth.exporter.data.DataSpec;
import org.elasticdepth.exporter.data.DataSplits;
import org.elasticdepth.exporter.data.Normalization;
import org.elasticdepth.exporter.imports.TimmLayout;
import org.elasticdepth.exporter.train.RunDirectory;
import org.elasticdepth.exporter.train.TensorArchive.Tensor;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * The PyTorch DDP trainer on two CPU ranks (gloo), started the way torchrun starts them: one process per rank with
 * exactly RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT (Debian's torchrun itself fails under
 * Python 3.11 before starting a rank, see PLATFORM.md). Like torchrun, the launcher here stops the job when a rank
 * dies.
 */
public class DdpTrainerTest {
    private static final int WORLD = 2;
    private static final int EPOCHS = 3;
    private static final int STEPS_PER_EPOCH = 8; // (3 classes x 24 - 8 validation) / (2 ranks x batch 4)
    private static final Pattern EPOCH_DONE = Pattern.compile("epoch (\\d+)/\\d+ done: loss ([0-9.]+)");

    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    private static Path data;
    private static Path uninterrupted;
    private static List<String> uninterruptedLog;

    /** The uninterrupted run both tests compare with. */
    @BeforeClass
    public static void trainOnce() throws Exception {
        PythonTorch.require();
        data = TinyImageFolder.write(tmp.newFolder("images").toPath(), 24, 6, 5);
        uninterrupted = tmp.getRoot().toPath().resolve("uninterrupted");
        List<Process> ranks = launch(uninterrupted, "--replica-dir", uninterrupted.resolve("replicas").toString());
        uninterruptedLog = waitAll(ranks, uninterrupted);
    }

    @Test
    public void twoRanksLearnAgreeAndTheirCheckpointImportsExportsAndVerifiesAgainstPyTorch() throws Exception {
        String rank0 = uninterruptedLog.get(0);
        String rank1 = uninterruptedLog.get(1);
        assertTrue(rank0, rank0.contains("2 processes x batch 4 = 8, " + STEPS_PER_EPOCH + " steps per epoch"));
        assertFalse("progress is printed by rank 0 only:\n" + rank1, rank1.contains("epoch"));
        double[] losses = epochLosses(rank0);
        assertEquals(rank0, EPOCHS, losses.length);
        assertTrue("the loss goes down: " + Arrays.toString(losses), losses[EPOCHS - 1] < 0.8 * losses[0]);

        Map<String, Tensor> replica0 = TimmLayout.read(uninterrupted.resolve("replicas/rank0.safetensors"));
        Map<String, Tensor> replica1 = TimmLayout.read(uninterrupted.resolve("replicas/rank1.safetensors"));
        assertSameTensors("rank 0 vs rank 1", replica0, replica1);
        assertSameTensors("rank 0 vs model.safetensors", replica0,
                TimmLayout.read(uninterrupted.resolve("model.safetensors")));

        // the trainer split and decoded (cropped, resized) the folder as the exporter does: same held-out images and
        // the same statistics
        RunDirectory.readConfig(uninterrupted); // a valid exporter config.json
        Normalization python = RunDirectory.readConfig(uninterrupted).normalization();
        Normalization java = DataSplits.load(new DataSpec(DataSpec.IMAGE_FOLDER, data.toString(), 8, 0.1, 11, "none"),
                TinyImageFolder.SIZE, 3).train().statistics();
        assertArrayEquals(java.mean(), python.mean(), 1e-6f);
        assertArrayEquals(java.std(), python.std(), 1e-6f);

        Path run = tmp.getRoot().toPath().resolve("imported");
        Path bundle = tmp.getRoot().toPath().resolve("bundle");
        CliRunner cli = new CliRunner();
        assertEquals(cli.out() + cli.err(), 0, cli.run("import", uninterrupted.toString(), "--out", run.toString()));
        assertEquals(cli.out() + cli.err(), 0, cli.run("calibrate", run.toString()));
        assertEquals(cli.out() + cli.err(), 0, cli.run("export", run.toString(), "--out", bundle.toString()));
        // the bundle on TFLite against PyTorch's own logits (the trainer's reference.safetensors), fp32 tolerance 1e-4
        assertEquals(cli.out() + cli.err(), 0, cli.run("verify", bundle.toString(), "--reference",
                uninterrupted.resolve("reference.safetensors").toString(), "--tolerance", "1e-4"));
        assertTrue(cli.out(), cli.out().contains("PASS"));
        System.out.println(cli.out());
        assertEquals(cli.out() + cli.err(), 0, cli.run("verify", bundle.toString(), "--checkpoint", run.toString()));
    }

    @Test
    public void killingRankOneStopsTheJobAndResumeEndsExactlyWhereTheUninterruptedRunEnds() throws Exception {
        Path out = tmp.getRoot().toPath().resolve("killed");
        // a slow step (0.2 s) so that the kill lands mid-epoch
        List<Process> ranks = launch(out, "--step-delay", "0.2");
        Path log0 = out.resolveSibling("killed.rank0.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!PythonTorch.read(log0).contains("epoch 2/" + EPOCHS + " step 2/")) {
            if (System.nanoTime() > deadline || !ranks.get(0).isAlive()) {
                ranks.forEach(Process::destroyForcibly);
                fail("rank 0 never reached epoch 2, step 2:\n" + PythonTorch.read(log0));
            }
            Thread.sleep(50);
        }
        ranks.get(1).destroyForcibly().waitFor(); // SIGKILL, mid-epoch 2
        // torchrun's behaviour: once a worker dies, the others are stopped; rank 0 also fails by itself here
        boolean stoppedByItself = ranks.get(0).waitFor(60, TimeUnit.SECONDS);
        if (!stoppedByItself) {
            ranks.get(0).destroyForcibly().waitFor();
        }
        String killedLog = PythonTorch.read(log0);
        assertNotEquals(killedLog, 0, ranks.get(0).exitValue());
        assertTrue(killedLog, killedLog.contains("epoch 1/" + EPOCHS + " done"));
        assertFalse(killedLog, killedLog.contains("epoch 2/" + EPOCHS + " done"));
        System.out.println("rank 0 after rank 1 was killed (" + (stoppedByItself ? "exited by itself" : "stopped")
                + "):\n" + killedLog.lines().skip(Math.max(0, killedLog.lines().count() - 3))
                .reduce("", (a, b) -> a + b + "\n"));
        assertFalse("no temporary file is left", Files.list(out).anyMatch(p -> p.toString().contains(".tmp")));

        List<String> resumed = waitAll(launch(out, "--resume"), out);
        assertTrue(resumed.get(0), resumed.get(0).contains("resuming after epoch 1 (step " + STEPS_PER_EPOCH + ")"));
        assertTrue(resumed.get(0), resumed.get(0).contains("epoch " + EPOCHS + "/" + EPOCHS + " done"));
        assertSameTensors("resumed vs uninterrupted", TimmLayout.read(uninterrupted.resolve("model.safetensors")),
                TimmLayout.read(out.resolve("model.safetensors")));
        assertEquals(Arrays.toString(epochLosses(uninterruptedLog.get(0))).substring(0, 1), "[");
        double[] expected = epochLosses(uninterruptedLog.get(0));
        double[] got = epochLosses(resumed.get(0));
        assertEquals(expected[EPOCHS - 1], got[got.length - 1], 0.0);
    }

    /** Starts the ranks as torchrun would; each rank's output goes to OUT.rank{r}.log (beside OUT). */
    static List<Process> launch(Path out, String... extra) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<Process> ranks = new ArrayList<>();
        for (int rank = 0; rank < WORLD; rank++) {
            List<String> args = new ArrayList<>(List.of(PythonTorch.TRAINER.toString(), "--data", data.toString(),
                    "--out", out.toString(), "--image-size", "16", "--channels", "3", "--patch", "4", "--dim", "16",
                    "--depth", "3", "--heads", "2", "--mlp-dim", "32", "--mode", "aligned", "--epochs",
                    String.valueOf(EPOCHS), "--batch-size", "4", "--lr", "3e-3", "--warmup-epochs", "0.5",
                    "--validation-size", "8", "--augment", "flip", "--seed", "11", "--workers", "0",
                    "--log-every", "1"));
            args.addAll(List.of(extra));
            ranks.add(PythonTorch.start(Map.of("RANK", String.valueOf(rank), "LOCAL_RANK", String.valueOf(rank),
                    "WORLD_SIZE", String.valueOf(WORLD), "MASTER_ADDR", "127.0.0.1", "MASTER_PORT",
                    String.valueOf(port)), out.resolveSibling(out.getFileName() + ".rank" + rank + ".log"),
                    args.toArray(String[]::new)));
        }
        return ranks;
    }

    /** Waits for every rank (stopping all if one fails, as torchrun does); each must exit 0. */
    static List<String> waitAll(List<Process> ranks, Path out) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        List<String> logs = new ArrayList<>();
        for (int rank = 0; rank < ranks.size(); rank++) {
            Process p = ranks.get(rank);
            if (!p.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                ranks.forEach(Process::destroyForcibly);
            }
            String log = PythonTorch.read(out.resolveSibling(out.getFileName() + ".rank" + rank + ".log"));
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() != 0 || p.isAlive()) {
                ranks.forEach(Process::destroyForcibly);
                fail("rank " + rank + " failed:\n" + log);
            }
            logs.add(log);
        }
        return logs;
    }

    static double[] epochLosses(String log) {
        Matcher m = EPOCH_DONE.matcher(log);
        List<Double> losses = new ArrayList<>();
        while (m.find()) {
            losses.add(Double.parseDouble(m.group(2)));
        }
        return losses.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static void assertSameTensors(String what, Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(what, expected.keySet(), actual.keySet());
        expected.forEach((name, tensor) -> {
            assertArrayEquals(what + ": " + name + " shape", tensor.shape(), actual.get(name).shape());
            assertArrayEquals(what + ": " + name, tensor.values(), actual.get(name).values(), 0f);
        });
    }
}
