package org.elasticdepth.exporter.calibrate;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/** The guarantee study's plot: the test loss of every split, sorted, per method, against eps. */
public final class GuaranteeCharts {
    private GuaranteeCharts() {
    }

    /**
     * @param summaries the methods of one setting; those calibrated on the same loss (disagreement) are drawn, the
     *                  accuracy-drop rule is in the table (its own loss is a different quantity)
     */
    public static byte[] testLossBySplit(GuaranteeStudy.Setting setting, List<GuaranteeStudy.Summary> summaries)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(680).height(440)
                .title(String.format(Locale.ROOT, "Disagreement with full depth on the test part, eps %.3f, delta %.2f",
                        setting.eps(), setting.delta()))
                .xAxisTitle("share of splits (sorted by test loss)").yAxisTitle("test disagreement rate").build();
        chart.getStyler().setPlotGridLinesVisible(true);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setMarkerSize(4);
        double max = setting.eps();
        for (GuaranteeStudy.Summary s : summaries) {
            if (s.method() == GuaranteeStudy.Method.NAIVE_ACCURACY) {
                continue;
            }
            double[] y = s.trials().stream().mapToDouble(GuaranteeStudy.Trial::testDisagreement).sorted().toArray();
            double[] x = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                x[i] = (i + 1.0) / y.length;
                max = Math.max(max, y[i]);
            }
            chart.addSeries(String.format(Locale.ROOT, "%s: %.1f %% of splits above eps", label(s.method()),
                    100.0 * s.disagreementViolations() / s.trials().size()), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        chart.addSeries("eps", new double[] {0, 1}, new double[] {setting.eps(), setting.eps()})
                .setMarker(SeriesMarkers.NONE).setLineStyle(SeriesLines.DASH_DASH).setLineColor(Color.RED);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(max * 1.1);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0);
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    public static String label(GuaranteeStudy.Method method) {
        return switch (method) {
            case GUARANTEED -> "guaranteed (Clopper-Pearson + fixed sequence)";
            case NAIVE_DISAGREEMENT -> "naive: calibration disagreement <= eps";
            case NAIVE_ACCURACY -> "naive: calibration accuracy drop <= eps";
        };
    }
}
