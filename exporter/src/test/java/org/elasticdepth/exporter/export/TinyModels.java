package org.elasticdepth.exporter.export;

import org.elasticdepth.runtime.bundle.BundleManifest.Model;

/** Model shapes small enough for unit tests. */
public final class TinyModels {
  private TinyModels() {}

  /** depth 3, dim 16, 2 heads, MLP 32, 28x28x1 images in 7x7 patches (17 tokens), 10 classes. */
  public static Model tiny() {
    return BundleExporter.model(28, 1, 7, 16, 3, 2, 32, 10, 1e-5);
  }

  /** Three channels and four heads, to catch layout mistakes a grey image or two heads would hide. */
  public static Model rgb() {
    return BundleExporter.model(12, 3, 4, 24, 2, 4, 40, 5, 1e-5);
  }
}
