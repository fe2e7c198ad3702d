package org.elasticdepth.runtime.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import android.content.Context;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.spi.Accelerator;
import org.elasticdepth.runtime.spi.GraphException;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.annotation.Config;

/**
 * What of {@link AndroidExecutor} can run without TFLite's Android natives: options, cache tokens,
 * the checks made before any native call, and the input hand-over rule.
 */
@RunWith(AndroidJUnit4.class)
@Config(sdk = 34)
public class AndroidExecutorTest {
  private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  private final Graph stem = new Graph("stem.tflite", SHA, 4, 1, 1,
      List.of(new Tensor("image", new int[] {1, 2, 2, 1})), List.of(new Tensor("tokens", new int[] {1, 2, 4})));

  @Test
  public void defaultsAreAutoWithFp16AndNoCache() {
    AndroidExecutor.Options o = AndroidExecutor.Options.builder().build();
    assertEquals(AcceleratorPreference.AUTO, o.accelerator());
    assertTrue(o.allowFp16());
    assertEquals(null, o.serializationCacheDir());
    assertTrue(o.cpuThreads() >= 1 && o.cpuThreads() <= 4);
  }

  @Test
  public void createFromAContextCachesInTheCodeCacheDir() {
    Context context = ApplicationProvider.getApplicationContext();
    try (AndroidExecutor executor = AndroidExecutor.create(context)) {
      assertEquals(context.getCodeCacheDir(), executor.options().serializationCacheDir());
      assertEquals("android-tflite", executor.name());
    }
  }

  @Test
  public void invalidOptionsAreRejectedByName() {
    IllegalArgumentException threads = assertThrows(IllegalArgumentException.class,
        () -> AndroidExecutor.Options.builder().setCpuThreads(0).build());
    assertEquals("cpuThreads must be in 1..8, got 0", threads.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AndroidExecutor.Options.builder().setCpuThreads(9).build());
    assertThrows(IllegalArgumentException.class, () -> AndroidExecutor.Options.builder().setAccelerator(null).build());
  }

  @Test
  public void aCacheDirThatIsAFileIsRejected() throws Exception {
    File file = File.createTempFile("not-a-dir", ".bin");
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> AndroidExecutor.Options.builder().setSerializationCacheDir(file).build());
      assertTrue(e.getMessage(), e.getMessage().endsWith("is not a directory"));
    } finally {
      assertTrue(file.delete());
    }
  }

  @Test
  public void toBuilderRoundTrips() {
    AndroidExecutor.Options o = AndroidExecutor.Options.builder().setAccelerator(AcceleratorPreference.NNAPI)
        .setCpuThreads(2).setAllowFp16(false).setSerializationCacheDir(new File("/cache")).build();
    assertEquals(o, o.toBuilder().build());
  }

  @Test
  public void theCacheTokenFollowsTheGraphBytesAndThePrecision() {
    assertEquals("elasticdepth-9f86d081884c7d659a2feaa0c55ad015-fp16", AndroidExecutor.modelToken(stem, true));
    assertEquals("elasticdepth-9f86d081884c7d659a2feaa0c55ad015-fp32", AndroidExecutor.modelToken(stem, false));
    Graph other = new Graph("stem.tflite", "0".repeat(64), 4, 1, 1, stem.inputs(), stem.outputs());
    assertNotEquals(AndroidExecutor.modelToken(stem, true), AndroidExecutor.modelToken(other, true));
    Graph sameBytesOtherName = new Graph("block_01.tflite", SHA, 4, 1, 1, stem.inputs(), stem.outputs());
    assertEquals(AndroidExecutor.modelToken(stem, true), AndroidExecutor.modelToken(sameBytesOtherName, true));
  }

  @Test
  public void aGraphWithoutAValidHashGetsNoToken() {
    Graph unhashed = new Graph("stem.tflite", "NOT-HEX", 4, 1, 1, stem.inputs(), stem.outputs());
    GraphException e = assertThrows(GraphException.class, () -> AndroidExecutor.modelToken(unhashed, true));
    assertTrue(e.getMessage(), e.getMessage().startsWith("stem.tflite has no valid SHA-256"));
  }

  @Test
  public void detailsNameWhatRuns() {
    AndroidExecutor.Options o = AndroidExecutor.Options.builder().setCpuThreads(1).build();
    assertEquals("XNNPACK, 1 thread", AndroidExecutor.describe(Accelerator.CPU, o));
    assertEquals("GPU delegate, fp16 allowed, no cache", AndroidExecutor.describe(Accelerator.GPU, o));
    assertEquals("NNAPI (deprecated from Android 15), fp32, serialization cache", AndroidExecutor.describe(Accelerator.NNAPI,
        o.toBuilder().setAllowFp16(false).setSerializationCacheDir(new File("/c")).build()));
  }

  @Test
  public void aHeapModelBufferIsATypedErrorNotANativeCrash() {
    try (AndroidExecutor executor = AndroidExecutor.create(AndroidExecutor.Options.builder().build())) {
      GraphException e = assertThrows(GraphException.class, () -> executor.load(stem, ByteBuffer.allocate(4)));
      assertTrue(e.getMessage(), e.getMessage().startsWith("stem.tflite: TFLite needs a direct"));
    }
  }

  @Test
  public void aClosedExecutorLoadsNothing() {
    AndroidExecutor executor = AndroidExecutor.create(AndroidExecutor.Options.builder().build());
    executor.close();
    executor.close();
    assertThrows(IllegalStateException.class, () -> executor.load(stem, ByteBuffer.allocateDirect(4)));
  }

  @Test
  public void onlyExactDirectNativeBuffersAreHandedToTfliteInPlace() {
    int bytes = 16;
    ByteBuffer exact = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    assertTrue(AndroidLoadedGraph.passesInPlace(exact, bytes));
    assertTrue(AndroidLoadedGraph.passesInPlace(exact.asReadOnlyBuffer().order(ByteOrder.nativeOrder()), bytes));
    assertFalse("heap", AndroidLoadedGraph.passesInPlace(ByteBuffer.allocate(bytes).order(ByteOrder.nativeOrder()), bytes));
    ByteOrder other = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    assertFalse("byte order", AndroidLoadedGraph.passesInPlace(ByteBuffer.allocateDirect(bytes).order(other), bytes));
    ByteBuffer larger = ByteBuffer.allocateDirect(2 * bytes).order(ByteOrder.nativeOrder());
    larger.limit(bytes);
    assertFalse("TFLite would check the capacity", AndroidLoadedGraph.passesInPlace(larger, bytes));
    ByteBuffer offset = ByteBuffer.allocateDirect(bytes + 4).order(ByteOrder.nativeOrder());
    offset.position(4);
    assertFalse("TFLite would read from the start", AndroidLoadedGraph.passesInPlace(offset, bytes));
  }
}
