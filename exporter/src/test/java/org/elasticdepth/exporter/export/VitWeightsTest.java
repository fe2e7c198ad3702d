package org.elasticdepth.exporter.export;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.junit.Test;

public class VitWeightsTest {
  @Test
  public void weightsOfAnotherWidthAreRejectedWithTheirNames() {
    Model trainedAs = TinyModels.tiny(); // dim 16
    Model configuredAs = BundleExporter.model(28, 1, 7, 24, 3, 2, 32, 10, 1e-5);
    VitWeights weights = RandomWeights.create(trainedAs, 1);
    ExportException e = assertThrows(ExportException.class, () -> new VitGraphs(configuredAs, weights, Precision.FP32));
    assertTrue(e.getMessage(), e.getMessage().contains("stem.patch.weight is [16, 1, 7, 7], expected [24, 1, 7, 7]"));
    assertTrue(e.getMessage(), e.getMessage().contains("dim 24"));
  }

  @Test
  public void missingAndUnexpectedWeightsAreNamed() {
    Model shallow = BundleExporter.model(28, 1, 7, 16, 2, 2, 32, 10, 1e-5);
    VitWeights deeper = RandomWeights.create(TinyModels.tiny(), 1); // has block3.*
    ExportException e = assertThrows(ExportException.class, () -> deeper.requireMatches(shallow));
    assertTrue(e.getMessage(), e.getMessage().contains("unexpected block3."));

    VitWeights shallower = RandomWeights.create(shallow, 1);
    e = assertThrows(ExportException.class, () -> shallower.requireMatches(TinyModels.tiny()));
    assertTrue(e.getMessage(), e.getMessage().contains("missing block3.ln1.gamma"));
  }

  @Test
  public void valuesMustFillTheirShapes() {
    Map<String, float[]> values = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    values.put("head.fc.bias", new float[9]);
    shapes.put("head.fc.bias", new long[] {10});
    ExportException e = assertThrows(ExportException.class, () -> VitWeights.of(values, shapes));
    assertTrue(e.getMessage(), e.getMessage().contains("head.fc.bias has 9 values"));
    shapes.put("head.fc.weight", new long[] {10, 16});
    assertThrows(ExportException.class, () -> VitWeights.of(values, shapes));
  }

  @Test
  public void sizeOneDimensionsMayDiffer() {
    Model model = TinyModels.tiny();
    VitWeights weights = RandomWeights.create(model, 1);
    Map<String, float[]> values = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (String name : weights.names()) {
      values.put(name, weights.values(name));
      int[] shape = weights.shape(name);
      // e.g. CLS stored as [D] instead of [1, 1, D]
      shapes.put(name, java.util.Arrays.stream(shape).filter(d -> d != 1).asLongStream().toArray());
    }
    VitWeights squeezed = VitWeights.of(values, shapes);
    squeezed.requireMatches(model);
    assertEquals(weights.parameterCount(), squeezed.parameterCount());
  }

  @Test
  public void valuesAreCopies() {
    VitWeights weights = RandomWeights.create(TinyModels.tiny(), 1);
    float before = weights.values("head.fc.bias")[0];
    weights.values("head.fc.bias")[0] = 99f;
    assertEquals(before, weights.values("head.fc.bias")[0], 0f);
  }
}
