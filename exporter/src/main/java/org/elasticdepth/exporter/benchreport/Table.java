package org.elasticdepth.exporter.benchreport;

import java.util.ArrayList;
import java.util.List;

/** A plain table rendered both as Markdown and as HTML, so report.md and index.html say the same. */
final class Table {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  Table(List<String> headers) {
    this.headers = List.copyOf(headers);
  }

  void row(List<String> cells) {
    if (cells.size() != headers.size()) {
      throw new IllegalArgumentException("row has " + cells.size() + " cells, table has " + headers.size() + " columns");
    }
    rows.add(List.copyOf(cells));
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  String markdown() {
    StringBuilder s = new StringBuilder();
    s.append("| ").append(String.join(" | ", escapeMd(headers))).append(" |\n|");
    headers.forEach(h -> s.append("---|"));
    s.append('\n');
    for (List<String> r : rows) {
      s.append("| ").append(String.join(" | ", escapeMd(r))).append(" |\n");
    }
    return s.toString();
  }

  String html() {
    StringBuilder s = new StringBuilder("<table>\n<tr>");
    headers.forEach(h -> s.append("<th>").append(Html.escape(h)).append("</th>"));
    s.append("</tr>\n");
    for (List<String> r : rows) {
      s.append("<tr>");
      r.forEach(c -> s.append("<td>").append(Html.escape(c)).append("</td>"));
      s.append("</tr>\n");
    }
    return s.append("</table>\n").toString();
  }

  private static List<String> escapeMd(List<String> cells) {
    List<String> out = new ArrayList<>();
    for (String c : cells) {
      out.add(c.replace("|", "\\|").replace("\n", " "));
    }
    return out;
  }

  /** HTML text escaping. */
  static final class Html {
    private Html() {}

    static String escape(String s) {
      return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
  }
}
