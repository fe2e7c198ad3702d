package org.elasticdepth.build.android;

import com.android.manifmerger.ManifestMerger2;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.project.MavenProjectHelper;

/**
 * Packages an Android library as {@code target/<finalName>.aar} beside its jar: classes.jar,
 * AndroidManifest.xml (with the min SDK), R.txt, proguard.txt (consumer rules), and res/, assets/
 * and jni/ when the module has them. Attached as type {@code aar}, so apps find it beside the jar.
 */
@Mojo(name = "aar", defaultPhase = LifecyclePhase.PACKAGE,
    requiresDependencyResolution = ResolutionScope.COMPILE, threadSafe = true)
public class AarMojo extends ManifestMojo {
  @Component
  MavenProjectHelper projectHelper;

  @Parameter(defaultValue = "${project.basedir}/src/main/jniLibs")
  File jniLibsDirectory;

  /** ProGuard/R8 rules that apps shrinking their code must apply to this library. */
  @Parameter(defaultValue = "${project.basedir}/consumer-rules.pro")
  File consumerProguardRules;

  @Override
  public void execute() throws MojoExecutionException {
    requireManifest();
    try {
      Path aar = Path.of(project.getBuild().getDirectory(), project.getBuild().getFinalName() + ".aar");
      Path classes = workDirectory.toPath().resolve("classes.jar");
      Zips.zipDirectory(Path.of(project.getBuild().getOutputDirectory()), classes);
      Path libraryManifest = workDirectory.toPath().resolve("AndroidManifest.xml");
      Manifests.merge(manifest.toPath(), List.of(), ManifestMerger2.MergeType.LIBRARY,
          new Manifests.Settings(minSdk, targetSdk, 0, ""), libraryManifest, getLog());
      Path rTxt = symbols(libraryManifest);
      Optional<Path> res = AndroidLibrary.nonEmptyDir(resourceDirectory.toPath());
      Optional<Path> assets = AndroidLibrary.nonEmptyDir(assetsDirectory.toPath());
      Optional<Path> jni = AndroidLibrary.nonEmptyDir(jniLibsDirectory.toPath());
      Zips.writeAtomically(aar, zip -> {
        Zips.putFile(zip, "AndroidManifest.xml", libraryManifest);
        Zips.putFile(zip, "classes.jar", classes);
        Zips.putFile(zip, "R.txt", rTxt);
        if (Files.isRegularFile(consumerProguardRules.toPath())) {
          Zips.putFile(zip, "proguard.txt", consumerProguardRules.toPath());
        }
        putTree(zip, "res/", res);
        putTree(zip, "assets/", assets);
        putTree(zip, "jni/", jni);
      });
      projectHelper.attachArtifact(project, "aar", aar.toFile());
      getLog().info("AAR: " + aar);
    } catch (IOException e) {
      throw new MojoExecutionException("building the AAR failed: " + e.getMessage(), e);
    }
  }

  private static void putTree(java.util.zip.ZipOutputStream zip, String prefix, Optional<Path> dir)
      throws IOException {
    if (dir.isPresent()) {
      for (Path f : Zips.regularFiles(dir.get())) {
        Zips.putFile(zip, prefix + dir.get().relativize(f).toString().replace('\\', '/'), f);
      }
    }
  }

  /** R.txt lists the library's resource symbols; empty when it has no resources. */
  private Path symbols(Path libraryManifest) throws IOException, MojoExecutionException {
    Path rTxt = workDirectory.toPath().resolve("R.txt");
    Files.deleteIfExists(rTxt);
    if (AndroidLibrary.nonEmptyDir(resourceDirectory.toPath()).isEmpty()) {
      Files.writeString(rTxt, "");
      return rTxt;
    }
    Aapt2 aapt2 = Aapt2.extractTo(workDirectory.toPath().resolve("tools"), getLog());
    Path flata = workDirectory.toPath().resolve("res.flata");
    Files.deleteIfExists(flata);
    aapt2.compile(resourceDirectory.toPath(), flata);
    aapt2.link(List.of("--static-lib", "--non-final-ids", "--auto-add-overlay",
        "-I", Mojos.androidPlatformJar(project).toString(),
        "--manifest", libraryManifest.toString(),
        "-R", flata.toString(),
        "-o", workDirectory.toPath().resolve("res.apk").toString(),
        "--output-text-symbols", rTxt.toString()));
    return rTxt;
  }
}
