package org.elasticdepth.runtime.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.nio.ByteBuffer;
import java.util.List;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.spi.GraphException;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.annotation.Config;

/**
 * What {@link AndroidExecutor} tries on which device, seen through its errors on the JVM: TFLite's
 * Android natives do not exist here, so every attempt that is really made fails with a
 * LinkageError, and the final message lists exactly what was tried and what was not.
 */
@RunWith(AndroidJUnit4.class)
@Config(sdk = 34)
public class AcceleratorTruthTest {
  static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  static Graph graph(String file) {
    return new Graph(file, SHA, 4, 1, 1, List.of(new Tensor("image", new int[] {1, 2, 2, 1})),
        List.of(new Tensor("tokens", new int[] {1, 2, 4})));
  }

  static AndroidExecutor executor(AcceleratorPreference accelerator, long pageSize) {
    return AndroidExecutor.create(AndroidExecutor.Options.builder().setAccelerator(accelerator).setCpuThreads(1).build(),
        () -> pageSize);
  }

  static String loadError(AndroidExecutor executor, String file) {
    return assertThrows(GraphException.class, () -> executor.load(graph(file), ByteBuffer.allocateDirect(4))).getMessage();
  }

  @Test
  public void aGpuRefusalIsRememberedForTheExecutorsLifetime() {
    try (AndroidExecutor executor = executor(AcceleratorPreference.GPU, 4096)) {
      assertNull(executor.gpuRefusal());
      String first = loadError(executor, "stem.tflite");
      assertTrue(first, first.startsWith("stem.tflite could not be loaded on any accelerator: GPU: "));
      assertFalse(first, first.contains("not tried"));
      assertNotNull("the GPU refused stem.tflite", executor.gpuRefusal());

      for (String file : new String[] {"block_01.tflite", "head.tflite"}) {
        String next = loadError(executor, file);
        assertTrue(next, next.startsWith(file + " could not be loaded on any accelerator: GPU: not tried, the GPU refused"
            + " an earlier graph of this executor (" + executor.gpuRefusal() + "); CPU: "));
      }
    }
  }

  @Test
  public void aNewExecutorTriesTheGpuAgain() {
    try (AndroidExecutor refused = executor(AcceleratorPreference.GPU, 4096)) {
      loadError(refused, "stem.tflite");
    }
    try (AndroidExecutor fresh = executor(AcceleratorPreference.GPU, 4096)) {
      String message = loadError(fresh, "stem.tflite");
      assertFalse(message, message.contains("not tried"));
    }
  }

  @Test
  public void nnapiIsTriedFromApi27() {
    try (AndroidExecutor executor = executor(AcceleratorPreference.NNAPI, 4096)) {
      String message = loadError(executor, "stem.tflite");
      assertTrue(message, message.startsWith("stem.tflite could not be loaded on any accelerator: NNAPI: "));
      assertFalse(message, message.contains("not tried"));
    }
  }

  @Test
  public void sixteenKibPagesFailWithATypedErrorThatSaysWhyAndWhatWouldFixIt() {
    try (AndroidExecutor executor = executor(AcceleratorPreference.AUTO, 16384)) {
      UnsupportedPageSizeException e = assertThrows(UnsupportedPageSizeException.class,
          () -> executor.load(graph("stem.tflite"), ByteBuffer.allocateDirect(4)));
      assertEquals(16384, e.pageSize());
      assertEquals(4096, e.nativeAlignment());
      assertTrue(e.getMessage(), e.getMessage().startsWith("stem.tflite cannot run: this device uses 16 KiB memory pages,"
          + " but the bundled TFLite 2.16.1 native libraries"));
      assertTrue(e.getMessage(), e.getMessage().contains("4 KiB-aligned LOAD segments"));
      assertTrue(e.getMessage(), e.getMessage().contains("Fix: build the app with TFLite/LiteRT native libraries aligned to 16 KiB"));
      assertFalse(e.getMessage(), e.getMessage().contains("any accelerator"));
      assertTrue("callers that handle GraphException still catch it", e instanceof GraphException);
    }
    try (AndroidExecutor executor = executor(AcceleratorPreference.AUTO, 4096)) {
      assertFalse(loadError(executor, "stem.tflite").contains("memory pages"));
    }
  }

  @Test
  public void thePageSizeIsReadFromTheSystem() {
    assertTrue(PageSize.bytes() >= 4096);
    assertEquals(0, PageSize.bytes() % 4096);
  }
}
