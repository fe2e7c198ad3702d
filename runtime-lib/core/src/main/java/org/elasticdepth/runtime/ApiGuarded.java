package org.elasticdepth.runtime;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method, constructor or class that calls Android APIs above the minimum SDK (24) and is
 * reached only behind a {@code Build.VERSION.SDK_INT} check. The build's API level gate
 * (animal-sniffer, root pom) skips what carries it; everything else must run on API 24.
 *
 * <p>Keep annotated code small: one method per guarded call, the version check at its caller or
 * inside it, and {@link #value()} naming the level it needs.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.TYPE})
public @interface ApiGuarded {
  /** The API level the annotated code needs, e.g. 29; it runs only where SDK_INT is at least that. */
  int value();
}
