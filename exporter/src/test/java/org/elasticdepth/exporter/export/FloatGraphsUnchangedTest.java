package org.elasticdepth.exporter.export;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.exporter.export.VitGraphs.BuiltGraph;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.Sha256;
import org.junit.Test;

/**
 * The fp32 and fp16 graphs stay byte for byte what they were before int8 existed: the hashes were
 * taken when the int8 exporter landed, after checking that the default model's bundle was
 * identical to the previous exporter's. A change in float emission must change these on purpose.
 */
public class FloatGraphsUnchangedTest {
  /** {@code -DargLine=-Dprint.hashes=1} prints the hashes (to update them after an intended change). */
  private static final String PRINT = System.getProperty("print.hashes");

  @Test
  public void fp32AndFp16GraphsAreUnchanged() {
    assertEquals(EXPECTED_FP32, hashes(Precision.FP32));
    assertEquals(EXPECTED_FP16, hashes(Precision.FP16));
  }

  private static String hashes(Precision precision) {
    VitGraphs v = new VitGraphs(TinyModels.rgb(), RandomWeights.create(TinyModels.rgb(), 9), precision);
    List<BuiltGraph> all = new ArrayList<>(List.of(v.stem(), v.block(1), v.block(2), v.head(), v.full()));
    StringBuilder text = new StringBuilder();
    for (BuiltGraph g : all) {
      text.append(g.file()).append(' ').append(Sha256.hex(g.bytes()), 0, 16).append('\n');
    }
    if (PRINT != null) {
      System.out.println(precision + ":\n" + text);
    }
    return text.toString();
  }

  private static final String EXPECTED_FP32 = """
      stem.tflite 5a4e89ed172b64e8
      block_01.tflite 4032bfc4a90e468c
      block_02.tflite 911cad315ab491df
      head.tflite e9812a01eae700df
      full.tflite b85f0de0046f4eeb
      """;
  private static final String EXPECTED_FP16 = """
      stem.tflite 1fd36a9bbf007ac2
      block_01.tflite af5550b4c000ee7b
      block_02.tflite a5b5c516ba2f0d3a
      head.tflite ae9965cad45695af
      full.tflite 50e237bfdd5bd7a5
      """;
}
