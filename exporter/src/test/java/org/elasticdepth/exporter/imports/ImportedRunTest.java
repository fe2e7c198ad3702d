package org.elasticdepth.exporter.imports;

import org.elasticdepth.exporter.cli.CliRunner;
import org.elasticdepth.exporter.data.SyntheticFolder;
import org.elasticdepth.exporter.train.RunDirectory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** An imported run is a run: evaluate, calibrate, analyze, export, verify --checkpoint and train --resume take it. */
public class ImportedRunTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void everyCommandAcceptsAnImportedRun() throws Exception {
        Path root = tmp.getRoot().toPath();
        Path folder = SyntheticFolder.write(root.resolve("colours"), 5, 8, 40, 9);
        Path run = root.resolve("run");
        CliRunner cli = new CliRunner();
        assertEquals(cli.err(), 0, cli.run("import", TimmFixtureTest.FIXTURE.toString(), "--heads", "4",
                "--classes", "blue,green,magenta,red,yellow", "--data", folder.toString(), "--validation-size", "10",
                "--out", run.toString()));
        assertEquals(cli.err(), 0, cli.run("evaluate", run.toString()));
        assertEquals(cli.err(), 0, cli.run("calibrate", run.toString()));
        assertTrue(Files.isRegularFile(run.resolve(RunDirectory.CALIBRATION)));
        assertEquals(cli.err(), 0, cli.run("analyze", run.toString()));
        Path bundle = root.resolve("bundle");
        assertEquals(cli.err(), 0, cli.run("export", run.toString(), "--out", bundle.toString()));
        assertEquals(cli.out() + cli.err(), 0, cli.run("verify", bundle.toString(), "--checkpoint", run.toString(),
                "--images", "4"));
        assertEquals(cli.err(), 0, cli.run("train", "--out", run.toString(), "--resume", "--no-progress-bar",
                "--threads", "1"));
        assertTrue(cli.out(), cli.out().contains("starting from the pretrained weights (epoch-0 checkpoint)"));
        RunDirectory trained = RunDirectory.open(run);
        assertEquals(trained.epochsPlanned(), trained.epochsCompleted());
    }
}
