package org.elasticdepth.exporter.imports;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.elasticdepth.exporter.cli.CliRunner;
import org.elasticdepth.exporter.train.RunDirectory;
import org.elasticdepth.exporter.train.TensorArchive.Tensor;
import org.elasticdepth.exporter.train.TrainingMode;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** Every checkpoint {@code import} must refuse, refused with the tensor or setting named and nothing written. */
public class ImportBadInputTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final CliRunner cli = new CliRunner();
    private Map<String, Tensor> fixture;
    private Path root;

    @Before
    public void readFixture() throws Exception {
        fixture = TimmLayout.read(TimmFixtureTest.FIXTURE.resolve("model.safetensors"));
        root = tmp.getRoot().toPath();
    }

    @Test
    public void distilledDeitIsRefusedByName() throws Exception {
        assertRefused(variant(t -> t.put("dist_token", new Tensor(new long[] {1, 1, 32}, new float[32]))),
                "'dist_token'", "distilled");
    }

    @Test
    public void aPatchSizeOtherThanTheConfigsIsRefused() throws Exception {
        assertRefused(variant(t -> { }), List.of("--patch", "4"), "'patch_embed.proj.weight'", "patch size 8");
    }

    @Test
    public void anImageSizeThePositionsDoNotFitIsRefused() throws Exception {
        assertRefused(variant(t -> { }), List.of("--image-size", "64"), "'pos_embed'", "not interpolated");
    }

    @Test
    public void aMissingTensorIsNamed() throws Exception {
        assertRefused(variant(t -> t.remove("blocks.1.attn.proj.bias")), "missing tensor 'blocks.1.attn.proj.bias'");
    }

    @Test
    public void anExtraTensorIsNamed() throws Exception {
        assertRefused(variant(t -> t.put("blocks.0.ls1.gamma", new Tensor(new long[] {32}, new float[32]))),
                "unexpected tensor blocks.0.ls1.gamma");
        assertRefused(variant(t -> t.put("blocks.3.norm2.weight", new Tensor(new long[] {32}, new float[32]))),
                "blocks.3.norm2.weight");
    }

    @Test
    public void aWrongShapeIsNamed() throws Exception {
        assertRefused(variant(t -> t.put("blocks.2.mlp.fc1.bias", new Tensor(new long[] {65}, new float[65]))),
                "'blocks.2.mlp.fc1.bias' has shape [65], expected [64]");
        assertRefused(variant(t -> t.put("cls_token", new Tensor(new long[] {1, 32}, new float[32]))),
                "'cls_token' has shape [1, 32], expected [1, 1, 32]");
    }

    @Test
    public void aNonFloat32TensorIsNamed() throws Exception {
        Path file = root.resolve("half.safetensors");
        try (NDManager manager = NDManager.newBaseManager(); OutputStream out = Files.newOutputStream(file)) {
            NDList list = new NDList();
            fixture.forEach((name, t) -> {
                NDArray a = manager.create(t.values(), new Shape(t.shape()));
                if (name.equals("blocks.0.attn.qkv.weight")) {
                    a = a.toType(DataType.FLOAT16, false);
                }
                a.setName(name);
                list.add(a);
            });
            list.encode(out, NDList.Encoding.SAFETENSORS);
        }
        assertRefused(file, List.of(), "'blocks.0.attn.qkv.weight' is float16", "float32");
    }

    @Test
    public void headsMustBeGivenAndSaySo() throws Exception {
        Path out = root.resolve("run");
        assertEquals(1, cli.run("import", TimmFixtureTest.FIXTURE.toString(), "--out", out.toString()));
        assertTrue(cli.err(), cli.err().contains("attention heads cannot be read") && cli.err().contains("--heads"));
        assertFalse(Files.exists(out));
        assertRefused(variant(t -> { }), List.of("--heads", "5"), "heads 5 must be positive and divide dim 32");
    }

    @Test
    public void filesThatAreNotSafetensorsAreRefused() throws Exception {
        Path garbage = root.resolve("garbage.safetensors");
        Files.write(garbage, "this is not a checkpoint at all, just text".getBytes(StandardCharsets.UTF_8));
        assertRefused(garbage, List.of(), "not a safetensors file");
        Path tiny = root.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertRefused(tiny, List.of(), "not a safetensors file");
        byte[] good = Files.readAllBytes(TimmFixtureTest.FIXTURE.resolve("model.safetensors"));
        Path truncated = root.resolve("truncated.safetensors");
        Files.write(truncated, Arrays.copyOf(good, good.length - 1000));
        assertRefused(truncated, List.of(), "truncated.safetensors");
        Path headerCut = root.resolve("header-cut.safetensors");
        Files.write(headerCut, Arrays.copyOf(good, 200));
        assertRefused(headerCut, List.of(), "header-cut.safetensors");
        assertRefused(root.resolve("nowhere.safetensors"), List.of(), "does not exist");
        Path emptyDir = Files.createDirectory(root.resolve("empty"));
        assertRefused(emptyDir, List.of(), "holds no model.safetensors");
    }

    @Test
    public void labelsMustMatchTheHead() throws Exception {
        assertRefused(variant(t -> { }), List.of("--classes", "a,b,c"), "3 labels for a head of 5 classes");
        Path labels = root.resolve("labels.txt");
        Files.writeString(labels, "cat\ndog\nfox\nowl\nyak\n");
        Path out = root.resolve("labelled");
        assertEquals(cli.err(), 0, cli.run("import", variant(t -> { }).toString(), "--heads", "4", "--labels",
                labels.toString(), "--out", out.toString()));
        assertEquals(List.of("cat", "dog", "fox", "owl", "yak"), RunDirectory.readConfig(out).labels());
    }

    @Test
    public void anExistingOutputIsNotOverwritten() throws Exception {
        Path out = Files.createDirectory(root.resolve("taken"));
        assertEquals(1, cli.run("import", TimmFixtureTest.FIXTURE.toString(), "--heads", "4", "--out",
                out.toString()));
        assertTrue(cli.err(), cli.err().contains("already exists"));
    }

    @Test
    public void aConfigBesideTheWeightsSuppliesHeadsLabelsAndModeAndMustAgree() throws Exception {
        Path first = root.resolve("first");
        assertEquals(cli.err(), 0, cli.run("import", TimmFixtureTest.FIXTURE.toString(), "--heads", "4",
                "--classes", "a,b,c,d,e", "--layer-norm-eps", "1e-5", "--out", first.toString()));
        // a directory with model.safetensors + config.json: the layout the PyTorch trainer writes
        Path source = Files.createDirectory(root.resolve("source"));
        Files.copy(TimmFixtureTest.FIXTURE.resolve("model.safetensors"), source.resolve("model.safetensors"));
        Files.copy(first.resolve(RunDirectory.CONFIG), source.resolve(RunDirectory.CONFIG));
        Path second = root.resolve("second");
        assertEquals(cli.err(), 0, cli.run("import", source.toString(), "--out", second.toString()));
        assertEquals(RunDirectory.readConfig(first), RunDirectory.readConfig(second));
        assertEquals(1e-5f, RunDirectory.readConfig(second).model().layerNormEps(), 0f);

        Path overridden = root.resolve("overridden");
        assertEquals(cli.err(), 0, cli.run("import", source.toString(), "--heads", "2", "--out",
                overridden.toString()));
        assertEquals(2, RunDirectory.readConfig(overridden).model().heads());

        // a config for another model: refused, naming what differs
        Path other = Files.createDirectory(root.resolve("other"));
        TimmLayout.writeTensors(without(fixture, "blocks.2."), other.resolve("model.safetensors"));
        Files.copy(first.resolve(RunDirectory.CONFIG), other.resolve(RunDirectory.CONFIG));
        Path out = root.resolve("mismatch");
        assertEquals(1, cli.run("import", other.toString(), "--out", out.toString()));
        assertTrue(cli.err(), cli.err().contains("config.json beside them") && cli.err().contains("2 blocks"));
        assertFalse(Files.exists(out));
    }

    @Test
    public void perLayerHeadsImportAsAMultiheadRun() throws Exception {
        Map<String, Tensor> perLayer = new LinkedHashMap<>(fixture);
        Tensor norm = perLayer.remove("norm.weight");
        Tensor normBias = perLayer.remove("norm.bias");
        Tensor head = perLayer.remove("head.weight");
        Tensor headBias = perLayer.remove("head.bias");
        for (int i = 0; i < 3; i++) {
            perLayer.put("heads." + i + ".norm.weight", norm);
            perLayer.put("heads." + i + ".norm.bias", normBias);
            perLayer.put("heads." + i + ".fc.weight", head);
            perLayer.put("heads." + i + ".fc.bias", headBias);
        }
        Path file = root.resolve("multihead.safetensors");
        TimmLayout.writeTensors(perLayer, file);
        Path out = root.resolve("multihead");
        assertEquals(cli.err(), 0, cli.run("import", file.toString(), "--heads", "4", "--out", out.toString()));
        assertEquals(TrainingMode.MULTIHEAD, RunDirectory.readConfig(out).training().mode());
        assertRefused(file, List.of("--mode", "aligned"), "per-layer heads");
        // an imported run without data says how to give it some
        assertEquals(1, cli.run("evaluate", out.toString()));
        assertTrue(cli.err(), cli.err().contains("no data") && cli.err().contains("--data"));
    }

    private Path variant(Consumer<Map<String, Tensor>> change) throws Exception {
        Map<String, Tensor> tensors = new LinkedHashMap<>(fixture);
        change.accept(tensors);
        Path file = Files.createTempFile(root, "variant", ".safetensors");
        TimmLayout.writeTensors(tensors, file);
        return file;
    }

    private static Map<String, Tensor> without(Map<String, Tensor> tensors, String prefix) {
        Map<String, Tensor> kept = new LinkedHashMap<>(tensors);
        kept.keySet().removeIf(name -> name.startsWith(prefix));
        return kept;
    }

    private void assertRefused(Path source, String... expected) {
        assertRefused(source, List.of(), expected);
    }

    private void assertRefused(Path source, List<String> flags, String... expected) {
        Path out = root.resolve("refused");
        List<String> args = new java.util.ArrayList<>(List.of("import", source.toString(), "--out", out.toString()));
        if (!flags.contains("--heads")) {
            args.addAll(List.of("--heads", "4"));
        }
        args.addAll(flags);
        assertEquals(cli.out() + cli.err(), 1, cli.run(args.toArray(new String[0])));
        for (String part : expected) {
            assertTrue(cli.err(), cli.err().contains(part));
        }
        assertTrue(cli.err(), cli.err().startsWith("error: ") && !cli.err().contains("\tat "));
        assertFalse("nothing written", Files.exists(out));
        assertFalse("no temporary left", Files.exists(root.resolve("refused.import-tmp")));
    }
}
