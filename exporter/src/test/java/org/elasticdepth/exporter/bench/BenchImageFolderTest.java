package org.elasticdepth.exporter.bench;

import org.elasticdepth.exporter.cli.CliRunner;
import org.elasticdepth.exporter.data.SyntheticFolder;
import org.elasticdepth.runtime.benchmark.BenchmarkJson;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Path;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** {@code bench --data IMAGE_FOLDER}: the early-exit pass on the user's own labelled pictures. */
public class BenchImageFolderTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theEarlyExitPassRunsOnALabelledImageFolder() throws Exception {
        Path root = tmp.getRoot().toPath();
        Path folder = SyntheticFolder.write(root.resolve("colours"), 5, 4, 40, 3);
        Path run = root.resolve("run");
        Path bundle = root.resolve("bundle");
        CliRunner cli = new CliRunner();
        assertEquals(cli.err(), 0, cli.run("import", "src/test/resources/timm-tiny", "--heads", "4", "--classes",
                "blue,green,magenta,red,yellow", "--out", run.toString()));
        assertEquals(cli.err(), 0, cli.run("export", run.toString(), "--out", bundle.toString()));
        Path json = root.resolve("bench.json");
        assertEquals(cli.out() + cli.err(), 0, cli.run("bench", bundle.toString(), "--out", json.toString(), "--runs",
                "2", "--warmup", "1", "--samples", "15", "--threshold", "0.5", "--data", folder.toString()));
        BenchmarkResult result = BenchmarkJson.read(json.toFile());
        BenchmarkResult.EarlyExit exit = result.executors().get(0).earlyExit();
        assertEquals(Status.OK, exit.status());
        assertEquals(15, (int) exit.samples());
        assertEquals(15, exit.exitHistogram().stream().mapToInt(Integer::intValue).sum());

        Path other = SyntheticFolder.write(root.resolve("four"), 4, 2, 40, 3);
        assertEquals(1, cli.run("bench", bundle.toString(), "--out", json.toString(), "--runs", "2", "--samples", "5",
                "--data", other.toString()));
        assertTrue(cli.err(), cli.err().contains("are not the bundle's labels"));
    }
}
