package org.elasticdepth.exporter.quantize;

import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.exporter.export.VitGraphs;

/**
 * Measures the activation ranges of a model's float32 graphs on calibration images, run the way a
 * phone chains them: stem, then each block, the shared head after every block (so the head's
 * ranges are the union over all layers' features), and the monolithic graph.
 */
public final class RangeCalibration {
  private RangeCalibration() {}

  /**
   * @param fp32   the float32 graphs of the model to quantize
   * @param images NHWC, normalised as the bundle's input spec says, {@code count} images
   */
  public static TensorRanges measure(VitGraphs fp32, float[] images, int count) {
    int depth = fp32.model().depth();
    int floats = images.length / count;
    TensorRanges ranges = new TensorRanges();
    List<RecordingInterpreter> open = new ArrayList<>();
    try {
      RecordingInterpreter stem = track(open, new RecordingInterpreter("stem", fp32.stem().bytes()));
      List<RecordingInterpreter> blocks = new ArrayList<>();
      for (int l = 1; l <= depth; l++) {
        blocks.add(track(open, new RecordingInterpreter(VitGraphs.graphName(l), fp32.block(l).bytes())));
      }
      RecordingInterpreter head = track(open, new RecordingInterpreter("head", fp32.head().bytes()));
      RecordingInterpreter full = track(open, new RecordingInterpreter("full", fp32.full().bytes()));
      for (int i = 0; i < count; i++) {
        float[] tokens = stem.run(images, i * floats, ranges)[0];
        for (RecordingInterpreter block : blocks) {
          float[][] out = block.run(tokens, 0, ranges);
          tokens = out[0];
          head.run(out[1], 0, ranges);
        }
        full.run(images, i * floats, ranges);
        ranges.countImage();
      }
      return ranges;
    } finally {
      open.forEach(RecordingInterpreter::close);
    }
  }

  private static RecordingInterpreter track(List<RecordingInterpreter> open, RecordingInterpreter r) {
    open.add(r);
    return r;
  }
}
