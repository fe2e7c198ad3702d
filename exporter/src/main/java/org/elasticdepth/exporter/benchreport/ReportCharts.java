package org.elasticdepth.exporter.benchreport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.elasticdepth.exporter.benchreport.LoadedResults.Entry;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.DepthResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.EarlyExit;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.FrontierPoint;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.SustainedPoint;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's plots, one series per device and executor: latency vs depth, init cost vs depth,
 * the early-exit frontier (accuracy vs speed-up by layers, with the measured point at the
 * threshold in use), and the sustained-run curves. Charts with no data are not drawn.
 */
final class ReportCharts {
  static final int WIDTH = 1100;
  static final int HEIGHT = 520;

  private ReportCharts() {}

  /** PNG bytes by file name, in display order, with each chart's title. */
  record Chart(String fileName, String title, byte[] png) {}

  static List<Chart> draw(List<Entry> entries) throws IOException {
    List<Chart> charts = new ArrayList<>();
    add(charts, "latency-vs-depth.png", byDepth(entries, "Latency vs depth (mean)", "mean latency (ms)", false));
    add(charts, "init-vs-depth.png", byDepth(entries, "Init cost vs depth (all graphs loaded, delegates included)", "init (ms)", true));
    add(charts, "early-exit-frontier.png", frontier(entries));
    add(charts, "sustained.png", sustained(entries));
    return charts;
  }

  private static void add(List<Chart> charts, String file, XYChart chart) throws IOException {
    if (chart != null) {
      charts.add(new Chart(file, chart.getTitle(), BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG)));
    }
  }

  private static XYChart chart(String title, String x, String y) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
    // Legend on the right, one entry per line: device names are long and there may be many.
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
    return chart;
  }

  private static XYChart byDepth(List<Entry> entries, String title, String yTitle, boolean init) {
    Map<String, double[][]> series = new LinkedHashMap<>();
    for (Entry e : entries) {
      for (ExecutorResult x : e.result().executors()) {
        List<Double> depths = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (DepthResult d : x.depths()) {
          if (d.status() == Status.OK) {
            depths.add((double) d.depth());
            values.add(init ? d.initMs() : d.latency().meanMs());
          }
        }
        if (!depths.isEmpty()) {
          series.put(e.label() + " · " + e.result().label(x), new double[][] {toArray(depths), toArray(values)});
        }
      }
    }
    if (series.isEmpty()) {
      return null;
    }
    XYChart chart = chart(title, "depth (blocks)", yTitle);
    series.forEach((name, xy) -> chart.addSeries(name, xy[0], xy[1]));
    return chart;
  }

  private static XYChart frontier(List<Entry> entries) {
    XYChart chart = chart("Early-exit frontier (replayed thresholds; filled marker = measured at the threshold in use)",
        "speed-up by layers  sum(L*m_i)/sum(i*m_i)", "accuracy");
    boolean any = false;
    for (Entry e : entries) {
      for (ExecutorResult x : e.result().executors()) {
        EarlyExit ee = x.earlyExit();
        if (ee.status() != Status.OK || ee.frontier().isEmpty()) {
          continue;
        }
        String name = e.label() + " · " + e.result().label(x);
        List<Double> speed = new ArrayList<>();
        List<Double> acc = new ArrayList<>();
        for (FrontierPoint p : ee.frontier()) {
          speed.add(p.speedUpByLayers());
          acc.add(p.accuracy());
        }
        chart.addSeries(name, toArray(speed), toArray(acc));
        XYSeries measured = chart.addSeries(name + " @" + ee.threshold(), new double[] {ee.speedUpByLayers()},
            new double[] {ee.accuracy()});
        measured.setMarker(SeriesMarkers.DIAMOND);
        measured.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        any = true;
      }
    }
    return any ? chart : null;
  }

  private static XYChart sustained(List<Entry> entries) {
    XYChart chart = chart("Sustained run: latency over time", "time (s)", "mean latency per interval (ms)");
    boolean any = false;
    for (Entry e : entries) {
      for (ExecutorResult x : e.result().executors()) {
        if (x.sustained().status() != Status.OK || x.sustained().points().isEmpty()) {
          continue;
        }
        List<Double> t = new ArrayList<>();
        List<Double> ms = new ArrayList<>();
        for (SustainedPoint p : x.sustained().points()) {
          t.add(p.seconds());
          ms.add(p.meanMs());
        }
        chart.addSeries(e.label() + " · " + e.result().label(x) + " (depth " + x.sustained().depth() + ")", toArray(t), toArray(ms));
        any = true;
      }
    }
    return any ? chart : null;
  }

  private static double[] toArray(List<Double> values) {
    double[] a = new double[values.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = values.get(i);
    }
    return a;
  }
}
