package dev.transflow.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/** Small line charts of benchmark time series, one panel per series, written as one PNG. */
final class LineCharts {

    /** One panel: {@code y[i]} at time {@code x[i]} (seconds). NaN values are gaps. */
    record Panel(String title, double[] x, double[] y) {
        Panel {
            if (x.length != y.length) {
                throw new IllegalArgumentException(title + ": " + x.length + " times for " + y.length + " values");
            }
        }
    }

    static final int PANEL_WIDTH = 480;
    static final int PANEL_HEIGHT = 240;
    private static final int MARGIN = 44;

    private LineCharts() {}

    /** Writes {@code panels} two per row. */
    static void write(Path png, List<Panel> panels) throws IOException {
        int columns = Math.min(2, panels.size());
        int rows = (panels.size() + 1) / 2;
        BufferedImage image = new BufferedImage(columns * PANEL_WIDTH, rows * PANEL_HEIGHT,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            boolean text = fontsAvailable(g);
            for (int i = 0; i < panels.size(); i++) {
                draw(g, panels.get(i), (i % 2) * PANEL_WIDTH, (i / 2) * PANEL_HEIGHT, text);
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("No PNG writer in this JVM for " + png);
        }
    }

    private static void draw(Graphics2D g, Panel panel, int left, int top, boolean text) {
        int x0 = left + MARGIN;
        int y0 = top + PANEL_HEIGHT - MARGIN / 2;
        int width = PANEL_WIDTH - MARGIN - 16;
        int height = PANEL_HEIGHT - MARGIN;
        double[] range = range(panel.x());
        // From zero, so that a drift of a few percent looks like one.
        double[] values = range(panel.y());
        double low = Math.min(0, values[0]);
        double high = Math.max(values[1], low + 1e-9);
        values = new double[] {low, high + 0.05 * (high - low)};
        if (range[1] <= range[0]) {
            range = new double[] {range[0], range[0] + 1};
        }
        g.setColor(new Color(0xDDDDDD));
        g.drawRect(x0, y0 - height, width, height);
        g.setColor(new Color(0x1F77B4));
        g.setStroke(new BasicStroke(2f));
        Path2D line = new Path2D.Double();
        boolean open = false;
        for (int i = 0; i < panel.x().length; i++) {
            if (Double.isNaN(panel.y()[i]) || Double.isNaN(panel.x()[i])) {
                open = false;
                continue;
            }
            double px = x0 + (panel.x()[i] - range[0]) / (range[1] - range[0]) * width;
            double py = y0 - (panel.y()[i] - values[0]) / (values[1] - values[0]) * height;
            if (open) {
                line.lineTo(px, py);
            } else {
                line.moveTo(px, py);
                open = true;
            }
        }
        g.draw(line);
        if (text) {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(panel.title(), x0, top + 16);
            g.setColor(Color.DARK_GRAY);
            g.drawString(number(values[1]), left + 2, y0 - height + 10);
            g.drawString(number(values[0]), left + 2, y0);
            g.drawString(number(range[1]) + " s", x0 + width - 50, y0 + 16);
        }
    }

    private static double[] range(double[] values) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return min > max ? new double[] {0, 1} : new double[] {min, max};
    }

    private static String number(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /**
     * Whether text can be drawn: a JDK without fonts (a container without fontconfig) fails in font set-up, and
     * the chart is still worth writing without its labels (the JSON carries the numbers).
     */
    private static boolean fontsAvailable(Graphics2D g) {
        try {
            g.getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            return true;
        } catch (RuntimeException | InternalError | UnsatisfiedLinkError e) {
            return false;
        }
    }
}
