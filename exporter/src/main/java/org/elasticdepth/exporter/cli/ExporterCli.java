package org.elasticdepth.exporter.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

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
            GuaranteeStudyCommand.class,
            ExportCommand.class,
            PrecisionStudyCommand.class,
            VerifyCommand.class,
            BenchCommand.class,
            BenchReportCommand.class,
            PipelineCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class ExporterCli implements Runnable {
    /** SLF4J Simple's level property; set it on the command line to override the default ({@code off}). */
    public static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "show the log messages of DJL and PyTorch (info level on stderr; java -D" + LOG_LEVEL_PROPERTY
                    + "=debug -jar ... for more)")
    boolean verbose;

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
        cli.setExecutionStrategy(ExporterCli::execute);
        cli.setParameterExceptionHandler(ExporterCli::usageError);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (isUserError(e)) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli;
    }

    /**
     * Refuses unknown commands and options even when {@code --help} is among the arguments (picocli would print
     * the usage and exit 0, so {@code exporter imprt --help} looked like success to scripts), then sets up logging
     * before any command can load DJL, then runs the last command given.
     */
    private static int execute(ParseResult parseResult) {
        for (CommandLine command : parseResult.asCommandLineList()) {
            List<String> unmatched = command.getParseResult().unmatched();
            if (!unmatched.isEmpty()) {
                throw new UnmatchedArgumentException(command, unmatched);
            }
        }
        boolean verbose = parseResult.asCommandLineList().stream()
                .anyMatch(command -> command.getParseResult().hasMatchedOption("--verbose"));
        configureLogging(verbose);
        return new CommandLine.RunLast().execute(parseResult);
    }

    /** A bad command line: picocli's message naming what is wrong, its suggestions, the usage; exit 2. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(command.getColorScheme().errorText("error: " + e.getMessage()));
        UnmatchedArgumentException.printSuggestions(e, err);
        command.usage(err, command.getColorScheme());
        err.flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * DJL logs through SLF4J, bound here to SLF4J Simple: silent unless {@code --verbose} (info, on stderr) or the
     * level property is given, so the console shows only the exporter's own output. SLF4J reads the properties
     * once, when the first logger is made, which is after this (no command has touched DJL yet).
     */
    static void configureLogging(boolean verbose) {
        if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(LOG_LEVEL_PROPERTY, verbose ? "info" : "off");
        }
        if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
            System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        }
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
