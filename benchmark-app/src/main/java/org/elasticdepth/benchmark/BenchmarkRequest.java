package org.elasticdepth.benchmark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What one benchmark run should do, parsed and validated from intent extras (headless runs on
 * device farms) or from the screen's fields. Every value may come typed ({@code --ei runs 50},
 * {@code --ez autostart true}) or as text ({@code --es runs 50}), because the screen has text only.
 *
 * <pre>
 * adb shell am start -n org.elasticdepth.benchmark/.MainActivity \
 *   --ez autostart true --es executors cpu1,gpu --es depths 1,3,6 --ei runs 50 --ei warmup 5 \
 *   --ei sustainedSeconds 0 --es out pixel8.json --ez finish true [--es bundle my-model.zip] [--ez forceGpu true]
 * </pre>
 *
 * @param executors keys of {@link ExecutorChoice}s in suite order (CPU first, GPU last, whatever
 *     order they were named in), never empty
 * @param depths depths to measure, ascending; empty = every depth of the bundle
 * @param samples how many labelled samples to use for the early-exit pass; {@link #ALL_SAMPLES} = all
 * @param outName file name of the result in the app's results folder, or null for a timestamped name
 * @param autostart start the suite as soon as the screen opens
 * @param finish close the screen when a started suite has ended (headless runs)
 * @param bundle name of a bundle (directory or .zip) pushed into the app's files folder, or null for
 *     the built-in one (see {@link PushedBundles})
 * @param forceGpu run the GPU configuration even where TFLite's compatibility list does not
 *     support this device's GPU (by default it is skipped there, with the reason)
 */
public record BenchmarkRequest(List<String> executors, List<Integer> depths, int runs, int warmup, int sustainedSeconds,
    int samples, String outName, boolean autostart, boolean finish, String bundle, boolean forceGpu) {
  public static final String EXECUTORS = "executors";
  public static final String DEPTHS = "depths";
  public static final String RUNS = "runs";
  public static final String WARMUP = "warmup";
  public static final String SUSTAINED_SECONDS = "sustainedSeconds";
  public static final String SAMPLES = "samples";
  public static final String OUT = "out";
  public static final String AUTOSTART = "autostart";
  public static final String FINISH = "finish";
  public static final String BUNDLE = "bundle";
  public static final String FORCE_GPU = "forceGpu";
  public static final Set<String> KEYS = Set.of(EXECUTORS, DEPTHS, RUNS, WARMUP, SUSTAINED_SECONDS, SAMPLES, OUT,
      AUTOSTART, FINISH, BUNDLE, FORCE_GPU);

  public static final int DEFAULT_RUNS = 50;
  public static final int DEFAULT_WARMUP = 5;
  public static final int ALL_SAMPLES = -1;
  /** Bounds that keep a typo (runs 500000) from locking a phone for hours. */
  public static final int MAX_RUNS = 100_000;
  public static final int MAX_WARMUP = 10_000;
  public static final int MAX_SUSTAINED_SECONDS = 3_600;

  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}\\.json");

  public BenchmarkRequest {
    executors = List.copyOf(executors);
    depths = List.copyOf(depths);
  }

  /**
   * Parses {@code values}. Absent keys take their defaults: every executor in {@code available},
   * every depth, {@value #DEFAULT_RUNS} runs, {@value #DEFAULT_WARMUP} warm-up runs, no sustained
   * run, all samples. Keys with a dot (Android's own, e.g. {@code android.intent.extra.*}) are
   * ignored; any other unknown key is an error, so a mistyped extra is not silently dropped.
   *
   * @param available the executor configurations this device offers
   * @throws RequestException naming the first bad value
   */
  public static BenchmarkRequest parse(Map<String, ?> values, List<ExecutorChoice> available) {
    for (String key : new TreeSet<>(values.keySet())) {
      if (!key.contains(".") && !KEYS.contains(key)) {
        throw new RequestException("unknown extra '" + key + "'; known: " + String.join(", ", new TreeSet<>(KEYS)));
      }
    }
    return new BenchmarkRequest(
        executors(values.get(EXECUTORS), available),
        depths(values.get(DEPTHS)),
        integer(values, RUNS, DEFAULT_RUNS, 1, MAX_RUNS),
        integer(values, WARMUP, DEFAULT_WARMUP, 0, MAX_WARMUP),
        integer(values, SUSTAINED_SECONDS, 0, 0, MAX_SUSTAINED_SECONDS),
        integer(values, SAMPLES, ALL_SAMPLES, ALL_SAMPLES, Integer.MAX_VALUE),
        outName(values.get(OUT)),
        bool(values, AUTOSTART),
        bool(values, FINISH),
        bundleName(values.get(BUNDLE)),
        bool(values, FORCE_GPU));
  }

  private static List<String> executors(Object value, List<ExecutorChoice> available) {
    List<String> known = new ArrayList<>();
    available.forEach(c -> known.add(c.key()));
    if (value == null) {
      return known;
    }
    String text = text(EXECUTORS, value);
    Set<String> keys = new LinkedHashSet<>();
    for (String part : text.split(",", -1)) {
      String key = part.trim().toLowerCase(Locale.ROOT);
      if (key.isEmpty()) {
        throw new RequestException("executors '" + text + "' has an empty entry; use e.g. cpu1,gpu");
      }
      if (key.equals("all")) {
        keys.addAll(known);
      } else if (known.contains(key)) {
        keys.add(key);
      } else if (key.equals("nnapi")) {
        throw new RequestException("executor nnapi needs Android API " + ExecutorChoice.NNAPI_MIN_API
            + "+; this device offers " + String.join(", ", known));
      } else {
        throw new RequestException("unknown executor '" + key + "'; this device offers " + String.join(", ", known)
            + " (or all)");
      }
    }
    List<String> suiteOrder = new ArrayList<>();
    for (String key : known) {
      if (keys.contains(key)) {
        suiteOrder.add(key);
      }
    }
    return suiteOrder;
  }

  private static List<Integer> depths(Object value) {
    if (value == null) {
      return List.of();
    }
    String text = text(DEPTHS, value).trim();
    if (text.isEmpty() || text.equalsIgnoreCase("all")) {
      return List.of();
    }
    TreeSet<Integer> depths = new TreeSet<>();
    for (String part : text.split(",", -1)) {
      int depth;
      try {
        depth = Integer.parseInt(part.trim());
      } catch (NumberFormatException e) {
        throw new RequestException("depths '" + text + "' must be whole numbers separated by commas, e.g. 1,3,6, or all");
      }
      if (depth < 1) {
        throw new RequestException("depths must be >= 1, got " + depth);
      }
      depths.add(depth);
    }
    return Collections.unmodifiableList(new ArrayList<>(depths));
  }

  private static int integer(Map<String, ?> values, String key, int defaultValue, int min, int max) {
    Object value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    long n;
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      n = ((Number) value).longValue();
    } else if (value instanceof String s) {
      if (s.trim().isEmpty()) {
        return defaultValue; // an empty field on the screen means "the default"
      }
      try {
        n = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw new RequestException(key + " must be a whole number (--ei " + key + " N), got '" + s + "'");
      }
    } else {
      throw new RequestException(key + " must be a whole number (--ei " + key + " N), got a " + value.getClass().getSimpleName());
    }
    if (n < min || n > max) {
      throw new RequestException(key + " must be in " + min + ".." + max + ", got " + n);
    }
    return (int) n;
  }

  private static boolean bool(Map<String, ?> values, String key) {
    Object value = values.get(key);
    if (value == null) {
      return false;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof String s && (s.trim().equalsIgnoreCase("true") || s.trim().equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s.trim());
    }
    throw new RequestException(key + " must be true or false (--ez " + key + " true), got '" + value + "'");
  }

  private static String outName(Object value) {
    if (value == null) {
      return null;
    }
    String name = text(OUT, value).trim();
    if (!FILE_NAME.matcher(name).matches()) {
      throw new RequestException("out '" + name + "' must be a plain file name ending in .json (letters, digits, . _ -),"
          + " e.g. pixel8.json; it is written to the app's results folder");
    }
    return name;
  }

  /** A pushed bundle's name, checked to be a plain name (no path); blank means the built-in bundle. */
  private static String bundleName(Object value) {
    if (value == null) {
      return null;
    }
    String name = text(BUNDLE, value).trim();
    if (name.isEmpty() || name.equalsIgnoreCase(PushedBundles.BUILT_IN)) {
      return null;
    }
    if (!PushedBundles.isPlainName(name)) {
      throw new RequestException("bundle '" + name + "' must be the plain name of a directory or .zip in the app's files"
          + " folder (letters, digits, . _ -), e.g. my-model.zip; adb push it there first");
    }
    return name;
  }

  private static String text(String key, Object value) {
    if (!(value instanceof String s)) {
      throw new RequestException(key + " must be text (--es " + key + " ...), got a " + value.getClass().getSimpleName());
    }
    return s;
  }
}
