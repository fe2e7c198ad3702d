package org.elasticdepth.exporter.imports;

import java.io.IOException;

/** A checkpoint that cannot be imported: unreadable, or tensors missing, extra, misshapen or of the wrong dtype. */
public class ImportException extends IOException {
    private static final long serialVersionUID = 1L;

    public ImportException(String message) {
        super(message);
    }

    public ImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
