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
import java.util.regex.Pattern;

/**
 * A self-contained HTML page: headings, paragraphs, tables and PNG plots embedded as data URIs (so the single file
 * can be mailed or opened anywhere). Each plot is also written next to it as a PNG file for reuse (e.g. in a README).
 */
public final class HtmlReport {
    /** A number, possibly signed, with a unit suffix ("0.896", "3.09x", "-1.2", "6 of 6", "12 %"): right-aligned. */
    private static final Pattern NUMBER = Pattern.compile("[-+]?[0-9][0-9,]*(\\.[0-9]+)?( ?(x|%|of [0-9]+))?");
    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1400px;margin:0 auto 3em;\
            padding:0 1.5em;color:#222;line-height:1.45}
            header{border-bottom:3px solid #3465a4;margin-bottom:1em;padding:1.2em 0 .6em}
            header h1{margin:0 0 .4em;font-size:1.7em}
            header dl{display:grid;grid-template-columns:max-content auto;gap:.15em 1em;margin:0}
            header dt{font-weight:600;color:#555}header dd{margin:0}
            nav.toc{background:#f5f7fa;border:1px solid #d8dee6;border-radius:4px;padding:.5em 1.2em;\
            display:inline-block;margin-bottom:.5em}
            nav.toc h2{font-size:1em;margin:.3em 0;border:0}nav.toc ol{margin:.2em 0;padding-left:1.4em}
            h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.8em}
            table{border-collapse:collapse;margin:1em 0;font-size:.95em}
            th,td{border:1px solid #b8c0cc;padding:.3em .7em;text-align:left}td{white-space:nowrap}
            th{background:#e8edf3}tr:nth-child(even) td{background:#fafbfc}
            td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
            figure{display:inline-block;margin:.5em}figcaption{font-size:.85em;color:#555;max-width:640px}
            .row{display:flex;flex-wrap:wrap}img{max-width:100%}
            """;

    private final String title;
    private final List<String[]> facts = new ArrayList<>();
    private final List<String[]> contents = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();
    private final Map<String, byte[]> images = new LinkedHashMap<>();

    public HtmlReport(String title) {
        this.title = title;
    }

    /** A line of the header under the title ("model: ViT ..."). */
    public HtmlReport fact(String label, String value) {
        facts.add(new String[] {label, value});
        return this;
    }

    /** A heading; level 2 headings are listed in the table of contents. */
    public HtmlReport heading(int level, String text) {
        String id = "";
        if (level == 2) {
            String anchor = "s" + (contents.size() + 1);
            contents.add(new String[] {anchor, text});
            id = " id=\"" + anchor + "\"";
        }
        body.append("<h").append(level).append(id).append('>').append(escape(text)).append("</h").append(level)
                .append(">\n");
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
                body.append('<').append(cell).append(r > 0 && NUMBER.matcher(value).matches() ? " class=\"num\"" : "")
                        .append('>').append(escape(value)).append("</").append(cell).append('>');
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
        AtomicFiles.writeString(index, html());
        return index;
    }

    /** The page: stylesheet inline, plots as data URIs, so it needs nothing beside it and nothing online. */
    String html() {
        StringBuilder page = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>")
                .append(escape(title)).append("</title>\n<style>\n").append(STYLE).append("</style></head><body>\n")
                .append("<header><h1>").append(escape(title)).append("</h1>\n");
        if (!facts.isEmpty()) {
            page.append("<dl>\n");
            for (String[] fact : facts) {
                page.append("<dt>").append(escape(fact[0])).append("</dt><dd>").append(escape(fact[1]))
                        .append("</dd>\n");
            }
            page.append("</dl>\n");
        }
        page.append("</header>\n");
        if (!contents.isEmpty()) {
            page.append("<nav class=\"toc\"><h2>Contents</h2><ol>\n");
            for (String[] entry : contents) {
                page.append("<li><a href=\"#").append(entry[0]).append("\">").append(escape(entry[1]))
                        .append("</a></li>\n");
            }
            page.append("</ol></nav>\n");
        }
        return page.append(body).append("</body></html>\n").toString();
    }

    /** Names of the plots added so far. */
    public List<String> imageNames() {
        return new ArrayList<>(images.keySet());
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
