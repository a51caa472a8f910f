package io.chainpulse.cli.evaluate;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG of {@code evaluate --chart}: one panel per fault kind, recall (during the fault, and within two windows)
 * against magnitude, panels in a grid of three columns.
 */
public final class RecallChart {
    private static final int WIDTH = 420;
    private static final int HEIGHT = 300;
    private static final int COLUMNS = 3;

    private RecallChart() {}

    public static void write(Evaluation evaluation, Path file) throws IOException {
        List<BufferedImage> panels = new ArrayList<>();
        for (FaultLadder ladder : FaultLadder.all()) {
            List<Evaluation.Row> steps = evaluation.rows().stream().filter(r -> r.kind().equals(ladder.id())
                    && ladder.magnitudes().contains(r.magnitude())).toList();
            if (steps.isEmpty()) {
                continue;
            }
            XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(ladder.id())
                    .xAxisTitle(axis(ladder)).yAxisTitle("recall %").theme(Styler.ChartTheme.Matlab).build();
            chart.getStyler().setYAxisMin(0.0).setYAxisMax(105.0).setLegendPosition(Styler.LegendPosition.InsideSW)
                    .setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(13f));
            double[] x = steps.stream().mapToDouble(r -> r.magnitude() * (ladder.kind()
                    == io.chainpulse.simulator.Fault.Kind.TPS_COLLAPSE ? 100 : 1)).toArray();
            XYSeries recall = chart.addSeries("during the fault", x,
                    steps.stream().mapToDouble(r -> 100 * r.recall()).toArray());
            recall.setMarker(SeriesMarkers.CIRCLE);
            recall.setLineColor(new Color(0x1f77b4));
            recall.setMarkerColor(new Color(0x1f77b4));
            XYSeries inTime = chart.addSeries("within 2 windows", x,
                    steps.stream().mapToDouble(r -> 100 * r.recallInTime()).toArray());
            inTime.setMarker(SeriesMarkers.DIAMOND);
            inTime.setLineColor(new Color(0xd62728));
            inTime.setMarkerColor(new Color(0xd62728));
            panels.add(BitmapEncoder.getBufferedImage(chart));
        }
        int rows = Math.max(1, (panels.size() + COLUMNS - 1) / COLUMNS);
        BufferedImage grid = new BufferedImage(WIDTH * Math.min(COLUMNS, Math.max(1, panels.size())), HEIGHT * rows,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(panels.get(i), (i % COLUMNS) * WIDTH, (i / COLUMNS) * HEIGHT, null);
        }
        g.dispose();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ImageIO.write(grid, "png", file.toFile());
    }

    private static String axis(FaultLadder ladder) {
        return switch (ladder.kind()) {
            case SLOW_VALIDATOR, CPU_SATURATION -> "times slower";
            case MEMORY_LEAK -> "leak (MiB/min)";
            case LATE_BLOCKS -> "blocks late by (ms)";
            case TPS_COLLAPSE -> "arrivals left (%)";
            case SILENT_NODE -> "silent for (s)";
            case BYZANTINE -> "miss / extra-round probability";
            case CLOCK_SKEW -> "clock ahead by (ms)";
            case FAILURE_BURST -> "validation failure probability";
            case STOP_VOTING -> "votes stopped for (s)";
        };
    }
}
