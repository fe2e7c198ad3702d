package org.elasticdepth.runtime;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class of runtime-core that only desktop tools use (the exporter) and that needs APIs
 * Android 7 lacks (e.g. {@code java.nio.file}). The build's API level gate skips it; code that
 * runs on phones must not call it.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface DesktopOnly {}
