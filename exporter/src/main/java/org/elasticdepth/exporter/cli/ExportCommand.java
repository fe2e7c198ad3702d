package org.elasticdepth.exporter.cli;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.elasticdepth.exporter.quantize.QuantizationData;
import org.elasticdepth.exporter.train.RunDirectory;
import java.util.concurrent.Callable;
import org.elasticdepth.exporter.data.DataSplits;
import org.elasticdepth.exporter.export.BundleExporter;
import org.elasticdepth.exporter.export.ExportException;
import org.elasticdepth.exporter.export.ExportedBundle;
import org.elasticdepth.exporter.export.TrainedModel;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.ElasticRuntimeException;
import org.elasticdepth.runtime.bundle.BundleManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code export}: a trained run becomes a bundle directory (and optionally a zip). */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Cuts a trained run into the on-device bundle: stem.tflite, block_01..L.tflite, the shared "
        + "head.tflite, full.tflite (unless --no-full) and manifest.json (hashes, sizes, parameters, FLOPs, "
        + "labels, input spec, calibration from RUN_DIR/calibration.json if present, provenance).",
        "--precision fp32,fp16,int8 adds the same graphs in other precisions (block_01.int8.tflite ...), each "
            + "calibrated on its own validation outputs; int8 prints the quantization recipes it tried.",
        "Written to a temporary name and renamed: an existing bundle is refused unless --force, and is never "
            + "half-overwritten."})
