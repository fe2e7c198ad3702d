package org.elasticdepth.build.android;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * Makes the classes of the module's AAR dependencies visible to javac and surefire, which ignore
 * {@code .aar} files: unpacks each AAR's classes.jar (and libs/*.jar) into the module's output, so
 * its jar is a plain classpath jar. The jar is marked so that {@code apk} dexes the AARs themselves
 * instead of this copy.
 */
@Mojo(name = "aar-classes", defaultPhase = LifecyclePhase.PROCESS_CLASSES,
    requiresDependencyResolution = ResolutionScope.RUNTIME, threadSafe = true)
public class AarClassesMojo extends AndroidMojo {
  @Override
  public void execute() throws MojoExecutionException {
    try {
      Path classesDir = Path.of(project.getBuild().getOutputDirectory());
      List<Artifact> aars = project.getArtifacts().stream().filter(AndroidLibraries::isAar).toList();
      List<AndroidLibrary> libraries = new AndroidLibraries(workDirectory.toPath().resolve("libraries")).unpack(aars);
      List<String> included = new ArrayList<>();
      for (AndroidLibrary library : libraries) {
        List<Path> jars = new ArrayList<>(library.classesJar().stream().toList());
        jars.addAll(Zips.regularFiles(library.dir().resolve("libs")).stream()
            .filter(f -> f.toString().endsWith(".jar")).toList());
        for (Path jar : jars) {
          Zips.unzip(jar, classesDir);
        }
        included.add(library.id());
      }
      Path marker = classesDir.resolve(AndroidLibraries.WRAPPER_MARKER);
      Files.createDirectories(marker.getParent());
      Files.write(marker, included);
      Files.deleteIfExists(classesDir.resolve("META-INF/MANIFEST.MF")); // the last AAR's would win otherwise
      getLog().info("Classes of " + included.size() + " AARs unpacked into " + classesDir);
    } catch (IOException e) {
      throw new MojoExecutionException("unpacking AAR classes failed: " + e.getMessage(), e);
    }
  }
}
