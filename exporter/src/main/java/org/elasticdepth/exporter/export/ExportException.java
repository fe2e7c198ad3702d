package org.elasticdepth.exporter.export;

/** A model cannot be exported: its weights contradict its configuration, or the run is not exportable. */
public class ExportException extends RuntimeException {
  public ExportException(String message) {
    super(message);
  }

  public ExportException(String message, Throwable cause) {
    super(message, cause);
  }
}
