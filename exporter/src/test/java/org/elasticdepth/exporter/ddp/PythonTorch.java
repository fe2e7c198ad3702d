package org.elasticdepth.exporter.ddp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.fail;

/**
 * Runs the PyTorch DDP trainer (exporter/src/main/python) and its test helpers (src/test/python) with Debian's
 * Python 3 and python3-torch. A machine without them fails the tests with the apt line to run, never skips them.
 */
final class PythonTorch {
    /** Debian's interpreter: a pyenv python first on PATH does not see Debian's packages. */
    static final String PYTHON = System.getProperty("elasticdepth.python", "/usr/bin/python3");
    static final String INSTALL = "apt-get install python3-torch python3-numpy python3-pil";
    static final Path TRAINER = Path.of("src/main/python/train_ddp.py").toAbsolutePath();
    static final Path TEST_SCRIPTS = Path.of("src/test/python").toAbsolutePath();

    /** What a finished process printed. */
    record Result(int status, String out, String err) {
        String both() {
            return "exit " + status + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private PythonTorch() {
    }

    /** Fails (not skips) unless Python 3 with torch, numpy and PIL runs here. */
    static void require() throws Exception {
        String problem;
        try {
            Result r = run(120, Map.of(), "-c", "import torch, numpy, PIL; print(torch.__version__)");
            problem = r.status() == 0 ? null : r.err().strip();
        } catch (IOException e) {
            problem = e.getMessage();
        }
        if (problem != null) {
            fail("the PyTorch DDP trainer's tests need Debian's Python 3 with PyTorch, numpy and PIL at " + PYTHON
                    + " (" + problem + "); install them with: " + INSTALL);
        }
    }

    /** {@code python3 -B args...}, one PyTorch thread, no torchrun variables inherited; waits up to the timeout. */
    static Result run(long timeoutSeconds, Map<String, String> env, String... args) throws Exception {
        Process p = start(env, null, args);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("python " + String.join(" ", args) + " did not finish in " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Starts {@code python3 -B args...}; with {@code log} set, stdout and stderr go to that file. */
    static Process start(Map<String, String> env, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(PYTHON, "-B"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> e = pb.environment();
        for (String key : List.of("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT",
                "LOCAL_WORLD_SIZE", "GROUP_RANK", "TORCHELASTIC_RUN_ID")) {
            e.remove(key);
        }
        e.put("OMP_NUM_THREADS", "1");
        e.put("PYTHONUNBUFFERED", "1");
        e.putAll(env);
        if (log != null) {
            pb.redirectErrorStream(true).redirectOutput(log.toFile());
        }
        return pb.start();
    }

    static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
