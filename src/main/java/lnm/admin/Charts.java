package lnm.admin;

import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * Line charts as inline SVG: no script, no external file, so the status page works on a box
 * without internet and under a Content-Security-Policy that forbids both.
 *
 * <p>The x axis is a fixed window ending now (so a fresh start shows a short line at the right,
 * not a stretched one); the y axis starts at zero and ends at four "nice" steps (1, 2, 2.5 or 5
 * times a power of ten) above the largest value.
 */
final class Charts {
    /** One line; {@code values[i]} belongs to {@code times[i]}. */
    record Series(String id, String label, String color, double[] values, boolean area) {}

    static final int WIDTH = 600;
    static final int HEIGHT = 210;
    private static final int LEFT = 64;
    private static final int RIGHT = 12;
    private static final int TOP = 12;
    private static final int BOTTOM = 26;

    private Charts() {}

    /**
     * @param times sample times, epoch ms, oldest first
     * @param windowSeconds how much time the x axis spans, ending at {@code now}
     * @param minTop smallest y axis top, so an idle chart does not magnify noise
     */
    static String chart(String id, String title, long[] times, long now, int windowSeconds, List<Series> series,
            double minTop, DoubleFunction<String> yLabel) {
        StringBuilder sb = new StringBuilder(4096);
        double max = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                max = Math.max(max, v);
            }
        }
        double step = niceStep(Math.max(max, minTop) / 4);
        double top = step * 4;
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        long start = now - windowSeconds * 1000L;

        sb.append("<svg id=\"").append(id).append("\" class=\"chart\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" role=\"img\" aria-label=\"").append(StatusPage.esc(title))
                .append("\" xmlns=\"http://www.w3.org/2000/svg\">");
        // grid and y labels
        for (int i = 0; i <= 4; i++) {
            double y = TOP + plotH - plotH * i / 4;
            sb.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
                    .append("\" y1=\"").append(fmt(y)).append("\" y2=\"").append(fmt(y)).append("\"/>");
            sb.append("<text class=\"ylabel\" x=\"").append(LEFT - 6).append("\" y=\"").append(fmt(y + 4))
                    .append("\" text-anchor=\"end\">").append(StatusPage.esc(yLabel.apply(step * i))).append("</text>");
        }
        // x labels at round times: 10 s, 30 s, 1 min or 2 min apart
        int tick = windowSeconds <= 60 ? 10 : windowSeconds <= 120 ? 30 : windowSeconds <= 300 ? 60 : 120;
        for (int s = 0; s <= windowSeconds; s += tick) {
            double x = LEFT + plotW * s / windowSeconds;
            int ago = windowSeconds - s;
            String label = ago == 0 ? "now" : ago % 60 == 0 ? "-" + ago / 60 + "m" : "-" + ago + "s";
            sb.append("<text class=\"xlabel\" x=\"").append(fmt(x)).append("\" y=\"").append(HEIGHT - 8)
                    .append("\" text-anchor=\"").append(s == 0 ? "start" : s + tick > windowSeconds ? "end" : "middle")
                    .append("\">").append(label).append("</text>");
        }
        sb.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
                .append("\" y1=\"").append(TOP + (int) plotH).append("\" y2=\"").append(TOP + (int) plotH).append("\"/>");
        if (times.length < 2) {
            sb.append("<text class=\"empty\" x=\"").append(LEFT + (int) plotW / 2).append("\" y=\"")
                    .append(TOP + (int) plotH / 2).append("\" text-anchor=\"middle\">collecting samples…</text>");
        }
        for (Series s : series) {
            StringBuilder pts = new StringBuilder(times.length * 12);
            double firstX = -1;
            double lastX = -1;
            for (int i = 0; i < times.length; i++) {
                if (times[i] < start) {
                    continue;
                }
                double x = LEFT + plotW * (times[i] - start) / (windowSeconds * 1000.0);
                double y = TOP + plotH - plotH * Math.min(s.values()[i], top) / top;
                if (firstX < 0) {
                    firstX = x;
                }
                lastX = x;
                pts.append(fmt(x)).append(',').append(fmt(y)).append(' ');
            }
            if (pts.length() == 0) {
                continue;
            }
            if (s.area() && lastX > firstX) {
                double base = TOP + plotH;
                sb.append("<polygon class=\"area\" fill=\"").append(s.color()).append("\" points=\"").append(fmt(firstX))
                        .append(',').append(fmt(base)).append(' ').append(pts).append(fmt(lastX)).append(',')
                        .append(fmt(base)).append("\"/>");
            }
            sb.append("<polyline class=\"series\" data-series=\"").append(s.id()).append("\" stroke=\"").append(s.color())
                    .append("\" points=\"").append(pts.toString().trim()).append("\"><title>")
                    .append(StatusPage.esc(s.label())).append("</title></polyline>");
        }
        return sb.append("</svg>").toString();
    }

    /** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / p;
        double n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
        return n * p;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
