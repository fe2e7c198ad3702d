package org.elasticdepth.exporter.cli;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

public class ExporterCliTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void everyTrainingSideCommandHasHelp() {
        for (String command : new String[] {"train", "evaluate", "analyze", "calibrate"}) {
            CommandLine cli = ExporterCli.commandLine();
            StringWriter out = new StringWriter();
            cli.setOut(new PrintWriter(out));
            assertEquals(command, 0, cli.execute(command, "--help"));
            assertTrue(command + ": " + out, out.toString().contains("Usage: exporter " + command));
        }
    }

    @Test
    public void unknownCommandOrOptionIsAUsageErrorEvenWithHelp() {
        String[][] cases = {{"frobnicate"}, {"frobnicate", "--help"}, {"--frobnicate"}, {"train", "--frobnicate"},
            {"train", "--frobnicate", "--help"}, {"help", "frobnicate"}};
        for (String[] args : cases) {
            CommandLine cli = ExporterCli.commandLine();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(err));
            String what = String.join(" ", args) + ": " + err;
            assertEquals(what, 2, cli.execute(args));
            assertTrue(what, err.toString().startsWith("error: "));
            assertTrue(what, err.toString().contains("frobnicate"));
            assertTrue(what, err.toString().contains("Usage: exporter"));
            assertEquals(what, "", out.toString());
        }
    }

    @Test
    public void missingDatasetIsOneClearError() throws Exception {
        CommandLine cli = ExporterCli.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        String missing = temp.getRoot().toPath().resolve("nothing-here").toString();
        int code = cli.execute("train", "--data", missing, "--dataset", "fashion-mnist", "--out",
                temp.newFolder().toPath().resolve("run").toString());
        assertEquals(1, code);
        assertTrue(err.toString(), err.toString().startsWith("error: Fashion-MNIST not found"));
        assertTrue(err.toString(), err.toString().contains(missing));
        assertTrue(err.toString(), err.toString().contains("dataset-fashion-mnist"));
    }

    @Test
    public void imageSizeThatDoesNotFitTheDataIsRejected() throws Exception {
        CommandLine cli = ExporterCli.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        java.nio.file.Path fixture = java.nio.file.Paths.get(
                getClass().getResource("/idx/t10k-labels-idx1-ubyte.gz").toURI()).getParent();
        // the fixture has only the test files: point at the real data if installed, else expect the missing-data error
        java.nio.file.Path data = java.nio.file.Files.isDirectory(java.nio.file.Path.of(
                org.elasticdepth.exporter.data.FashionMnist.DEBIAN_DIR))
                ? java.nio.file.Path.of(org.elasticdepth.exporter.data.FashionMnist.DEBIAN_DIR) : fixture;
        int code = cli.execute("train", "--data", data.toString(), "--image-size", "32", "--patch", "8",
                "--out", temp.newFolder().toPath().resolve("run").toString());
        assertEquals(1, code);
        assertTrue(err.toString(), err.toString().contains("28x28") || err.toString().contains("not found"));
    }

    @Test
    public void notARunDirectoryIsOneClearError() {
        CommandLine cli = ExporterCli.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertEquals(1, cli.execute("evaluate", temp.getRoot().toString()));
        assertTrue(err.toString(), err.toString().contains("not a run directory"));
    }
}
