package org.elasticdepth.exporter.cli;

import org.elasticdepth.exporter.data.DataSpec;
import org.elasticdepth.exporter.data.Normalization;
import org.elasticdepth.exporter.imports.CheckpointImporter;
import org.elasticdepth.exporter.imports.CheckpointImporter.Imported;
import org.elasticdepth.exporter.imports.CheckpointImporter.Overrides;
import org.elasticdepth.exporter.train.TrainingMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code import}: a PyTorch/timm safetensors checkpoint -> a run directory. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Imports a PyTorch checkpoint in safetensors with timm's ViT/DeiT tensor names "
                + "(patch_embed.proj, cls_token, pos_embed, blocks.N.*, norm + head = the shared head; or heads.N.* "
                + "for per-layer heads) into a run directory that evaluate, analyze, calibrate, export, verify and "
                + "train --resume / --init-from accept.",
            "SOURCE is a .safetensors file or a directory holding model.safetensors and optionally the run's "
                    + "config.json (labels, normalisation, model). Width, depth, MLP, patch, image size and classes "
                    + "are read from the tensors; the attention heads are not in them: give --heads or a config.json. "
                    + "Distilled DeiT (dist_token), float16/bfloat16 tensors and missing, extra or misshapen tensors "
                    + "are refused with the tensor's name."})
public final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "FILE.safetensors or a directory with "
            + "model.safetensors [+ config.json]")
    Path source;

    @Option(names = "--out", required = true, paramLabel = "RUN_DIR", description = "new run directory")
    Path out;

    @Option(names = "--heads", description = "attention heads (DeiT-Tiny 3, DeiT-Small 6, DeiT-Base 12)")
    Integer heads;
    @Option(names = "--image-size", description = "input side in pixels (default: patch x grid of pos_embed)")
    Integer imageSize;
    @Option(names = "--patch", description = "patch side (must match patch_embed.proj.weight)")
    Integer patch;
    @Option(names = "--layer-norm-eps", description = "LayerNorm epsilon (default: the config's, else timm's 1e-6)")
    Float layerNormEps;
    @Option(names = "--labels", paramLabel = "FILE", description = "class names, one per line, in head order")
    Path labelsFile;
    @Option(names = "--classes", split = ",", paramLabel = "NAME", description = "class names inline, comma separated")
    List<String> classes;
    @Option(names = "--mean", split = ",", description = "per-channel mean of pixel/255 (default: config, else "
            + "ImageNet's 0.485,0.456,0.406)")
    float[] mean;
    @Option(names = "--std", split = ",", description = "per-channel std (default: config, else ImageNet's "
            + "0.229,0.224,0.225)")
    float[] std;
    @Option(names = "--mode", description = "training mode recorded for the run (default: config, else aligned, or "
            + "multihead for per-layer heads)")
    String mode;
    @Option(names = "--data", paramLabel = "DIR", description = "image folder (or Fashion-MNIST directory) whose "
            + "classes are the head's, for evaluate / calibrate / analyze / verify --checkpoint")
    Path data;
    @Option(names = "--validation-size", defaultValue = "100", description = "with --data: images held out for "
            + "calibration (default: ${DEFAULT-VALUE})")
    int validationSize;

    @Override
    public Integer call() throws IOException {
        if (labelsFile != null && classes != null) {
            throw new IllegalArgumentException("give --labels FILE or --classes, not both");
        }
        if ((mean == null) != (std == null)) {
            throw new IllegalArgumentException("give --mean and --std together");
        }
        List<String> labels = classes;
        if (labelsFile != null) {
            labels = Files.readAllLines(labelsFile, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(line -> !line.isEmpty()).toList();
        }
        DataSpec dataSpec = data == null ? null : new DataSpec(TrainCommand.hasIdxFiles(data) ? DataSpec.FASHION_MNIST
                : DataSpec.IMAGE_FOLDER, data.toAbsolutePath().toString(), validationSize, 0.1, 42, "none");
        Overrides overrides = new Overrides(heads, imageSize, patch, layerNormEps, labels,
                mean == null ? null : new Normalization(mean, std), mode == null ? null : TrainingMode.parse(mode),
                dataSpec);
        Imported imported = CheckpointImporter.importRun(source, out, overrides);
        System.out.println("imported " + imported.weights() + ": " + TrainCommand.describe(imported.config().model())
                + ", " + imported.parameters() + " parameters, mode " + imported.config().training().mode().cliName()
                + ", LayerNorm eps " + imported.config().model().layerNormEps() + ", normalisation mean "
                + Arrays.toString(imported.config().normalization().mean()) + " std "
                + Arrays.toString(imported.config().normalization().std()) + " -> " + out);
        System.out.println("next: export " + out + " --out BUNDLE_DIR, or train --init-from " + out
                + " --data IMAGE_FOLDER");
        return 0;
    }
}
