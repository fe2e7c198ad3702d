package org.elasticdepth.exporter.cli;

import org.elasticdepth.exporter.data.Augmentation;
import org.elasticdepth.exporter.data.DataSpec;
import org.elasticdepth.exporter.data.DataSplits;
import org.elasticdepth.exporter.data.FashionMnist;
import org.elasticdepth.exporter.data.ImageFolder;
import org.elasticdepth.exporter.imports.InitFrom;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.HeadLayout;
import org.elasticdepth.exporter.model.ModelPreset;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.exporter.train.AdamW;
import org.elasticdepth.exporter.train.Checkpoint;
import org.elasticdepth.exporter.train.Evaluation;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

    @Option(names = "--preset", paramLabel = "NAME", description = {"deit-tiny | deit-small: 224x224x3, patch 16, "
            + "12 blocks, MLP 4x, LayerNorm eps 1e-6 (timm's DeiT shapes); model flags given as well override it.",
        "  deit-tiny:  width 192, 3 heads; 0.445 M parameters and 204.1 MFLOPs per block (5.7 M in total with a "
                + "1000-class head)",
        "  deit-small: width 384, 6 heads; 1.774 M parameters and 756.8 MFLOPs per block (22.1 M in total)"})
    String preset;

    @Option(names = "--init-from", paramLabel = "RUN_DIR|FILE", description = "fine-tune from pretrained weights: a "
            + "run directory, or a timm-layout .safetensors (or a directory with model.safetensors [+ config.json]) "
            + "as import reads it. The architecture and normalisation come from it; the labels from --data. A new "
            + "head (fresh LayerNorm + Linear) replaces the pretrained one when the class count differs.")
    Path initFrom;

    @Option(names = "--freeze-blocks", defaultValue = "0", paramLabel = "K", description = "with --init-from: keep "
            + "the stem and blocks 1..K as they are (default: ${DEFAULT-VALUE})")
    int freezeBlocks;

    @Option(names = "--image-size", description = "input side in pixels (default: 28, or the preset's)")
    Integer imageSize;
    @Option(names = "--channels", description = "1 (grey) or 3 (RGB) (default: 1, or the preset's)")
    Integer channels;
    @Option(names = "--patch", description = "patch side (default: 7, or the preset's)")
    Integer patch;
    @Option(names = "--dim", description = "token width (default: 64, or the preset's)")
    Integer dim;
    @Option(names = "--depth", description = "transformer blocks (default: 6, or the preset's)")
    Integer depth;
    @Option(names = "--heads", description = "attention heads (default: 4, or the preset's; with --init-from of a "
            + "safetensors file without config.json: its heads)")
    Integer heads;
    @Option(names = "--mlp-dim", description = "MLP hidden width (default: 128, or the preset's)")
    Integer mlpDim;
    @Option(names = "--dropout", description = "dropout rate (default: 0)")
    Float dropout;

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
            description = "comma list of crop, flip, rotate (15 deg), rrc (image folders: random resized crop of "
                    + "the original picture, 8-100%% of its area), or none (default: ${DEFAULT-VALUE})")
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
        if (freezeBlocks != 0 && initFrom == null) {
            throw new IllegalArgumentException("--freeze-blocks needs --init-from (it keeps pretrained blocks)");
        }
        if (resume && (initFrom != null || preset != null)) {
            throw new IllegalArgumentException("--resume continues the run as its config.json says; drop --init-from "
                    + "and --preset");
        }
        RunConfig config;
        DataSplits splits;
        boolean continueFromCheckpoint = resume;
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
            TrainingOptions options = new TrainingOptions(trainingMode, epochs, batchSize, learningRate, weightDecay,
                    schedule, warmupEpochs, alignedOnly, beta, clipGrad, seed, threads, freezeBlocks);
            Augmentation parsedAugment = Augmentation.parse(augment, 2);
            if (initFrom != null) {
                InitFrom pretrained = InitFrom.read(initFrom, heads);
                VitConfig architecture = checkFlagsAgree(pretrained.model());
                splits = DataSplits.load(dataSpec, architecture.imageSize(), architecture.channels());
                requireOriginals(parsedAugment, splits);
                VitConfig vit = architecture.withNumClasses(splits.train().classes().size());
                if (freezeBlocks > vit.depth()) {
                    throw new IllegalArgumentException("--freeze-blocks " + freezeBlocks + " exceeds the model's "
                            + vit.depth() + " blocks");
                }
                config = new RunConfig(RunConfig.FORMAT_VERSION, vit, options, dataSpec, pretrained.normalization(),
                        splits.train().classes());
                startFrom(runDir, config, pretrained, splits);
                continueFromCheckpoint = true;
            } else {
                // validate the architecture before the (slow) data load
                VitConfig provisional = architecture();
                splits = DataSplits.load(dataSpec, provisional.imageSize(), provisional.channels());
                requireOriginals(parsedAugment, splits);
                VitConfig vit = provisional.withNumClasses(splits.train().classes().size());
                config = new RunConfig(RunConfig.FORMAT_VERSION, vit, options, dataSpec, splits.train().statistics(),
                        splits.train().classes());
                RunDirectory.writeConfig(runDir, config);
            }
        }
        boolean bar = !noProgressBar && System.console() != null;
        ConsoleProgress progress = new ConsoleProgress(System.out, bar, 50);
        progress.message(String.format("training %s: %s, %d train / %d validation / %d test images, %d epochs, "
                        + "batch %d -> %s", config.training().mode().cliName(), describe(config.model()),
                splits.train().size(), splits.validation().size(), splits.test().size(), config.training().epochs(),
                config.training().batchSize(), runDir));
        TrainingState state = new Trainer(runDir, config, progress).train(splits, continueFromCheckpoint, maxSteps);
        progress.message("done: " + state.epochsCompleted() + "/" + config.training().epochs() + " epochs in "
                + runDir + "; next: evaluate, analyze, calibrate " + runDir);
        return 0;
    }

    /** The model flags over the preset over the default model; eps 1e-6 for presets (timm's), else 1e-5. */
    VitConfig architecture() {
        VitConfig base = preset != null ? ModelPreset.parse(preset).config(2) : VitConfig.fashionMnistDefault();
        return new VitConfig(or(imageSize, base.imageSize()), or(channels, base.channels()), or(patch,
                base.patchSize()), or(dim, base.dim()), or(depth, base.depth()), or(heads, base.heads()),
                or(mlpDim, base.mlpDim()), 2, dropout != null ? dropout : 0f, base.layerNormEps());
    }

    /** With --init-from the architecture is the checkpoint's: model flags may repeat it, not change it. */
    private VitConfig checkFlagsAgree(VitConfig pretrained) {
        if (preset != null) {
            VitConfig p = ModelPreset.parse(preset).config(pretrained.numClasses());
            if (p.dim() != pretrained.dim() || p.depth() != pretrained.depth() || p.patchSize() != pretrained.patchSize()
                    || p.imageSize() != pretrained.imageSize() || p.heads() != pretrained.heads()) {
                throw new IllegalArgumentException("--preset " + preset + " does not match the model in " + initFrom
                        + " (" + describe(pretrained) + ")");
            }
        }
        agree("--image-size", imageSize, pretrained.imageSize());
        agree("--channels", channels, pretrained.channels());
        agree("--patch", patch, pretrained.patchSize());
        agree("--dim", dim, pretrained.dim());
        agree("--depth", depth, pretrained.depth());
        agree("--mlp-dim", mlpDim, pretrained.mlpDim());
        if (heads != null && heads != pretrained.heads()) {
            throw new IllegalArgumentException("--heads " + heads + " does not match the run in " + initFrom
                    + " (" + pretrained.heads() + ")");
        }
        float rate = dropout != null ? dropout : 0f;
        return new VitConfig(pretrained.imageSize(), pretrained.channels(), pretrained.patchSize(), pretrained.dim(),
                pretrained.depth(), pretrained.heads(), pretrained.mlpDim(), pretrained.numClasses(), rate,
                pretrained.layerNormEps());
    }

    private void agree(String flag, Integer given, int actual) {
        if (given != null && given != actual) {
            throw new IllegalArgumentException(flag + " " + given + " does not match the model in " + initFrom + " ("
                    + actual + "); the architecture comes from --init-from");
        }
    }

    /**
     * Writes the run's config.json and an epoch-0 checkpoint holding the starting weights (pretrained blocks, kept or
     * fresh head) and a fresh optimiser, so an interrupted fine-tune resumes from the pretrained weights too.
     */
    private static void startFrom(Path runDir, RunConfig config, InitFrom pretrained, DataSplits splits)
            throws IOException {
        VitConfig vit = config.model();
        HeadLayout layout = config.training().mode().headLayout();
        boolean keep = pretrained.keepsHead(vit.numClasses(), layout);
        System.out.println("init-from: stem and " + vit.depth() + " blocks pretrained; " + (keep
                ? "head kept (" + vit.numClasses() + " classes)"
                : "new head (fresh LayerNorm + Linear) for " + vit.numClasses() + " classes (the pretrained head has "
                        + pretrained.model().numClasses() + (pretrained.headLayout() != layout ? ", "
                        + pretrained.headLayout().name().toLowerCase(java.util.Locale.ROOT) : "") + ")")
                + (config.training().freezeBlocks() > 0 ? "; stem and blocks 1.." + config.training().freezeBlocks()
                        + " frozen" : ""));
        if (keep && !pretrained.labels().equals(config.labels())) {
            System.out.println("warning: the folder's classes " + config.labels() + " are taken, in sorted folder "
                    + "order, as the pretrained head's " + pretrained.labels());
        }
        Map<String, float[]> start = pretrained.startingWeights(vit, layout, config.training().seed());
        try (ElasticVit model = ElasticVit.fromWeights(vit, layout, start);
             AdamW fresh = new AdamW(model.trainableWeights(), config.training().weightDecay(),
                     config.training().gradientClip())) {
            double[] accuracy = Evaluation.run(model, splits.validation(), config.normalization()).layerAccuracy();
            StringBuilder line = new StringBuilder("validation accuracy per layer before fine-tuning:");
            for (double a : accuracy) {
                line.append(String.format(java.util.Locale.ROOT, " %.4f", a));
            }
            System.out.println(line);
            RunDirectory.writeConfig(runDir, config);
            new CheckpointStore(runDir).save(new Checkpoint(Checkpoint.weightsOf(model), fresh.state(),
                    new TrainingState(0, 0, List.of())));
        }
    }

    private static void requireOriginals(Augmentation augmentation, DataSplits splits) {
        if (augmentation.randomResizedCrop() && !splits.train().isStreamed()) {
            throw new IllegalArgumentException("--augment rrc crops the original pictures: it needs an image folder, "
                    + "not Fashion-MNIST (use crop for that)");
        }
    }

    private static int or(Integer given, int fallback) {
        return given != null ? given : fallback;
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
