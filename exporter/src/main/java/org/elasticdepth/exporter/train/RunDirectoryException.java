package org.elasticdepth.exporter.train;

import java.io.IOException;

/** A run directory that does not exist, lacks a file, or holds an unreadable one. */
public class RunDirectoryException extends IOException {
    private static final long serialVersionUID = 1L;

    public RunDirectoryException(String message) {
        super(message);
    }

    public RunDirectoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
