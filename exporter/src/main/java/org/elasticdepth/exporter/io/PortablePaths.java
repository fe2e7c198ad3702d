package org.elasticdepth.exporter.io;

import java.nio.file.Path;

/**
 * How the files the exporter writes (analysis.json, reports, benchmark results) name other files: never by an
 * absolute path, which would only hold on the machine that wrote them, but relative to the written file's folder.
 */
public final class PortablePaths {
    private PortablePaths() {
    }

    /**
     * {@code target} relative to the folder {@code base}, with '/' separators ("." for the folder itself,
     * "../aligned" for a run beside it). When the relative path would climb more than one level out of
     * {@code base} (it would then spell out the machine's folder layout) or cannot be formed (another drive),
     * only {@code target}'s own name.
     */
    public static String relative(Path target, Path base) {
        Path to = target.toAbsolutePath().normalize();
        Path from = base.toAbsolutePath().normalize();
        if (to.getRoot() != null && to.getRoot().equals(from.getRoot())) {
            Path relative = from.relativize(to);
            int up = 0;
            for (Path part : relative) {
                if (part.toString().equals("..")) {
                    up++;
                }
            }
            if (up <= 1) {
                String text = relative.toString().replace('\\', '/');
                return text.isEmpty() ? "." : text;
            }
        }
        Path name = to.getFileName();
        return name == null ? "." : name.toString();
    }
}
