package lnm.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The writer's output against the strict parser, and the parser against broken input. */
class PromTextTest {

    @Test
    void nastyLabelValuesAndHelpRoundTrip() {
        String nasty = "a\"b\\c\nd é {x=\"y\"}";
        PromText p = new PromText();
        p.family("lnm_test_total", "counter", "help with \\ backslash\nand a second line");
        p.sample("lnm_test_total", 3, "reason", nasty, "listener", "");
        p.family("lnm_ratio", "gauge", "a float");
        p.sample("lnm_ratio", 0.25);
        p.sample("lnm_ratio", Double.NaN, "kind", "nan");
        p.sample("lnm_ratio", Double.POSITIVE_INFINITY, "kind", "inf");
        var fams = PromParser.parse(p.toString());
        assertEquals(3.0, PromParser.value(fams, "lnm_test_total", "reason", nasty, "listener", ""));
        assertEquals("help with \\ backslash\nand a second line", fams.get("lnm_test_total").help);
        assertEquals(0.25, PromParser.value(fams, "lnm_ratio"));
        assertTrue(PromParser.value(fams, "lnm_ratio", "kind", "nan").isNaN());
        assertEquals(Double.POSITIVE_INFINITY, PromParser.value(fams, "lnm_ratio", "kind", "inf"));
    }

    @Test
    void numbersAreWrittenAsPrometheusReadsThem() {
        assertEquals("1", PromText.number(1.0));
        assertEquals("0.0025", PromText.number(0.0025));
        assertEquals("1234567", PromText.number(1234567));
        assertEquals("+Inf", PromText.number(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", PromText.number(Double.NEGATIVE_INFINITY));
        assertEquals("NaN", PromText.number(Double.NaN));
        assertEquals("0.000001", PromText.number(1e-6));
    }

    @Test
    void histogramIsCumulativeAndCountMatchesInf() {
        Histogram h = new Histogram(0.01, 0.1, 1);
        for (double v : new double[] {0.001, 0.01, 0.05, 0.5, 7}) {
            h.observe(v);
        }
        PromText p = new PromText();
        p.family("lnm_h_seconds", "histogram", "x");
        h.write(p, "lnm_h_seconds");
        var fams = PromParser.parse(p.toString());
        assertEquals(2.0, PromParser.value(fams, "lnm_h_seconds_bucket", "le", "0.01")); // le is inclusive
        assertEquals(3.0, PromParser.value(fams, "lnm_h_seconds_bucket", "le", "0.1"));
        assertEquals(4.0, PromParser.value(fams, "lnm_h_seconds_bucket", "le", "1"));
        assertEquals(5.0, PromParser.value(fams, "lnm_h_seconds_bucket", "le", "+Inf"));
        assertEquals(5.0, PromParser.value(fams, "lnm_h_seconds_count"));
        assertEquals(7.561, PromParser.value(fams, "lnm_h_seconds_sum"), 1e-9);
    }

    @Test
    void writerRefusesBadNames() {
        assertThrows(IllegalArgumentException.class, () -> new PromText().family("9lives", "gauge", "x"));
        assertThrows(IllegalArgumentException.class, () -> new PromText().sample("ok", 1, "bad-label", "v"));
        assertThrows(IllegalArgumentException.class, () -> new PromText().sample("ok", 1, "__reserved", "v"));
        assertThrows(IllegalArgumentException.class, () -> new PromText().sample("ok", 1, "odd"));
    }

    @Test
    void parserIsStrict() {
        Map<String, String> bad = Map.ofEntries(
                Map.entry("no TYPE", "x 1\n"),
                Map.entry("no final newline", "# TYPE x gauge\nx 1"),
                Map.entry("bad name", "# TYPE x gauge\nx-y 1\n"),
                Map.entry("bad escape", "# TYPE x gauge\nx{a=\"\\t\"} 1\n"),
                Map.entry("unquoted label", "# TYPE x gauge\nx{a=b} 1\n"),
                Map.entry("repeated label", "# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n"),
                Map.entry("bad value", "# TYPE x gauge\nx 1,5\n"),
                Map.entry("duplicate series", "# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n"),
                Map.entry("second TYPE", "# TYPE x gauge\n# TYPE x gauge\nx 1\n"),
                Map.entry("unknown type", "# TYPE x thing\nx 1\n"),
                Map.entry("split family", "# TYPE x gauge\n# TYPE y gauge\nx 1\ny 1\nx{a=\"b\"} 2\n"),
                Map.entry("negative counter", "# TYPE x_total counter\nx_total -1\n"),
                Map.entry("histogram count mismatch",
                        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"),
                Map.entry("histogram not cumulative",
                        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"),
                Map.entry("histogram without +Inf", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"),
                Map.entry("carriage return", "# TYPE x gauge\r\nx 1\r\n"));
        bad.forEach((why, text) -> assertThrows(IllegalArgumentException.class, () -> PromParser.parse(text), why));
        var ok = PromParser.parse("# a comment\n# HELP x some help\n# TYPE x gauge\nx{a=\"1\",} 1 1700000000000\n\n");
        assertEquals(1.0, PromParser.value(ok, "x", "a", "1"));
    }
}
