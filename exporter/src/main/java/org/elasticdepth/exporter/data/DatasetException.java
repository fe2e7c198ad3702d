package org.elasticdepth.exporter.data;

import java.io.IOException;

/** A data set that cannot be found or read: the message names the file or the places looked in. */
public class DatasetException extends IOException {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
