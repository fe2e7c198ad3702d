package org.elasticdepth.exporter.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;

/**
 * The exporter's command line: {@code java -jar exporter.jar COMMAND [OPTIONS]}. Each command is its own class;
 * add one by adding one line to {@code subcommands}.
 */
@Command(name = "exporter", mixinStandardHelpOptions = true, version = "exporter 0.1.0",
        description = "Trains an elastic ViT whose every layer can exit through one shared head, analyses it, "
                + "calibrates its exits and exports it as an on-device bundle. Runs fully offline.",
        subcommands = {
            TrainCommand.class,
            ImportCommand.class,
            EvaluateCommand.class,
            AnalyzeCommand.class,
            CalibrateCommand.class,
            ExportCommand.class,
            VerifyCommand.class,
            BenchCommand.class,
            BenchReportCommand.class,
            PipelineCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class ExporterCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        configureEnvironment();
        System.exit(commandLine().execute(args));
    }

    /** Must run before DJL loads: no network, ever, and no display needed for plots. */
    static void configureEnvironment() {
        System.setProperty("ai.djl.offline", "true");
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** The configured command line (also used by tests). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new ExporterCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (isUserError(e)) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli;
    }

    /** Errors caused by input (files, data, options) get one clear line instead of a stack trace. */
    static boolean isUserError(Exception e) {
        return e instanceof IOException || e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof org.elasticdepth.exporter.train.TrainingDivergedException
                || e instanceof org.elasticdepth.runtime.ElasticRuntimeException;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
