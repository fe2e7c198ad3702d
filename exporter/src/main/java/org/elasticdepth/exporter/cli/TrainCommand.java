package org.elasticdepth.exporter.cli;

import org.elasticdepth.exporter.data.DataSpec;
import org.elasticdepth.exporter.data.DataSplits;
import org.elasticdepth.exporter.data.FashionMnist;
import org.elasticdepth.exporter.data.ImageFolder;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.exporter.train.CheckpointStore;
import org.elasticdepth.exporter.train.ConsoleProgress;
import org.elasticdepth.exporter.train.RunConfig;
import org.elasticdepth.exporter.train.RunDirectory;
import org.elasticdepth.exporter.train.Trainer;
import org.elasticdepth.exporter.train.TrainingMode;
import org.elasticdepth.exporter.train.TrainingOptions;
import org.elasticdepth.exporter.train.TrainingState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code train}: trains a model into a run directory (or resumes one). */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains an elastic ViT into a run directory, checkpointing after every epoch.",
            "With no options: the default model (28x28, patch 7, width 64, 6 blocks) with the aligned loss on "
                    + "Fashion-MNIST, into runs/aligned."})
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--mode", defaultValue = "aligned", paramLabel = "MODE",
            description = "standard | aligned | multihead | cosreg (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--out", paramLabel = "RUN_DIR", description = "run directory (default: runs/MODE)")
    Path out;

    @Option(names = "--resume", description = "continue the run in --out from its last checkpoint "
            + "(model and training options come from its config.json)")
    boolean resume;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX directory or an image folder "
            + "(one sub-folder per class; optional train/ and test/). Default: $" + FashionMnist.ENV_VAR + ", then "
            + FashionMnist.DEBIAN_DIR)
    Path data;

    @Option(names = "--dataset", defaultValue = "auto", paramLabel = "KIND",
            description = "auto | fashion-mnist | image-folder (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--image-size", defaultValue = "28", description = "input side in pixels (default: ${DEFAULT-VALUE})")
    int imageSize;
    @Option(names = "--channels", defaultValue = "1", description = "1 (grey) or 3 (RGB) (default: ${DEFAULT-VALUE})")
    int channels;
    @Option(names = "--patch", defaultValue = "7", description = "patch side (default: ${DEFAULT-VALUE})")
    int patch;
    @Option(names = "--dim", defaultValue = "64", description = "token width (default: ${DEFAULT-VALUE})")
    int dim;
    @Option(names = "--depth", defaultValue = "6", description = "transformer blocks (default: ${DEFAULT-VALUE})")
    int depth;
    @Option(names = "--heads", defaultValue = "4", description = "attention heads (default: ${DEFAULT-VALUE})")
    int heads;
    @Option(names = "--mlp-dim", defaultValue = "128", description = "MLP hidden width (default: ${DEFAULT-VALUE})")
    int mlpDim;
    @Option(names = "--dropout", defaultValue = "0", description = "dropout rate (default: ${DEFAULT-VALUE})")
    float dropout;

    @Option(names = "--epochs", defaultValue = "12", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--batch-size", defaultValue = "128", description = "batch size (default: ${DEFAULT-VALUE})")
    int batchSize;
    @Option(names = "--lr", defaultValue = "2e-3", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    float learningRate;
    @Option(names = "--weight-decay", defaultValue = "0.05", description = "AdamW weight decay (default: ${DEFAULT-VALUE})")
    float weightDecay;
    @Option(names = "--schedule", defaultValue = "cosine",
            description = "cosine | multistep (x0.1 at 50%% and 75%%) (default: ${DEFAULT-VALUE})")
    String schedule;
    @Option(names = "--warmup-epochs", defaultValue = "1", description = "linear warm-up (default: ${DEFAULT-VALUE})")
    float warmupEpochs;
    @Option(names = "--aligned-only", description = "aligned mode: aligned loss on every step (no alternation "
            + "with last-layer CE steps)")
    boolean alignedOnly;
    @Option(names = "--beta", defaultValue = "1", description = "cosreg mode: weight of the cosine term "
            + "(default: ${DEFAULT-VALUE})")
    float beta;
    @Option(names = "--clip-grad", defaultValue = "1", description = "clip the global gradient norm, 0 = off "
            + "(default: ${DEFAULT-VALUE})")
    float clipGrad;
    @Option(names = "--augment", defaultValue = "flip", paramLabel = "LIST",
            description = "comma list of crop, flip, rotate (15 deg), or none (default: ${DEFAULT-VALUE})")
    String augment;
    @Option(names = "--validation-size", defaultValue = "5000",
            description = "training images held out for validation/calibration (default: ${DEFAULT-VALUE})")
    int validationSize;
    @Option(names = "--seed", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads, 0 = half the cores, at least "
            + "one (default: ${DEFAULT-VALUE})")
    int threads;
    @Option(names = "--max-steps", hidden = true, defaultValue = "9223372036854775807")
    long maxSteps;
    @Option(names = "--no-progress-bar", description = "log lines instead of a progress bar (automatic when not on "
            + "a terminal)")
    boolean noProgressBar;

    @Override
    public Integer call() throws Exception {
        TrainingMode trainingMode = TrainingMode.parse(mode);
        Path runDir = out != null ? out : Path.of("runs", trainingMode.cliName());
        Engines.threads(threads);
        RunConfig config;
        DataSplits splits;
        if (resume) {
            config = RunDirectory.readConfig(runDir);
            splits = DataSplits.load(config.data(), config.model().imageSize(), config.model().channels());
        } else {
            if (Files.exists(runDir.resolve(RunDirectory.CONFIG))
                    || new CheckpointStore(runDir).exists()) {
                throw new IllegalArgumentException(runDir.toAbsolutePath() + " already holds a run; use --resume to "
                        + "continue it or choose another --out");
            }
            DataSpec dataSpec = new DataSpec(datasetKind(), data == null ? null : data.toAbsolutePath().toString(),
                    validationSize, 0.1, seed, augment);
            // validate the architecture before the (slow) data load
            VitConfig provisional = new VitConfig(imageSize, channels, patch, dim, depth, heads, mlpDim, 2, dropout,
                    VitConfig.DEFAULT_LAYER_NORM_EPS);
            splits = DataSplits.load(dataSpec, provisional.imageSize(), provisional.channels());
            VitConfig vit = provisional.withNumClasses(splits.train().classes().size());
            TrainingOptions options = new TrainingOptions(trainingMode, epochs, batchSize, learningRate, weightDecay,
                    schedule, warmupEpochs, alignedOnly, beta, clipGrad, seed, threads);
            config = new RunConfig(RunConfig.FORMAT_VERSION, vit, options, dataSpec, splits.train().statistics(),
                    splits.train().classes());
            RunDirectory.writeConfig(runDir, config);
        }
        boolean bar = !noProgressBar && System.console() != null;
        ConsoleProgress progress = new ConsoleProgress(System.out, bar, 50);
        progress.message(String.format("training %s: %s, %d train / %d validation / %d test images, %d epochs, "
                        + "batch %d -> %s", config.training().mode().cliName(), describe(config.model()),
                splits.train().size(), splits.validation().size(), splits.test().size(), config.training().epochs(),
                config.training().batchSize(), runDir));
        TrainingState state = new Trainer(runDir, config, progress).train(splits, resume, maxSteps);
        progress.message("done: " + state.epochsCompleted() + "/" + config.training().epochs() + " epochs in "
                + runDir + "; next: evaluate, analyze, calibrate " + runDir);
        return 0;
    }

    private String datasetKind() {
        switch (dataset) {
            case "fashion-mnist":
                return DataSpec.FASHION_MNIST;
            case "image-folder":
                return DataSpec.IMAGE_FOLDER;
            case "auto":
                return data != null && !hasIdxFiles(data) && ImageFolder.looksLikeImageFolder(data)
                        ? DataSpec.IMAGE_FOLDER : DataSpec.FASHION_MNIST;
            default:
                throw new IllegalArgumentException("--dataset must be auto, fashion-mnist or image-folder, got "
                        + dataset);
        }
    }

    static boolean hasIdxFiles(Path dir) {
        return Files.exists(dir.resolve("train-images-idx3-ubyte.gz")) || Files.exists(dir.resolve(
                "train-images-idx3-ubyte"));
    }

    static String describe(VitConfig c) {
        return String.format("ViT %dx%dx%d, patch %d (%d tokens), width %d, %d blocks, %d heads, MLP %d, %d classes",
                c.imageSize(), c.imageSize(), c.channels(), c.patchSize(), c.tokens(), c.dim(), c.depth(), c.heads(),
                c.mlpDim(), c.numClasses());
    }
}