public final class ExportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a run directory written by train")
  Path runDir;

  @Option(names = "--out", required = true, paramLabel = "BUNDLE_DIR", description = "bundle directory to write")
  Path out;

  @Option(names = "--precision", split = ",", paramLabel = "P",
      description = "comma list of fp32, fp16, int8, the first being the primary precision; the others become "
          + "variants (block_01.int8.tflite ...), each with its own exit calibration on the validation split. int8: "
          + "post-training quantization, ranges on --calibration-images training images, recipe (int16 or float "
          + "islands) chosen by per-layer validation accuracy (default: fp32)")
  List<String> precisions;

  @Option(names = "--fp16", description = "the same as --precision fp16: float16 weights (+ DEQUANTIZE), half the size")
  boolean fp16;

  /** Training images int8 ranges come from unless --calibration-images says otherwise (fewer if the run has fewer). */
  static final int DEFAULT_CALIBRATION_IMAGES = 256;

  @Option(names = "--calibration-images", paramLabel = "N",
      description = "training images the int8 activation ranges are measured on (default: " + DEFAULT_CALIBRATION_IMAGES
          + ", or every training image of a smaller run)")
  Integer calibrationImages;

  @Option(names = "--force", description = "replace an existing BUNDLE_DIR (and zip)")
  boolean force;

  @Option(names = "--zip", description = "also write BUNDLE_DIR.zip")
  boolean zip;

  @Option(names = "--no-full", description = "leave out full.tflite, the monolithic full-depth graph")
  boolean noFull;

  @Option(names = "--sign", paramLabel = "KEY", description = "sign manifest.json into manifest.json.sig with this EC "
      + "P-256 private key: an unencrypted PKCS#8 PEM (openssl genpkey) or a PKCS#12 keystore (.p12, keytool)")
  Path signingKey;

  @Mixin
  KeystoreOptions keystore = new KeystoreOptions();

  @Override
  public Integer call() throws java.io.IOException {
    // The arguments first: a typo must not cost a whole export.
    try {
      precisions();
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    // The key first: a bad key must not cost a whole export.
    PrivateKey key = signingKey == null ? null
        : SigningKeys.privateKey(signingKey, keystore.keyAlias, keystore.password());
    try {
      List<Precision> chosen = precisions();
      TrainedModel trained = TrainedModel.load(runDir);
      QuantizationData data = null;
      boolean recalibrate = trained.description().calibration() != null
          && chosen.stream().anyMatch(p -> p != Precision.FP32);
      if (chosen.contains(Precision.INT8) || recalibrate) {
        try {
          RunDirectory run = RunDirectory.open(runDir);
          DataSplits splits = run.loadData();
          // only int8 uses calibration images; fp16 needs just the validation split
          int count = !chosen.contains(Precision.INT8) ? 1
              : calibrationImages != null ? calibrationImages
              : Math.min(DEFAULT_CALIBRATION_IMAGES, splits.train().size());
          data = QuantizationData.of(splits, run.normalization(), count, run.seed());
        } catch (java.io.IOException e) {
          if (chosen.contains(Precision.INT8)) {
            throw new ExportException("cannot read the images of run " + runDir + " (int8 is calibrated on them): "
                + e.getMessage(), e);
          }
          System.out.println("note: the run's images cannot be read (" + e.getMessage() + "): "
              + BundleManifest.labels(chosen) + " keep the run's float calibration");
        }
      }
      ExportedBundle bundle = BundleExporter.export(trained.model(), trained.weights(), chosen, !noFull,
          trained.description(), data, System.out::println);
      Path zipFile = zip ? out.resolveSibling(out.getFileName() + ".zip") : null;
      bundle.write(out, zipFile, force, key);
      print(bundle, zipFile);
      return 0;
    } catch (ExportException | ElasticRuntimeException | IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
  }

  /** The precisions asked for, checked before any work: known labels, no repeats, --fp16 consistent. */
  private List<Precision> precisions() {
    if (calibrationImages != null && calibrationImages < 1) {
      throw new IllegalArgumentException("--calibration-images must be >= 1, got " + calibrationImages);
    }
    if (precisions == null) {
      return List.of(fp16 ? Precision.FP16 : Precision.FP32);
    }
    List<Precision> list = new ArrayList<>();
    for (String label : precisions) {
      Precision p = Precision.fromLabel(label.trim().toLowerCase(Locale.ROOT));
      if (list.contains(p)) {
        throw new IllegalArgumentException("--precision lists " + p.label() + " twice");
      }
      list.add(p);
    }
    if (fp16 && list.get(0) != Precision.FP16) {
      throw new IllegalArgumentException("--fp16 means --precision fp16, but --precision starts with "
          + list.get(0).label());
    }
    return list;
  }

  private void print(ExportedBundle bundle, Path zipFile) {
    BundleManifest m = bundle.manifest();
    System.out.printf(Locale.ROOT, "exported %s (%s weights, depth %d, dim %d, %d classes) to %s%s%n",
        runDir, m.provenance().precision(), m.depth(), m.model().dim(), m.model().numClasses(), out,
        zipFile == null ? "" : " and " + zipFile);
    if (signingKey != null) {
      System.out.printf(Locale.ROOT, "  signed manifest.json with %s into manifest.json.sig%n", signingKey);
    }
    for (BundleManifest.Graph g : m.allGraphs()) {
      System.out.printf(Locale.ROOT, "  %-22s %9d bytes  %8d params  %10d FLOPs  sha256 %s%n", g.file(), g.bytes(),
          g.params(), g.flops(), g.sha256().substring(0, 16));
    }
    System.out.printf(Locale.ROOT, "  total %d bytes of graphs%s%n", bundle.graphBytes(),
        m.calibration() == null ? "; no calibration.json in the run: the manifest has no exit frontier" : "");
    for (Precision p : m.precisions()) {
      BundleManifest.Variant v = m.variant(p).orElseThrow();
      StringBuilder line = new StringBuilder("  " + p.label() + (p == m.primaryPrecision() ? " (primary)" : ""));
      if (v.quantization() != null) {
        line.append(String.format(Locale.ROOT, ": %d calibration images, int16 ops %s, float ops %s",
            v.quantization().calibrationImages(), v.quantization().int16Ops(), v.quantization().floatOps()));
      }
      if (v.calibration() != null) {
        line.append(String.format(Locale.ROOT, "; validation accuracy by layer %s, exit threshold %.3f",
            v.calibration().layerAccuracy().stream().map(a -> String.format(Locale.ROOT, "%.4f", a)).toList(),
            v.calibration().recommendedThreshold()));
      }
      System.out.println(line);
    }
    if (m.calibration() != null) {
      StringBuilder depths = new StringBuilder();
      for (BundleManifest.MinimalDepth d : m.calibration().minimalDepth()) {
        depths.append(depths.length() == 0 ? "" : ", ").append(d.depth()).append(" of ").append(m.depth())
            .append(" (within ").append(d.dropInPoints()).append(" point of full depth)");
      }
      System.out.println("  minimal depth on validation: " + depths
          + "; the runtime's default depth cap when no budget is given");
    }
  }
}
