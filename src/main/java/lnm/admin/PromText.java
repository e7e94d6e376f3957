package lnm.admin;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * Writes the Prometheus text exposition format, version 0.0.4.
 *
 * <p>Each metric family is announced once with {@code # HELP} and {@code # TYPE} and its samples
 * follow it directly (the format forbids interleaving families). Label values and help text are
 * escaped here, so callers may pass anything a client sent (an SNI name, a rule pattern).
 * Names are checked against the format's grammar: a bad name is a bug in lnm, not bad input.
 */
final class PromText {
    /** The {@code Content-Type} of what {@link #toString} returns. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final StringBuilder sb = new StringBuilder(8192);

    /** Starts a family: {@code type} is counter, gauge or histogram. */
    PromText family(String name, String type, String help) {
        checkName(name);
        sb.append("# HELP ").append(name).append(' ');
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
        sb.append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** One sample; {@code labels} alternate name, value. */
    PromText sample(String name, long value, String... labels) {
        head(name, labels).append(value).append('\n');
        return this;
    }

    PromText sample(String name, double value, String... labels) {
        head(name, labels).append(number(value)).append('\n');
        return this;
    }

    private StringBuilder head(String name, String... labels) {
        checkName(name);
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs");
        }
        sb.append(name);
        if (labels.length > 0) {
            sb.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                if (!LABEL_NAME.matcher(labels[i]).matches() || labels[i].startsWith("__")) {
                    throw new IllegalArgumentException("bad label name '" + labels[i] + "'");
                }
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(labels[i]).append("=\"");
                escapeLabelValue(sb, labels[i + 1] == null ? "" : labels[i + 1]);
                sb.append('"');
            }
            sb.append('}');
        }
        return sb.append(' ');
    }

    /** Backslash, double quote and line feed are the three characters a label value escapes. */
    static void escapeLabelValue(StringBuilder b, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
    }

    /** A float as Prometheus parses it: integers without a fraction, {@code +Inf}, {@code NaN}. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static void checkName(String name) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad metric name '" + name + "'");
        }
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
