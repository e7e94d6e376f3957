package lnm.cli;

import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One readable line per event on stderr: {@code 2026-11-26T04:27:01.123Z INFO message}. */
final class Logs {
    private Logs() {}

    static void init() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler h = new ConsoleHandler(); // stderr
        h.setLevel(Level.ALL);
        h.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                StringBuilder sb = new StringBuilder(128)
                        .append(Instant.ofEpochMilli(r.getMillis()))
                        .append(' ')
                        .append(r.getLevel() == Level.SEVERE ? "ERROR" : r.getLevel().getName())
                        .append(' ')
                        .append(formatMessage(r));
                if (r.getThrown() != null) {
                    sb.append(": ").append(r.getThrown());
                }
                return sb.append(System.lineSeparator()).toString();
            }
        });
        root.addHandler(h);
        root.setLevel(Level.INFO);
    }
}
