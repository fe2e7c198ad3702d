package org.elasticdepth.exporter.analysis;

import org.elasticdepth.exporter.train.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A self-contained HTML page: headings, paragraphs, tables and PNG plots embedded as data URIs (so the single file
 * can be mailed or opened anywhere). Each plot is also written next to it as a PNG file for reuse (e.g. in a README).
 */
public final class HtmlReport {
    private final String title;
    private final StringBuilder body = new StringBuilder();
    private final Map<String, byte[]> images = new LinkedHashMap<>();

    public HtmlReport(String title) {
        this.title = title;
    }

    public HtmlReport heading(int level, String text) {
        body.append("<h").append(level).append('>').append(escape(text)).append("</h").append(level).append(">\n");
        return this;
    }

    public HtmlReport paragraph(String text) {
        body.append("<p>").append(escape(text)).append("</p>\n");
        return this;
    }

    /** A table; the first row is the header. */
    public HtmlReport table(List<List<String>> rows) {
        body.append("<table>\n");
        for (int r = 0; r < rows.size(); r++) {
            String cell = r == 0 ? "th" : "td";
            body.append("<tr>");
            for (String value : rows.get(r)) {
                body.append('<').append(cell).append('>').append(escape(value)).append("</").append(cell).append('>');
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** A PNG plot, written as {@code fileName} and embedded. */
    public HtmlReport image(String fileName, String caption, byte[] png) {
        if (images.containsKey(fileName)) {
            throw new IllegalArgumentException("duplicate plot name " + fileName);
        }
        images.put(fileName, png);
        body.append("<figure><img alt=\"").append(escape(caption)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\"><figcaption>").append(escape(caption))
                .append(" (<a href=\"").append(escape(fileName)).append("\">").append(escape(fileName))
                .append("</a>)</figcaption></figure>\n");
        return this;
    }

    /** Starts a row of side-by-side figures; close it with {@link #endRow()}. */
    public HtmlReport row() {
        body.append("<div class=\"row\">\n");
        return this;
    }

    public HtmlReport endRow() {
        body.append("</div>\n");
        return this;
    }

    /** Writes {@code dir/index.html} and the plots (each atomically); returns the HTML file. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> image : images.entrySet()) {
            byte[] png = image.getValue();
            AtomicFiles.write(dir.resolve(image.getKey()), out -> out.write(png));
        }
        Path index = dir.resolve("index.html");
        AtomicFiles.writeString(index, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
                + escape(title) + "</title>\n<style>body{font-family:sans-serif;max-width:1400px;margin:2em auto;"
                + "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;"
                + "text-align:right}th{background:#f0f0f0}figure{display:inline-block;margin:.5em}"
                + "figcaption{font-size:.85em;color:#555}.row{display:flex;flex-wrap:wrap}</style></head><body>\n<h1>"
                + escape(title) + "</h1>\n" + body + "</body></html>\n");
        return index;
    }

    /** Names of the plots added so far. */
    public List<String> imageNames() {
        return new ArrayList<>(images.keySet());
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
