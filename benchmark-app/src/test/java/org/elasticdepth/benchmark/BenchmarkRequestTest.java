package org.elasticdepth.benchmark;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** Parsing and validation of intent extras and screen fields, on the plain JVM. */
public class BenchmarkRequestTest {
  private static final List<ExecutorChoice> PHONE = ExecutorChoice.available(34, 8);

  @Test
  public void offersUpToFourCpuThreadsThenNnapiThenTheGpuLast() {
    // CPU first: a GPU driver that kills the process must not take the CPU figures with it.
    assertEquals(List.of("cpu1", "cpu2", "cpu3", "cpu4", "nnapi", "gpu"), PHONE.stream().map(ExecutorChoice::key).toList());
    assertEquals("CPU 1 thread", PHONE.get(0).displayName());
    assertEquals("CPU 4 threads", PHONE.get(3).displayName());
    assertFalse(PHONE.get(4).deprecated());
    assertTrue(ExecutorChoice.available(35, 8).get(4).deprecated());
    assertEquals(List.of("cpu1", "cpu2", "gpu"), ExecutorChoice.available(26, 2).stream().map(ExecutorChoice::key).toList());
    assertEquals("no NNAPI below API 27", List.of("cpu1", "cpu2", "cpu3", "cpu4", "gpu"),
        ExecutorChoice.available(24, 8).stream().map(ExecutorChoice::key).toList());
  }

  @Test
  public void executorsRunInSuiteOrderWhateverOrderTheyAreNamedIn() {
    assertEquals(List.of("cpu1", "cpu4", "gpu"), BenchmarkRequest.parse(Map.of("executors", "gpu,cpu4,cpu1"), PHONE).executors());
    assertEquals(List.of("cpu2", "nnapi", "gpu"), BenchmarkRequest.parse(Map.of("executors", "gpu,nnapi,cpu2"), PHONE).executors());
  }

  @Test
  public void aPushedBundleAndForcingTheGpuAreAskedForByExtras() {
    BenchmarkRequest r = BenchmarkRequest.parse(Map.of("bundle", " my-model_v2.zip ", "forceGpu", true), PHONE);
    assertEquals("my-model_v2.zip", r.bundle());
    assertTrue(r.forceGpu());
    BenchmarkRequest defaults = BenchmarkRequest.parse(Map.of(), PHONE);
    assertNull("the built-in bundle", defaults.bundle());
    assertFalse(defaults.forceGpu());
    assertNull(BenchmarkRequest.parse(Map.of("bundle", "built-in"), PHONE).bundle());
    assertNull(BenchmarkRequest.parse(Map.of("bundle", "  "), PHONE).bundle());
    assertBad(Map.of("bundle", "../../data/x.zip"), "bundle '../../data/x.zip' must be the plain name");
    assertBad(Map.of("bundle", "/sdcard/x.zip"), "must be the plain name");
    assertBad(Map.of("bundle", 3), "bundle must be text");
    assertBad(Map.of("forceGpu", "please"), "forceGpu must be true or false");
  }

  @Test
  public void absentExtrasMeanEverythingWithDefaults() {
    BenchmarkRequest r = BenchmarkRequest.parse(Map.of(), PHONE);
    assertEquals(List.of("cpu1", "cpu2", "cpu3", "cpu4", "nnapi", "gpu"), r.executors());
    assertEquals(List.of(), r.depths());
    assertEquals(BenchmarkRequest.DEFAULT_RUNS, r.runs());
    assertEquals(BenchmarkRequest.DEFAULT_WARMUP, r.warmup());
    assertEquals(0, r.sustainedSeconds());
    assertEquals(BenchmarkRequest.ALL_SAMPLES, r.samples());
    assertNull(r.outName());
    assertFalse(r.autostart());
    assertFalse(r.finish());
  }

  @Test
  public void readsTypedAndTextualExtras() {
    Map<String, Object> extras = new HashMap<>();
    extras.put("autostart", true);
    extras.put("executors", " CPU1, gpu,cpu1 ");
    extras.put("depths", "6,1,3,3");
    extras.put("runs", 50);
    extras.put("warmup", "5");
    extras.put("sustainedSeconds", 120);
    extras.put("samples", "0");
    extras.put("out", "pixel-8_a.json");
    extras.put("finish", "true");
    extras.put("android.intent.extra.REFERRER_NAME", "ignored");
    BenchmarkRequest r = BenchmarkRequest.parse(extras, PHONE);
    assertEquals(List.of("cpu1", "gpu"), r.executors());
    assertEquals(List.of(1, 3, 6), r.depths());
    assertEquals(50, r.runs());
    assertEquals(5, r.warmup());
    assertEquals(120, r.sustainedSeconds());
    assertEquals(0, r.samples());
    assertEquals("pixel-8_a.json", r.outName());
    assertTrue(r.autostart());
    assertTrue(r.finish());
    assertEquals(PHONE.stream().map(ExecutorChoice::key).toList(),
        BenchmarkRequest.parse(Map.of("executors", "all", "depths", "all"), PHONE).executors());
  }

  @Test
  public void badValuesNameTheirField() {
    assertBad(Map.of("executors", "cpu8"), "unknown executor 'cpu8'; this device offers cpu1, cpu2, cpu3, cpu4, nnapi, gpu");
    assertBad(Map.of("executors", "cpu1,,gpu"), "has an empty entry");
    assertBad(Map.of("depths", "0"), "depths must be >= 1, got 0");
    assertBad(Map.of("depths", "1;2"), "depths '1;2' must be whole numbers");
    assertBad(Map.of("runs", 0), "runs must be in 1..100000, got 0");
    assertBad(Map.of("runs", "2.5"), "runs must be a whole number");
    assertBad(Map.of("warmup", -1), "warmup must be in 0..10000");
    assertBad(Map.of("sustainedSeconds", 7200), "sustainedSeconds must be in 0..3600");
    assertBad(Map.of("runs", 1.5f), "runs must be a whole number (--ei runs N), got a Float");
    assertBad(Map.of("autostart", "yes"), "autostart must be true or false");
    assertBad(Map.of("out", "results/x.json"), "must be a plain file name");
    assertBad(Map.of("out", "x.txt"), "must be a plain file name");
    assertBad(Map.of("out", 5), "out must be text");
    assertBad(Map.of("executor", "gpu"), "unknown extra 'executor'");
    RequestException nnapi = assertThrows(RequestException.class,
        () -> BenchmarkRequest.parse(Map.of("executors", "nnapi"), ExecutorChoice.available(26, 4)));
    assertTrue(nnapi.getMessage(), nnapi.getMessage().contains("nnapi needs Android API 27+"));
  }

  private static void assertBad(Map<String, ?> extras, String message) {
    RequestException e = assertThrows(RequestException.class, () -> BenchmarkRequest.parse(extras, PHONE));
    assertTrue(e.getMessage(), e.getMessage().contains(message));
  }
}
