package org.elasticdepth.exporter.imports;

import org.elasticdepth.exporter.cli.CliRunner;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.LayerOutputs;
import org.elasticdepth.exporter.train.RunDirectory;
import org.elasticdepth.exporter.verify.BundleVerifier;
import org.elasticdepth.exporter.verify.DjlReference;
import org.elasticdepth.exporter.verify.VerifyReport;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Path;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The committed timm-layout fixture (random weights and PyTorch's per-layer logits, written by
 * {@code src/test/python/timm_checkpoint.py}): import, export and verify reproduce PyTorch at every layer.
 * No Python at test time.
 */
public class TimmFixtureTest {
    static final Path FIXTURE = Path.of("src/test/resources/timm-tiny");
    private static final double TOLERANCE = 1e-4;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void importExportVerifyReproducesPyTorchAtEveryLayer() throws Exception {
        Path run = tmp.getRoot().toPath().resolve("run");
        Path bundle = tmp.getRoot().toPath().resolve("bundle");
        CliRunner cli = new CliRunner();
        assertEquals(cli.err(), 0, cli.run("import", FIXTURE.toString(), "--heads", "4", "--out", run.toString()));
        assertTrue(cli.out(), cli.out().contains("32613 parameters"));

        ReferenceLogits reference = ReferenceLogits.read(FIXTURE.resolve("reference.safetensors"));
        float[][][] expected = reference.layerLogits(reference.imagesNhwc(), reference.images());
        RunDirectory opened = RunDirectory.open(run);
        assertEquals(1e-6f, opened.modelConfig().layerNormEps(), 0f);
        try (ElasticVit model = opened.loadModel()) {
            float[] nchw = DjlReference.toNchw(reference.imagesNhwc(), 0, reference.images(), 32, 3);
            LayerOutputs djl = model.infer(nchw, reference.images());
            for (int l = 0; l < 3; l++) {
                for (int i = 0; i < reference.images(); i++) {
                    float[] got = djl.logits()[l][i];
                    for (int c = 0; c < got.length; c++) {
                        assertEquals("DJL layer " + (l + 1), expected[l][i][c], got[c], TOLERANCE);
                    }
                }
            }
        }

        assertEquals(cli.err(), 0, cli.run("export", run.toString(), "--out", bundle.toString()));
        try (Bundle b = Bundle.fromDirectory(bundle.toFile()); DesktopExecutor executor = DesktopExecutor.create()) {
            VerifyReport report = BundleVerifier.verify(b, executor, reference, reference.imagesNhwc(), null,
                    reference.images(), new VerifyReport.Tolerance(TOLERANCE, 1.0));
            assertEquals(3, report.maxLogitDiff().length);
            for (double diff : report.maxLogitDiff()) {
                assertTrue("TFLite vs PyTorch " + diff, diff <= TOLERANCE);
            }
            assertTrue(report.print(), report.passed());
            assertEquals(List.of(0.485f, 0.456f, 0.406f).toString(),
                    java.util.Arrays.toString(b.manifest().input().mean()));
        }
        assertEquals(cli.out() + cli.err(), 0, cli.run("verify", bundle.toString(), "--reference",
                FIXTURE.resolve("reference.safetensors").toString()));
        assertTrue(cli.out(), cli.out().contains("PASS"));
    }
}
