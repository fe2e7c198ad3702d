package org.elasticdepth.exporter.export;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.exporter.export.VitGraphs.BuiltGraph;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.bundle.graph.GraphStructure;
import org.elasticdepth.runtime.bundle.graph.GraphValidator;
import org.junit.Test;

/**
 * The runtime's structural validator (shape inference over the format's vocabulary included)
 * accepts every graph the exporter writes: stem, every block, head and full, in fp32 and fp16
 * (DEQUANTIZE of float16 weights), for the default model and for other shapes (three channels,
 * more heads, wider, a different patch grid).
 */
public class EmittedGraphsValidationTest {
  private static final List<Model> MODELS = List.of(
      BundleExporter.model(28, 1, 7, 64, 6, 4, 128, 10, 1e-6), // the default model
      TinyModels.tiny(),
      TinyModels.rgb(),
      BundleExporter.model(32, 3, 8, 96, 2, 8, 384, 7, 1e-6)); // wider, 8 heads, MLP 4x

  @Test
  public void everyEmittedGraphIsValid() {
    int graphs = 0;
    for (Model model : MODELS) {
      // int8 graphs need helper V's validator (another branch): QuantizationSpecTest checks them meanwhile
      for (Precision precision : List.of(Precision.FP32, Precision.FP16)) {
        VitGraphs vit = new VitGraphs(model, RandomWeights.create(model, 5), precision);
        List<BuiltGraph> all = new ArrayList<>();
        all.add(vit.stem());
        for (int l = 1; l <= model.depth(); l++) {
          all.add(vit.block(l));
        }
        all.add(vit.head());
        all.add(vit.full());
        for (BuiltGraph g : all) {
          GraphStructure s = GraphValidator.validate(g.manifestEntry(), ByteBuffer.wrap(g.bytes()));
          String what = g.file() + " of " + model + " " + precision;
          assertTrue(what, s.operators() > 0 && s.activationBytes() > 0);
          // Every weight is a constant: fp32 stores 4 bytes per parameter, fp16 two.
          assertTrue(what + ": " + s, s.constantBytes() >= (precision == Precision.FP32 ? 4 : 2) * g.params());
          graphs++;
        }
      }
    }
    assertEquals(2 * ((6 + 3) + (3 + 3) + (2 + 3) + (2 + 3)), graphs); // precisions x (blocks + stem, head, full)
  }
}
