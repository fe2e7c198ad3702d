package org.elasticdepth.build.android;

import java.io.File;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/** What every goal of this plugin works on: the module and its scratch directory {@code target/android}. */
abstract class AndroidMojo extends AbstractMojo {
  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  MavenProject project;

  @Parameter(defaultValue = "${project.build.directory}/android", readonly = true)
  File workDirectory;
}
