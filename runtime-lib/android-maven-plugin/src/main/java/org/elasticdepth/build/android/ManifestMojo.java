package org.elasticdepth.build.android;

import java.io.File;
import java.nio.file.Files;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Parameter;

/** A goal that builds from the module's Android sources: its manifest, res/, assets/ and SDK levels. */
abstract class ManifestMojo extends AndroidMojo {
  @Parameter(defaultValue = "${project.basedir}/src/main/AndroidManifest.xml")
  File manifest;

  @Parameter(defaultValue = "${project.basedir}/src/main/res")
  File resourceDirectory;

  @Parameter(defaultValue = "${project.basedir}/src/main/assets")
  File assetsDirectory;

  @Parameter(required = true)
  int minSdk;

  @Parameter(required = true)
  int targetSdk;

  /** Fails early with the path, rather than deep inside the manifest merger. */
  void requireManifest() throws MojoExecutionException {
    if (!Files.isRegularFile(manifest.toPath())) {
      throw new MojoExecutionException(project.getArtifactId() + " has no Android manifest at " + manifest.toPath());
    }
  }
}
