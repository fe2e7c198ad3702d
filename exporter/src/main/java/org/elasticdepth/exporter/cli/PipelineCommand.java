package org.elasticdepth.exporter.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.elasticdepth.exporter.train.CheckpointStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipeline}: the main job end to end, by running the other commands in order with the same
 * code paths a user would call by hand: train (aligned) -> calibrate -> export -> verify -> analyze
 * (with the bundle's precisions) -> bench. With {@code --baselines} it also trains the paper's standard and multihead baselines
 * and writes the three-way comparison report. Re-running it continues an interrupted training run
 * from its last checkpoint instead of starting over.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Runs the main job end to end on the default data: train the aligned model, calibrate its "
                + "exits, analyse it, export the bundle, verify it against DJL on desktop TFLite and benchmark it. "
                + "Re-running resumes an interrupted training run.")
public final class PipelineCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "runs/default", paramLabel = "DIR",
            description = "work directory: DIR/aligned, DIR/bundle, DIR/bench.json ... (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX directory (default: "
            + "$FASHION_MNIST_DIR, then /usr/share/datasets/fashion-mnist from Debian's dataset-fashion-mnist)")
    Path data;

    @Option(names = "--epochs", defaultValue = "12", description = "training epochs per model (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--baselines", description = "also train the standard and multihead baselines and write the "
            + "comparison report to DIR/comparison (three times the training time)")
    boolean baselines;

    @Option(names = "--precision", defaultValue = "fp32,fp16,int8", paramLabel = "P[,P...]",
            description = "precisions the bundle carries, the first being the primary one: the runtime serves the GPU "
                    + "fp16, NNAPI and the CPU int8 when it is accurate enough (default: ${DEFAULT-VALUE}; see export --help)")
    String precision;

    @Option(names = "--fp16", description = "an fp16-only bundle: the same as --precision fp16")
    boolean fp16;

    @Option(names = "--verify-images", defaultValue = "1000",
            description = "test images compared between DJL and TFLite (default: ${DEFAULT-VALUE})")
    int verifyImages;

    @Option(names = "--train-args", paramLabel = "\"ARGS\"", description = "extra options for every train step, "
            + "e.g. \"--dim 96 --depth 8\" (see train --help)")
    String trainArgs;

    @Option(names = "--bench-runs", defaultValue = "50",
            description = "timed runs per depth in the benchmark, 0 to skip it (default: ${DEFAULT-VALUE})")
    int benchRuns;

    @Override
    public Integer call() {
        if (epochs < 1 || verifyImages < 1 || benchRuns < 0) {
            throw new IllegalArgumentException("--epochs and --verify-images must be >= 1, --bench-runs >= 0");
        }
        Path aligned = out.resolve("aligned");
        Path bundle = out.resolve("bundle");
        List<String> modes = baselines ? List.of("aligned", "standard", "multihead") : List.of("aligned");
        for (String mode : modes) {
            Path run = out.resolve(mode);
            if (step("train " + mode, train(mode, run)) != 0 || step("calibrate " + mode, "calibrate", run.toString()) != 0) {
                return 1;
            }
        }
        List<String> export = new ArrayList<>(List.of("export", aligned.toString(), "--out", bundle.toString(), "--force",
                "--precision", fp16 ? "fp16" : precision));
        if (step("export", export.toArray(String[]::new)) != 0
                || step("verify", "verify", bundle.toString(), "--checkpoint", aligned.toString(),
                        "--images", Integer.toString(verifyImages)) != 0) {
            return 1;
        }
        List<String> analyze = new ArrayList<>(List.of("analyze"));
        modes.forEach(mode -> analyze.add(out.resolve(mode).toString()));
        if (baselines) {
            analyze.addAll(List.of("--out", out.resolve("comparison").toString()));
        } else {
            analyze.addAll(List.of("--bundle", bundle.toString())); // the report's per-precision table
        }
        if (step("analyze", analyze.toArray(String[]::new)) != 0) {
            return 1;
        }
        if (benchRuns > 0) {
            List<String> bench = new ArrayList<>(List.of("bench", bundle.toString(), "--out",
                    out.resolve("bench.json").toString(), "--runs", Integer.toString(benchRuns)));
            if (data != null) {
                bench.addAll(List.of("--data", data.toString()));
            }
            if (step("bench", bench.toArray(String[]::new)) != 0) {
                return 1;
            }
        }
        System.out.println("\ndone: bundle " + bundle + ", report " + aligned.resolve("report/index.html")
                + (baselines ? ", comparison " + out.resolve("comparison/index.html") : ""));
        return 0;
    }

    /** The train step; continues from the last checkpoint when an earlier pipeline was interrupted. */
    private String[] train(String mode, Path run) {
        List<String> args = new ArrayList<>(List.of("train", "--mode", mode, "--out", run.toString(),
                "--epochs", Integer.toString(epochs)));
        if (new CheckpointStore(run).exists()) {
            args = new ArrayList<>(List.of("train", "--out", run.toString(), "--resume"));
        } else if (Files.exists(run)) {
            throw new IllegalArgumentException(run.toAbsolutePath() + " exists but holds no checkpoint; remove it or "
                    + "choose another --out");
        }
        if (!args.contains("--resume")) {
            if (data != null) {
                args.addAll(List.of("--data", data.toString()));
            }
            if (trainArgs != null && !trainArgs.isBlank()) {
                args.addAll(List.of(trainArgs.trim().split("\\s+")));
            }
        }
        return args.toArray(String[]::new);
    }

    private static int step(String name, String... args) {
        System.out.println("\n== " + name + ": exporter " + String.join(" ", args));
        CommandLine cli = ExporterCli.commandLine();
        int code = cli.execute(args);
        if (code != 0) {
            System.err.println("pipeline stopped: step '" + name + "' exited with " + code
                    + "; fix the cause and run the same pipeline command again to continue");
        }
        return code;
    }
}
