package lnm.suggest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import lnm.config.Allowlist;
import lnm.config.AllowlistReader;
import lnm.config.IpLiteral;
import lnm.config.Names;
import lnm.config.Problem;

/**
 * {@code lnm suggest [--diff ALLOWLIST] AUDITFILE ...}: reads audit files (current, rotated,
 * gzip-compressed, in any order) and prints an allowlist fragment for the names that were
 * refused as {@code not_allowlisted}, or that report mode relayed with
 * {@code "wouldDeny":"not_allowlisted"}. Streams line by line within {@link Limits}; a summary
 * of what was read, used and skipped goes to stderr. Only lines that hold the text
 * {@code not_allowlisted} are parsed (lnm writes it unescaped); the rest are counted as ignored.
 */
public final class Suggest {
    private static final String NOT_ALLOWLISTED = "not_allowlisted";
    /** A line that does not hold this text cannot be one to use, and is passed over unparsed. */
    private static final byte[] MENTION = NOT_ALLOWLISTED.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final Set<String> FIELDS = Set.of("time", "client", "origin", "sni", "host", "decision", "reason",
            "wouldDeny", "kind", "count");

    private final Limits limits;
    private final Tally tally;
    private long lines;
    private long tooLong;
    private long malformed;
    private long invalidName;
    private long used;
    private long ignored;

    private Suggest(Limits limits) {
        this.limits = limits;
        this.tally = new Tally(limits);
    }

    /**
     * Runs the command.
     *
     * @param diff an allowlist whose names are left out, or null
     * @return 0 when it printed the fragment (possibly empty), 1 when an audit file or the
     *     {@code diff} allowlist cannot be read or the allowlist is not valid (nothing printed)
     */
    public static int run(List<Path> files, Path diff, Limits limits, PrintStream out, PrintStream err) {
        Allowlist have = null;
        if (diff != null) {
            AllowlistReader.Loaded l = AllowlistReader.read(diff, true);
            if (l.allowlist() == null) {
                for (Problem p : l.problems()) {
                    err.println(p);
                }
                err.println("lnm suggest: " + diff + " is not a valid allowlist");
                return 1;
            }
            have = l.allowlist();
        }
        for (Path f : files) {
            if (!Files.isRegularFile(f) || !Files.isReadable(f)) {
                err.println("lnm suggest: " + f + ": cannot read: " + (Files.exists(f) ? "not a readable file" : "no such file"));
                return 1;
            }
        }
        Suggest s = new Suggest(limits);
        for (Path f : files) {
            try {
                s.read(f);
            } catch (IOException e) {
                err.println("lnm suggest: " + f + ": cannot read: " + e.getMessage());
                return 1;
            }
        }
        TreeMap<String, Seen> names = s.tally.names();
        int asked = names.size();
        if (have != null) {
            for (Iterator<String> it = names.keySet().iterator(); it.hasNext(); ) {
                if (have.match(it.next()).isPresent()) {
                    it.remove();
                }
            }
        }
        List<Fragment.Entry> entries = Fragment.build(names, limits);
        out.println("# lnm suggest: names refused as not on the allowlist (or that report mode would refuse)");
        out.println(Fragment.comment("from " + files.size() + " audit file(s)" + (diff == null ? "" : ", not yet allowed by " + diff)
                + "; review each line before adding it"));
        if (entries.isEmpty()) {
            out.println("# (none)");
        }
        Fragment.write(out, entries, limits.listed());
        s.summary(err, files.size(), asked, names.size(), entries, diff);
        return 0;
    }

    private void read(Path f) throws IOException {
        try (BoundedLines in = BoundedLines.open(f, limits.maxLineBytes())) {
            while (in.next()) {
                if (in.mentions(MENTION)) {
                    record(in.text());
                } else {
                    ignored++; // most lines: allowed connections, other refusals, DNS lines
                }
            }
            lines += in.lines();
            tooLong += in.tooLong();
        }
    }

    /** Counts one line as used, ignored or skipped. */
    private void record(String line) {
        Map<String, String> f = FlatJson.fields(line, FIELDS);
        if (f == null) {
            malformed++;
            return;
        }
        if (f.containsKey("kind")) {
            ignored++; // a DNS line, not a connection
            return;
        }
        String decision = f.get("decision");
        String why;
        if ("deny".equals(decision)) {
            why = f.get("reason");
        } else if ("allow".equals(decision)) {
            why = f.get("wouldDeny");
        } else {
            malformed++;
            return;
        }
        if (!NOT_ALLOWLISTED.equals(why)) {
            ignored++;
            return;
        }
        String from = address(f.containsKey("origin") ? f.get("origin") : f.get("client"));
        long millis;
        try {
            millis = Instant.parse(f.getOrDefault("time", "")).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            millis = Long.MIN_VALUE;
        }
        if (from == null || millis == Long.MIN_VALUE) {
            malformed++;
            return;
        }
        String name = name(f.containsKey("host") ? f.get("host") : f.get("sni"));
        if (name == null) {
            invalidName++;
            return;
        }
        if (tally.add(name, from, millis, count(f.get("count")))) {
            used++;
        }
    }

    /** The name as an allowlist line would have it, or null if lnm would not take it as a pattern. */
    static String name(String raw) {
        String n = Names.normalize(raw);
        if (n == null) {
            return null;
        }
        try {
            return Names.pattern(n);
        } catch (IllegalArgumentException e) {
            return null; // an IP address
        }
    }

    /** The address of {@code ip:port} or {@code [v6]:port} (a bare address too), or null if it is none. */
    static String address(String s) {
        if (s == null) {
            return null;
        }
        String ip;
        String port;
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            ip = end < 0 ? "" : s.substring(1, end);
            port = end < 0 ? "x" : s.substring(end + 1);
        } else {
            int colon = s.indexOf(':');
            boolean v4 = colon >= 0 && colon == s.lastIndexOf(':');
            ip = v4 ? s.substring(0, colon) : s;
            port = v4 ? s.substring(colon) : "";
        }
        if (!port.isEmpty() && !port.matches(":[0-9]{1,5}")) {
            return null;
        }
        return IpLiteral.isLiteral(ip) ? ip : null;
    }

    /** A counting record's {@code count}; 1 when absent or not a positive number. */
    private static long count(String c) {
        if (c == null || !c.matches("[1-9][0-9]{0,17}")) {
            return 1;
        }
        return Long.parseLong(c);
    }

    private void summary(PrintStream err, int files, int asked, int missing, List<Fragment.Entry> entries, Path diff) {
        err.println("lnm suggest: " + files + " file(s), " + lines + " line(s) read, " + used + " record(s) used, "
                + ignored + " other line(s) ignored; skipped: " + tooLong + " line(s) over " + limits.maxLineBytes()
                + " bytes, " + malformed + " malformed, " + invalidName + " with an invalid name, " + tally.dropped()
                + " record(s) past " + limits.maxNames() + " distinct names");
        long wild = entries.stream().filter(Fragment.Entry::wildcard).count();
        err.println("lnm suggest: " + asked + " name(s) asked for" + (diff == null ? "" : ", " + (asked - missing)
                + " already allowed by " + diff) + "; " + entries.size() + " line(s) suggested (" + wild + " wildcard(s))");
    }
}
