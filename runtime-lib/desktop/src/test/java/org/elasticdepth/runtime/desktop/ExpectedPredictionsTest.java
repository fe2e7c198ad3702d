package org.elasticdepth.runtime.desktop;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.Sha256;
import org.junit.Test;

/** The fixture's expected per-layer predictions are what this executor computes on the sample images. */
public class ExpectedPredictionsTest {
  @Test
  public void tinyBundleReproducesItsExpectedPredictions() {
    Map<String, ByteBuffer> files = TestBundles.buffers(TestBundles.TINY);
    JsonObject expected = JsonParser.parseString(TestBundles.expectedJson(TestBundles.TINY)).getAsJsonObject();
    assertEquals(Sha256.hex(files.get(BundleManifest.FILE_NAME)), expected.get("manifestSha256").getAsString());
    int[] labels = TestBundles.sampleLabels();
    assertEquals(TestBundles.SAMPLE_COUNT, labels.length);

    List<DesktopGraph> graphs = new ArrayList<>();
    try (Bundle bundle = Bundle.fromBuffers(files); DesktopExecutor executor = DesktopExecutor.create()) {
      BundleManifest m = bundle.manifest();
      DesktopGraph stem = keep(graphs, executor.load(m.graphs().stem(), bundle.graph(m.graphs().stem())));
      DesktopGraph head = keep(graphs, executor.load(m.graphs().head(), bundle.graph(m.graphs().head())));
      List<DesktopGraph> blocks = new ArrayList<>();
      for (int l = 1; l <= m.depth(); l++) {
        blocks.add(keep(graphs, executor.load(m.block(l), bundle.graph(m.block(l)))));
      }
      float[] images = TestBundles.sampleImages(m.input());
      JsonArray samples = expected.getAsJsonArray("samples");
      int correctAtLastLayer = 0;
      for (int i = 0; i < labels.length; i++) {
        JsonObject sample = samples.get(i).getAsJsonObject();
        assertEquals(labels[i], sample.get("label").getAsInt());
        ByteBuffer image = ByteBuffer.allocateDirect(784 * 4).order(ByteOrder.nativeOrder());
        image.asFloatBuffer().put(images, i * 784, 784);
        ByteBuffer tokens = stem.run(image)[0];
        for (int l = 0; l < m.depth(); l++) {
          ByteBuffer[] out = blocks.get(l).run(tokens);
          tokens = out[0];
          float[] logits = new float[10];
          head.run(out[1])[0].asFloatBuffer().get(logits);
          JsonObject layer = sample.getAsJsonArray("layers").get(l).getAsJsonObject();
          JsonArray want = layer.getAsJsonArray("logits");
          int argmax = 0;
          for (int c = 0; c < 10; c++) {
            assertEquals(want.get(c).getAsFloat(), logits[c], 1e-5);
            argmax = logits[c] > logits[argmax] ? c : argmax;
          }
          assertEquals(layer.get("prediction").getAsInt(), argmax);
          if (l == m.depth() - 1 && argmax == labels[i]) {
            correctAtLastLayer++;
          }
        }
      }
      assertTrue("a trained fixture should beat chance: " + correctAtLastLayer + "/64", correctAtLastLayer > 20);
    } finally {
      graphs.forEach(DesktopGraph::close);
    }
  }

  private static DesktopGraph keep(List<DesktopGraph> graphs, DesktopGraph g) {
    graphs.add(g);
    return g;
  }
}
