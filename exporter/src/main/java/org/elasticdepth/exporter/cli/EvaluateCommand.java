package org.elasticdepth.exporter.cli;

import org.elasticdepth.exporter.data.DataSplits;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.train.AtomicFiles;
import org.elasticdepth.exporter.train.Evaluation;
import org.elasticdepth.exporter.train.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code evaluate}: test accuracy of every layer's exit. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Measures the exit accuracy of every layer on the full test split; writes RUN_DIR/"
                + RunDirectory.EVALUATION + ".")
public final class EvaluateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a run directory written by train")
    Path runDir;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads, 0 = half the cores, at least one")
    int threads;

    @Override
    public Integer call() throws Exception {
        Engines.threads(threads);
        RunDirectory run = RunDirectory.open(runDir);
        DataSplits data = run.loadData();
        double[] accuracy;
        try (ElasticVit model = run.loadModel()) {
            accuracy = Evaluation.run(model, data.test(), run.normalization()).layerAccuracy();
        }
        System.out.printf(Locale.ROOT, "%s model (%s), %d/%d epochs, %d test images%n", run.mode().cliName(),
                run.modelConfig().depth() + " layers", run.epochsCompleted(), run.epochsPlanned(), data.test().size());
        for (int l = 0; l < accuracy.length; l++) {
            System.out.printf(Locale.ROOT, "  layer %2d  accuracy %.4f%n", l + 1, accuracy[l]);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("mode", run.mode().cliName());
        result.put("split", "test");
        result.put("samples", data.test().size());
        result.put("epochs", run.epochsCompleted());
        result.put("layerAccuracy", accuracy);
        result.put("fullDepthAccuracy", accuracy[accuracy.length - 1]);
        AtomicFiles.writeJson(run.evaluationFile(), result);
        return 0;
    }
}
