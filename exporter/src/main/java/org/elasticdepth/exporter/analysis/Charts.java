package org.elasticdepth.exporter.analysis;

import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BoxChart;
import org.knowm.xchart.BoxChartBuilder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The report's plots, drawn with XChart and encoded as PNG. */
public final class Charts {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 420;

    private Charts() {
    }

    /**
     * Exit accuracy per layer, one line per model, and each model's minimal depths (within 0.5 and 1 point of full
     * depth) ringed by a large diamond in the model's colour.
     */
    public static byte[] layerAccuracy(Map<String, double[]> accuracyByModel,
                                       Map<String, List<AnalysisResult.MinimalDepth>> minimalDepthByModel)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Test accuracy of the exit at each layer")
                .xAxisTitle("layer").yAxisTitle("accuracy").build();
        style(chart.getStyler());
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        Color[] colors = chart.getStyler().getSeriesColors();
        int i = 0;
        for (Map.Entry<String, double[]> model : accuracyByModel.entrySet()) {
            Color color = colors[i++ % colors.length];
            double[] accuracy = model.getValue();
            chart.addSeries(model.getKey(), layers(accuracy.length), accuracy).setMarker(SeriesMarkers.CIRCLE)
                    .setMarkerColor(color).setLineColor(color);
            List<AnalysisResult.MinimalDepth> depths = minimalDepthByModel.getOrDefault(model.getKey(), List.of());
            if (!depths.isEmpty()) {
                double[] x = depths.stream().mapToDouble(AnalysisResult.MinimalDepth::depth).toArray();
                double[] y = depths.stream().mapToDouble(d -> accuracy[d.depth() - 1]).toArray();
                StringBuilder label = new StringBuilder(model.getKey()).append(": minimal depth");
                for (AnalysisResult.MinimalDepth d : depths) {
                    label.append(' ').append(d.depth()).append(" (").append(AnalysisReport.points(d.accuracyDrop()))
                            .append(" pt)");
                }
                XYSeries marks = chart.addSeries(label.toString(), x, y);
                marks.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                marks.setMarker(new RingDiamond()).setMarkerColor(color);
            }
        }
        return png(chart);
    }

    /** An outlined diamond well larger than the line's markers, so the point it rings stays visible. */
    private static final class RingDiamond extends org.knowm.xchart.style.markers.Marker {
        @Override
        public void paint(Graphics2D g, double x, double y, int markerSize) {
            double r = markerSize * 1.3;
            Path2D diamond = new Path2D.Double();
            diamond.moveTo(x, y - r);
            diamond.lineTo(x + r, y);
            diamond.lineTo(x, y + r);
            diamond.lineTo(x - r, y);
            diamond.closePath();
            g.setStroke(new BasicStroke(2f));
            g.draw(diamond);
        }
    }

    /** COS and linear CKA of every layer against the last. */
    public static byte[] cosVersusCka(String model, double[] cos, double[] cka) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(model + ": similarity to the last layer").xAxisTitle("layer").yAxisTitle("similarity").build();
        style(chart.getStyler());
        chart.getStyler().setYAxisMax(1.0);
        chart.addSeries("COS (centred, sample-wise)", layers(cos.length), cos).setMarker(SeriesMarkers.CIRCLE);
        chart.addSeries("linear CKA", layers(cka.length), cka).setMarker(SeriesMarkers.SQUARE);
        return png(chart);
    }

    /** A layer x layer similarity matrix. */
    public static byte[] heatmap(String title, double[][] matrix) throws IOException {
        int n = matrix.length;
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH - 80).height(HEIGHT + 40).title(title).build();
        chart.getStyler().setShowValue(true).setMin(Math.min(0, min(matrix))).setMax(1.0)
                .setHeatMapValueDecimalPattern("0.00").setLegendPosition(Styler.LegendPosition.OutsideE)
                .setRangeColors(new Color[] {new Color(255, 255, 255), new Color(158, 202, 225), new Color(49, 130, 189)})
                .setValueFontColor(Color.BLACK);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisTitleVisible(true).setYAxisTitleVisible(true);
        chart.setXAxisTitle("layer");
        chart.setYAxisTitle("layer");
        List<Integer> axis = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            axis.add(i);
        }
        List<Number[]> cells = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                cells.add(new Number[] {a, b, matrix[a][b]});
            }
        }
        chart.addSeries(title, axis, axis, cells);
        return png(chart);
    }

    /** Distribution of the per-sample COS of each layer against the last. */
    public static byte[] cosBoxPlot(String model, double[][] samplesByLayer) throws IOException {
        BoxChart chart = new BoxChartBuilder().width(WIDTH).height(HEIGHT)
                .title(model + ": per-sample COS to the last layer").xAxisTitle("layer").yAxisTitle("COS").build();
        style(chart.getStyler());
        for (int l = 0; l < samplesByLayer.length; l++) {
            chart.addSeries("layer " + (l + 1), samplesByLayer[l]);
        }
        chart.getStyler().setLegendVisible(false);
        return png(chart);
    }

    /** How many samples exit at each layer. */
    public static byte[] exitHistogram(String model, long[] counts, double threshold, double speedUp)
            throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(String.format(java.util.Locale.ROOT, "%s: exits at threshold %.2f (speed-up %.2fx)", model,
                        threshold, speedUp)).xAxisTitle("exit layer").yAxisTitle("test samples").build();
        style(chart.getStyler());
        chart.getStyler().setLegendVisible(false);
        List<Integer> x = new ArrayList<>();
        List<Long> y = new ArrayList<>();
        for (int l = 0; l < counts.length; l++) {
            x.add(l + 1);
            y.add(counts[l]);
        }
        chart.addSeries("exits", x, y);
        return png(chart);
    }

    /** Accuracy against speed-up over the threshold sweep, one line per model. */
    public static byte[] frontier(String title, Map<String, List<FrontierPoint>> frontierByModel) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("speed-up")
                .yAxisTitle("accuracy").build();
        style(chart.getStyler());
        frontierByModel.forEach((name, points) -> {
            double[] x = points.stream().mapToDouble(FrontierPoint::speedUp).toArray();
            double[] y = points.stream().mapToDouble(FrontierPoint::accuracy).toArray();
            chart.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
        });
        return png(chart);
    }

    private static void style(Styler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.InsideSE);
        if (styler instanceof org.knowm.xchart.style.AxesChartStyler axes) {
            axes.setPlotGridLinesVisible(true);
        }
    }

    private static double[] layers(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
        }
        return x;
    }

    private static double min(double[][] m) {
        double min = Double.POSITIVE_INFINITY;
        for (double[] row : m) {
            for (double v : row) {
                min = Math.min(min, v);
            }
        }
        return min;
    }

    private static byte[] png(Chart<?, ?> chart) throws IOException {
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }
}
