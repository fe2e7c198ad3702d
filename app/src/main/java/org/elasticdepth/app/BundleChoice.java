package org.elasticdepth.app;

import java.io.File;

/**
 * Which bundle the demo classifies with: the one built into the APK, or a zip the user opened
 * ("Open bundle…"), copied into app-private storage.
 *
 * @param zip the private copy of an opened bundle, or {@code null} for the built-in one
 * @param name what the user knows it as (the document's display name), for the screen and logs
 */
public record BundleChoice(File zip, String name) {
  /** The bundle in the APK's {@code assets/bundle/}. */
  public static final BundleChoice BUILT_IN = new BundleChoice(null, "built-in");

  public BundleChoice {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a bundle choice needs a name");
    }
  }

  public boolean isBuiltIn() {
    return zip == null;
  }
}
