package org.elasticdepth.build.android;

import com.android.manifmerger.ManifestMerger2;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * Resources of an app: merges its manifest with those of its Android libraries, compiles and links
 * all resources with aapt2 into {@code resources.ap_}, generates the R classes (the app's and one per
 * library package) as sources, and writes Robolectric's {@code test_config.properties} so JVM tests
 * run against the real binary resources.
 */
@Mojo(name = "link", defaultPhase = LifecyclePhase.GENERATE_SOURCES,
    requiresDependencyResolution = ResolutionScope.TEST, threadSafe = true)
public class LinkMojo extends ManifestMojo {
  @Parameter(property = "android.versionCode", defaultValue = "1")
  int versionCode;

  @Parameter(property = "android.versionName", defaultValue = "${project.version}")
  String versionName;

  /** File suffixes stored uncompressed, so the app can memory-map them from the APK. */
  @Parameter
  List<String> noCompress = List.of("tflite");

  @Parameter(defaultValue = "${project.build.directory}/generated-sources/android-r", readonly = true)
  File generatedSources;

  @Override
  public void execute() throws MojoExecutionException {
    try {
      link();
    } catch (IOException e) {
      throw new MojoExecutionException("Android resource step failed: " + e.getMessage(), e);
    }
  }

  private void link() throws IOException, MojoExecutionException {
    requireManifest();
    Path androidJar = Mojos.androidPlatformJar(project);
    AndroidLibraries unpacker = new AndroidLibraries(workDirectory.toPath().resolve("libraries"));
    List<AndroidLibrary> libraries = unpacker.unpack(Mojos.artifactsInScopes(project, Mojos.PACKAGED_SCOPES));
    List<AndroidLibrary> testLibraries = unpacker.unpack(Mojos.artifactsInScopes(project, Set.of(Artifact.SCOPE_TEST)));
    Manifests.Settings settings = new Manifests.Settings(minSdk, targetSdk, versionCode, versionName);

    Path mergedManifest = workDirectory.toPath().resolve("AndroidManifest.xml");
    Manifests.merge(manifest.toPath(), manifests(libraries), ManifestMerger2.MergeType.APPLICATION, settings,
        mergedManifest, getLog());

    Aapt2 aapt2 = Aapt2.extractTo(workDirectory.toPath().resolve("tools"), getLog());
    List<String> args = new ArrayList<>(List.of(
        "-I", androidJar.toString(),
        "--manifest", mergedManifest.toString(),
        "-o", resourcesApk(workDirectory.toPath()).toString(),
        "--java", generatedSources.toPath().toString(),
        "--auto-add-overlay"));
    Set<String> extraPackages = new LinkedHashSet<>();
    for (AndroidLibrary library : libraries) {
      Optional<String> pkg = Manifests.packageOf(library.manifest());
      pkg.ifPresent(extraPackages::add);
      Optional<Path> res = library.res();
      if (res.isPresent()) {
        Path flata = library.dir().resolve("res.flata");
        if (!Files.isRegularFile(flata)) {
          aapt2.compile(res.get(), flata);
        }
        args.addAll(List.of("-R", flata.toString()));
      }
      library.assets().ifPresent(a -> args.addAll(List.of("-A", a.toString())));
    }
    // the app's own resources come last so that they override the libraries'
    if (AndroidLibrary.nonEmptyDir(resourceDirectory.toPath()).isPresent()) {
      Path flata = workDirectory.toPath().resolve("res.flata");
      Files.deleteIfExists(flata);
      aapt2.compile(resourceDirectory.toPath(), flata);
      args.addAll(List.of("-R", flata.toString()));
    }
    Path assets = AndroidLibrary.nonEmptyDir(assetsDirectory.toPath()).orElse(null);
    if (assets != null) {
      args.addAll(List.of("-A", assets.toString()));
    }
    Manifests.packageOf(manifest.toPath()).ifPresent(extraPackages::remove);
    if (!extraPackages.isEmpty()) {
      args.addAll(List.of("--extra-packages", String.join(":", extraPackages)));
    }
    for (String suffix : noCompress) {
      args.addAll(List.of("-0", suffix));
    }
    Mojos.deleteRecursively(generatedSources.toPath());
    Files.createDirectories(generatedSources.toPath());
    aapt2.link(args);
    project.addCompileSourceRoot(generatedSources.toPath().toString());

    writeRobolectricConfig(libraries, testLibraries, settings, assets);
  }

  static Path resourcesApk(Path workDirectory) {
    return workDirectory.resolve("resources.ap_");
  }

  private static List<Path> manifests(List<AndroidLibrary> libraries) {
    return libraries.stream().map(AndroidLibrary::manifest).filter(Files::isRegularFile).toList();
  }

  /**
   * Robolectric reads the merged manifest as text: that one also merges the test libraries'
   * manifests, because androidx.test declares the activities ActivityScenario starts.
   */
  private void writeRobolectricConfig(List<AndroidLibrary> libraries, List<AndroidLibrary> testLibraries,
      Manifests.Settings settings, Path assets) throws IOException, MojoExecutionException {
    List<Path> all = new ArrayList<>(manifests(libraries));
    all.addAll(manifests(testLibraries));
    Path testManifest = workDirectory.toPath().resolve("test/AndroidManifest.xml");
    Manifests.merge(manifest.toPath(), all, ManifestMerger2.MergeType.APPLICATION, settings, testManifest, getLog());
    if (assets == null) {
      assets = Files.createDirectories(workDirectory.toPath().resolve("no-assets"));
    }
    String config = "android_merged_manifest=" + testManifest.toAbsolutePath() + "\n"
        + "android_merged_assets=" + assets.toAbsolutePath() + "\n"
        + "android_resource_apk=" + resourcesApk(workDirectory.toPath()).toAbsolutePath() + "\n"
        + "android_custom_package=" + Manifests.packageOf(manifest.toPath()).orElseThrow() + "\n";
    Path file = Path.of(project.getBuild().getTestOutputDirectory(), "com/android/tools/test_config.properties");
    Files.createDirectories(file.getParent());
    Files.writeString(file, config.replace("\\", "/"));
  }
}
