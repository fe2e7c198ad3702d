package org.elasticdepth.runtime.desktop;

import org.bytedeco.tensorflowlite.BuiltinOpResolver;
import org.bytedeco.tensorflowlite.BuiltinOpResolverWithoutDefaultDelegates;

/**
 * One TFLite op resolver shared by every graph of a {@link DesktopExecutor}. A resolver holds the
 * registration tables of all builtin operators (about 60 KB of native memory, measured), which is
 * 40% of a default-model block: one per interpreter would charge that to every loaded block.
 *
 * <p>Reference counted because graphs may outlive their executor: the executor holds one
 * reference and each graph one; the native resolver is freed when the last is released. After
 * construction TFLite only reads the resolver (op lookup, default delegate creators), so graphs
 * may be built from it on different threads.
 */
final class SharedOpResolver {
  private final BuiltinOpResolver resolver;
  private int references = 1;

  SharedOpResolver(boolean useXnnpack) {
    // BuiltinOpResolver applies XNNPACK as the default delegate on the first allocation.
    this.resolver = useXnnpack ? new BuiltinOpResolver() : new BuiltinOpResolverWithoutDefaultDelegates();
  }

  /** Takes a reference for a new graph; fails once the last reference was released. */
  synchronized BuiltinOpResolver retain() {
    if (references == 0) {
      throw new IllegalStateException("op resolver already released");
    }
    references++;
    return resolver;
  }

  /** Gives back one reference; the last one frees the native resolver. */
  synchronized void release() {
    if (references == 0) {
      throw new IllegalStateException("op resolver released more often than retained");
    }
    if (--references == 0) {
      resolver.close();
    }
  }
}
