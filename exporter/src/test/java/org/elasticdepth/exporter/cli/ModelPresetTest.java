package org.elasticdepth.exporter.cli;

import org.elasticdepth.exporter.export.BundleExporter;
import org.elasticdepth.exporter.export.VitGraphs;
import org.elasticdepth.exporter.export.VitWeights;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.HeadLayout;
import org.elasticdepth.exporter.model.ModelPreset;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.runtime.bundle.Precision;
import org.junit.Test;
import picocli.CommandLine;

import java.util.Locale;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** {@code train --preset}: the shapes, and the per-block figures printed in --help and README. */
public class ModelPresetTest {
    @Test
    public void presetsAreDeitShapesAndFlagsOverrideThem() {
        VitConfig tiny = architecture("--preset", "deit-tiny");
        assertEquals(new VitConfig(224, 3, 16, 192, 12, 3, 768, 2, 0f, 1e-6f), tiny);
        VitConfig small = architecture("--preset", "deit-small");
        assertEquals(new VitConfig(224, 3, 16, 384, 12, 6, 1536, 2, 0f, 1e-6f), small);
        VitConfig shallow = architecture("--preset", "deit-tiny", "--depth", "6", "--image-size", "96");
        assertEquals(6, shallow.depth());
        assertEquals(96, shallow.imageSize());
        assertEquals(192, shallow.dim());
        assertEquals(VitConfig.fashionMnistDefault().withNumClasses(2), architecture());
    }

    @Test
    public void helpShowsTheFiguresTheExportCounts() {
        String help = new CommandLine(new TrainCommand()).getUsageMessage().replaceAll("\\s+", " ");
        for (ModelPreset preset : ModelPreset.values()) {
            VitConfig c = preset.config(1000);
            String figures = String.format(Locale.ROOT, "%.3f M parameters and %.1f MFLOPs per block",
                    ModelPreset.blockParameters(c) / 1e6, ModelPreset.blockFlops(c) / 1e6);
            assertTrue(help, help.contains(figures));
        }
        assertTrue(help, help.contains("0.445 M parameters and 204.1 MFLOPs"));
    }

    @Test
    public void blockFiguresEqualTheExportedGraphs() {
        // DeiT-Tiny's block at full size, and an odd small shape
        for (VitConfig c : new VitConfig[] {ModelPreset.DEIT_TINY.config(10),
                new VitConfig(24, 3, 8, 24, 1, 4, 40, 5, 0f, 1e-6f)}) {
            try (ElasticVit model = ElasticVit.initialize(new VitConfig(c.imageSize(), c.channels(), c.patchSize(), c.dim(), 1, c.heads(), c.mlpDim(), c.numClasses(), 0f, c.layerNormEps()), HeadLayout.SHARED, 1)) {
                VitGraphs graphs = new VitGraphs(BundleExporter.model(model.config()),
                        VitWeights.of(model.namedWeights(), model.weightShapes()), Precision.FP32);
                VitGraphs.BuiltGraph block = graphs.block(1);
                assertEquals(ModelPreset.blockParameters(c), block.params());
                assertEquals(ModelPreset.blockFlops(c), block.flops());
            }
        }
    }

    private static VitConfig architecture(String... args) {
        TrainCommand command = new TrainCommand();
        new CommandLine(command).parseArgs(args);
        return command.architecture();
    }
}
