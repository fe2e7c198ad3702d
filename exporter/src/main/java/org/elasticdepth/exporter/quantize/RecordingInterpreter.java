package org.elasticdepth.exporter.quantize;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.kTfLiteFloat32;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.kTfLiteMmapRo;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.kTfLiteOk;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.tensorflowlite.BuiltinOpResolverWithoutDefaultDelegates;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.InterpreterBuilder;
import org.bytedeco.tensorflowlite.InterpreterOptions;
import org.bytedeco.tensorflowlite.TfLiteTensor;
import org.elasticdepth.exporter.export.ExportException;

/**
 * One float32 graph on desktop TFLite's own kernels (no delegate) with every intermediate tensor
 * preserved, so that after each run the range of every activation can be read by its name. Used
 * only for range calibration; not thread-safe; close it.
 */
final class RecordingInterpreter implements AutoCloseable {
  private final String graph;
  private final BytePointer memory;
  private final FlatBufferModel model;
  private final BuiltinOpResolverWithoutDefaultDelegates resolver = new BuiltinOpResolverWithoutDefaultDelegates();
  private final InterpreterOptions options = new InterpreterOptions();
  private final Interpreter interpreter = new Interpreter((org.bytedeco.javacpp.Pointer) null);

  RecordingInterpreter(String graph, byte[] flatbuffer) {
    this.graph = graph;
    memory = new BytePointer(flatbuffer.length);
    memory.put(flatbuffer);
    model = FlatBufferModel.VerifyAndBuildFromBuffer(memory, flatbuffer.length);
    if (model == null || model.isNull()) {
      close();
      throw new ExportException(graph + ": the TFLite verifier rejected the float32 graph");
    }
    options.SetPreserveAllTensors(true);
    try (InterpreterBuilder builder = new InterpreterBuilder(model, resolver, options)) {
      if (builder.apply(interpreter) != kTfLiteOk || interpreter.AllocateTensors() != kTfLiteOk) {
        close();
        throw new ExportException(graph + ": TFLite could not build the float32 graph for calibration");
      }
    }
  }

  /** Runs {@code input} and widens {@code ranges} by every float activation; returns the outputs. */
  float[][] run(float[] input, int offset, TensorRanges ranges) {
    TfLiteTensor in = interpreter.input_tensor(0);
    FloatPointer data = new FloatPointer(in.data().raw()).capacity(in.bytes() / Float.BYTES);
    data.put(input, offset, (int) (in.bytes() / Float.BYTES));
    if (interpreter.Invoke() != kTfLiteOk) {
      throw new ExportException(graph + ": TFLite failed to run the float32 graph during calibration");
    }
    for (int i = 0; i < interpreter.tensors_size(); i++) {
      TfLiteTensor t = interpreter.tensor(i);
      // kernels' scratch tensors have no name and are not the graph's
      if (t.type() != kTfLiteFloat32 || t.allocation_type() == kTfLiteMmapRo || t.data().raw() == null
          || t.name() == null) {
        continue;
      }
      float[] values = read(t);
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (float v : values) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      if (values.length > 0 && Float.isFinite(min) && Float.isFinite(max)) {
        ranges.observe(graph, t.name().getString(), min, max);
      }
    }
    int outputs = (int) interpreter.outputs().limit();
    float[][] result = new float[outputs][];
    for (int o = 0; o < outputs; o++) {
      result[o] = read(interpreter.output_tensor(o));
    }
    return result;
  }

  private static float[] read(TfLiteTensor t) {
    int n = (int) (t.bytes() / Float.BYTES);
    float[] values = new float[n];
    new FloatPointer(t.data().raw()).capacity(n).get(values);
    return values;
  }

  @Override
  public void close() {
    interpreter.close();
    options.close();
    if (model != null) {
      model.close();
    }
    resolver.close();
    memory.close();
  }
}
