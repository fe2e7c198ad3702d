package org.elasticdepth.exporter.imports;

import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.HeadLayout;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.exporter.train.TensorArchive.Tensor;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

public class TimmLayoutTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final VitConfig RGB = new VitConfig(12, 3, 4, 24, 2, 4, 40, 5, 0f, 1e-6f);

    @Test
    public void namesAreTimmsAndMapBackOneToOne() {
        for (HeadLayout layout : HeadLayout.values()) {
            Map<String, String> names = TimmLayout.names(RGB, layout);
            assertEquals(names.size(), new HashSet<>(names.values()).size());
            names.forEach((contract, timm) -> assertEquals(contract, TimmLayout.toContract(timm)));
        }
        Map<String, String> shared = TimmLayout.names(RGB, HeadLayout.SHARED);
        assertEquals("patch_embed.proj.weight", shared.get("stem.patch.weight"));
        assertEquals("cls_token", shared.get("stem.cls"));
        assertEquals("pos_embed", shared.get("stem.pos"));
        assertEquals("blocks.0.norm1.weight", shared.get("block1.ln1.gamma"));
        assertEquals("blocks.1.attn.qkv.bias", shared.get("block2.attn.qkv.bias"));
        assertEquals("blocks.1.norm2.bias", shared.get("block2.ln2.beta"));
        assertEquals("blocks.0.mlp.fc2.weight", shared.get("block1.mlp.fc2.weight"));
        assertEquals("norm.weight", shared.get("head.ln.gamma"));
        assertEquals("head.bias", shared.get("head.fc.bias"));
        Map<String, String> perLayer = TimmLayout.names(RGB, HeadLayout.PER_LAYER);
        assertEquals("heads.1.norm.bias", perLayer.get("head2.ln.beta"));
        assertEquals("heads.0.fc.weight", perLayer.get("head1.fc.weight"));
    }

    @Test
    public void unknownTimmNamesMapToNothing() {
        assertNull(TimmLayout.toContract("dist_token"));
        assertNull(TimmLayout.toContract("head_dist.weight"));
        assertNull(TimmLayout.toContract("blocks.0.attn.q_norm.weight"));
        assertNull(TimmLayout.toContract("blocks.01.norm1.weight"));
        assertNull(TimmLayout.toContract("fc_norm.weight"));
    }

    @Test
    public void writeThenLoadGivesTheSameWeights() throws Exception {
        for (HeadLayout layout : HeadLayout.values()) {
            Path file = tmp.getRoot().toPath().resolve(layout + ".safetensors");
            try (ElasticVit model = ElasticVit.initialize(RGB, layout, 7)) {
                TimmLayout.write(model, file);
                Map<String, Tensor> tensors = TimmLayout.read(file);
                assertTrue(tensors.containsKey("pos_embed"));
                assertArrayEquals(new long[] {1, 10, 24}, tensors.get("pos_embed").shape());
                try (ElasticVit loaded = TimmLayout.load(file, RGB, layout)) {
                    Map<String, float[]> expected = model.namedWeights();
                    loaded.namedWeights().forEach((name, values) ->
                            assertArrayEquals(name, expected.get(name), values, 0f));
                }
            }
        }
    }
}
