package org.elasticdepth.build.android;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.project.MavenProjectHelper;

/**
 * Dexes the module's classes with its compile/runtime dependencies (test and provided scopes never
 * reach the APK), adds the resources linked by {@code link}, the native libraries of its Android
 * libraries and of {@code src/main/jniLibs}, and signs the result with the debug key:
 * {@code target/<finalName>.apk}, attached to the build as type {@code apk}.
 */
@Mojo(name = "apk", defaultPhase = LifecyclePhase.PACKAGE,
    requiresDependencyResolution = ResolutionScope.COMPILE_PLUS_RUNTIME, threadSafe = true)
public class ApkMojo extends AndroidMojo {
  @Component
  MavenProjectHelper projectHelper;

  @Parameter(required = true)
  int minSdk;

  @Parameter(defaultValue = "${project.basedir}/src/main/jniLibs")
  File jniLibsDirectory;

  /** Debug signing key; generated when missing. */
  @Parameter(property = "android.debugKeystore", defaultValue = "${user.home}/.android/debug.keystore")
  File debugKeystore;

  @Override
  public void execute() throws MojoExecutionException {
    try {
      Path apk = build();
      projectHelper.attachArtifact(project, "apk", apk.toFile());
      getLog().info("APK: " + apk + " (" + Files.size(apk) / 1024 + " KiB)");
    } catch (IOException e) {
      throw new MojoExecutionException("building the APK failed: " + e.getMessage(), e);
    }
  }

  private Path build() throws IOException, MojoExecutionException {
    Path resources = LinkMojo.resourcesApk(workDirectory.toPath());
    if (!Files.isRegularFile(resources)) {
      throw new MojoExecutionException(resources + " is missing: bind the goal 'link' of this plugin too");
    }
    Path androidJar = Mojos.androidPlatformJar(project);
    List<Artifact> packaged = Mojos.artifactsInScopes(project, Mojos.PACKAGED_SCOPES);
    List<AndroidLibrary> libraries = new AndroidLibraries(workDirectory.toPath().resolve("libraries")).unpack(packaged);

    List<Path> programJars = new ArrayList<>();
    Path ownClasses = workDirectory.toPath().resolve("classes.jar");
    Files.deleteIfExists(ownClasses);
    Path classesDir = Path.of(project.getBuild().getOutputDirectory());
    if (Zips.regularFiles(classesDir).stream().anyMatch(f -> f.toString().endsWith(".class"))) {
      Zips.zipDirectory(classesDir, ownClasses);
      programJars.add(ownClasses);
    }
    for (Artifact a : packaged) {
      Path file = a.getFile() == null ? null : a.getFile().toPath();
      boolean classpathJar = file != null && a.getArtifactHandler().isAddedToClasspath() && !AndroidLibraries.isAar(a);
      if (classpathJar && !Zips.contains(file, AndroidLibraries.WRAPPER_MARKER)) {
        programJars.add(file.toString().endsWith(".jar") ? file : jarOfDirectory(a, file));
      }
    }
    List<Path> nativeDirs = new ArrayList<>();
    for (AndroidLibrary library : libraries) {
      library.classesJar().ifPresent(programJars::add);
      programJars.addAll(Zips.regularFiles(library.dir().resolve("libs")).stream()
          .filter(f -> f.toString().endsWith(".jar")).toList());
      library.jni().ifPresent(nativeDirs::add);
    }
    AndroidLibrary.nonEmptyDir(jniLibsDirectory.toPath()).ifPresent(nativeDirs::add);

    Path dexDir = workDirectory.toPath().resolve("dex");
    Dexer.dex(programJars, androidJar, minSdk, dexDir);

    Path unsigned = workDirectory.toPath().resolve(project.getBuild().getFinalName() + "-unsigned.apk");
    new ApkAssembler(getLog()).write(resources, dexDir, nativeDirs, programJars, unsigned);
    Path signed = Path.of(project.getBuild().getDirectory(), project.getBuild().getFinalName() + ".apk");
    ApkSigning.sign(unsigned, signed, DebugKeystore.loadOrGenerate(debugKeystore.toPath(), getLog()), minSdk);
    return signed;
  }

  /** A reactor module seen before it is packaged (e.g. {@code mvn compile}): D8 wants jars. */
  private Path jarOfDirectory(Artifact a, Path dir) throws IOException {
    Path jar = workDirectory.toPath().resolve("reactor").resolve(a.getArtifactId() + ".jar");
    Zips.zipDirectory(dir, jar);
    return jar;
  }
}
