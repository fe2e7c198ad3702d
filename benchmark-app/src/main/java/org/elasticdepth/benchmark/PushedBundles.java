package org.elasticdepth.benchmark;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.elasticdepth.runtime.bundle.BundleManifest;

/**
 * Bundles a user pushed into the app's files folder, so that any bundle can be measured without
 * rebuilding the APK:
 *
 * <pre>
 * adb push my-model.zip /sdcard/Android/data/org.elasticdepth.benchmark/files/
 * adb shell am start -n org.elasticdepth.benchmark/.MainActivity --es bundle my-model.zip --ez autostart true
 * </pre>
 *
 * A bundle is a directory holding {@code manifest.json} and its graphs, or a {@code .zip} of one
 * (as {@code exporter export --zip} writes). Every byte of it is untrusted: {@link #open} checks the
 * manifest, every file's size and every graph's SHA-256 before anything runs.
 */
final class PushedBundles {
  /** What the {@code bundle} extra or field may say for the bundle built into the APK (or leave it empty). */
  static final String BUILT_IN = "built-in";

  private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");

  private PushedBundles() {}

  /** A name without a path: the bundle must be right in the files folder. */
  static boolean isPlainName(String name) {
    return PLAIN_NAME.matcher(name).matches();
  }

  /**
   * The bundles in {@code dir}, by name: directories with a {@code manifest.json} (shown with a
   * trailing slash) and {@code .zip} files. Their content is not checked here.
   */
  static List<String> list(File dir) {
    List<String> names = new ArrayList<>();
    File[] files = dir == null ? null : dir.listFiles();
    if (files == null) {
      return names;
    }
    for (File f : files) {
      if (!isPlainName(f.getName())) {
        continue;
      }
      if (f.isDirectory() && new File(f, BundleManifest.FILE_NAME).isFile()) {
        names.add(f.getName() + "/");
      } else if (f.isFile() && f.getName().toLowerCase(Locale.ROOT).endsWith(".zip")) {
        names.add(f.getName());
      }
    }
    Collections.sort(names);
    return names;
  }

  /**
   * Opens bundle {@code name} in {@code dir} and verifies every graph's hash.
   *
   * @throws BundleException naming the bundle and what is wrong with it: missing, not a bundle,
   *     truncated, tampered, a format version this app cannot read
   */
  static Bundle open(File dir, String name) {
    String plain = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    if (!isPlainName(plain)) {
      throw new BundleException(Problem.MISSING_FILE, "bundle '" + name + "' is not a plain file name");
    }
    File file = new File(dir, plain);
    if (!file.exists()) {
      List<String> found = list(dir);
      throw new BundleException(Problem.MISSING_FILE, "bundle '" + plain + "' not found in " + dir + "; "
          + (found.isEmpty() ? "no bundles were pushed there" : "found: " + String.join(", ", found)));
    }
    Bundle bundle;
    try {
      bundle = file.isDirectory() ? Bundle.fromDirectory(file) : Bundle.fromZip(file);
    } catch (BundleException e) {
      throw named(plain, e);
    }
    try {
      bundle.verifyAll();
      return bundle;
    } catch (RuntimeException e) {
      bundle.close();
      throw e instanceof BundleException b ? named(plain, b) : e;
    }
  }

  /** The same problem, with the bundle's name in front unless the message already has its path. */
  private static BundleException named(String name, BundleException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    return message.contains(name) ? e : new BundleException(e.problem(), "bundle " + name + ": " + message, e);
  }
}
