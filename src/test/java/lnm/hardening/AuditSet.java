package lnm.hardening;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit log's rotation set as lnm leaves it with {@code audit.maxBytes}: {@code FILE.K}
 * (oldest) .. {@code FILE.1}, then {@code FILE}, read in the order the records were written.
 * Besides the records, says what is wrong with the set itself: a gap in the numbering, a file
 * whose last line is cut (a record split across the boundary), a line that is not one JSON
 * object, or a set as long as {@code audit.keep} (the oldest file may have been deleted).
 *
 * <p>Plain JDK; used by the soak run.
 */
final class AuditSet {
    /** Every record, oldest first. */
    final List<String> records = new ArrayList<>();
    /** One entry per file, oldest first: name and record count. */
    final List<String> files = new ArrayList<>();
    /** What is wrong with the set; empty when it is whole. */
    final List<String> problems = new ArrayList<>();
    /** The number of rotated files ({@code FILE.1} ..). */
    int rotated;

    private AuditSet() {}

    /** Reads the set of {@code file} (kept up to {@code keep} rotated files). */
    static AuditSet read(Path file, int keep) throws IOException {
        AuditSet s = new AuditSet();
        List<Path> order = s.files(file, keep);
        for (Path f : order) {
            byte[] b = Files.readAllBytes(f);
            if (b.length > 0 && b[b.length - 1] != '\n') {
                s.problems.add(f.getFileName() + " ends inside a line (" + b.length + " bytes)");
            }
            int n = 0;
            for (String line : new String(b, StandardCharsets.UTF_8).split("\n", -1)) {
                if (line.isEmpty()) {
                    continue;
                }
                if (!line.startsWith("{") || !line.endsWith("}")) {
                    s.problems.add(f.getFileName() + ": not one JSON object: "
                            + line.substring(0, Math.min(line.length(), 120)));
                }
                s.records.add(line);
                n++;
            }
            s.files.add(f.getFileName() + " " + n);
        }
        return s;
    }

    /** Records in the whole set, counted without keeping them (for samples while lnm runs). */
    static long count(Path file, int keep) throws IOException {
        long n = 0;
        byte[] buf = new byte[1 << 16];
        for (Path f : new AuditSet().files(file, keep)) {
            try (InputStream in = Files.newInputStream(f)) {
                for (int r; (r = in.read(buf)) > 0; ) {
                    for (int i = 0; i < r; i++) {
                        n += buf[i] == '\n' ? 1 : 0;
                    }
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // rotated away between listing and reading: a sample only, the verdict reads again
            }
        }
        return n;
    }

    /** The files of the set, oldest first; notes gaps and a full set in {@link #problems}. */
    private List<Path> files(Path file, int keep) throws IOException {
        String base = file.getFileName().toString();
        int highest = 0;
        int present = 0;
        try (var list = Files.list(file.getParent())) {
            for (Path p : (Iterable<Path>) list::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(base + ".") && name.substring(base.length() + 1).matches("[1-9]\\d{0,5}")) {
                    highest = Math.max(highest, Integer.parseInt(name.substring(base.length() + 1)));
                    present++;
                }
            }
        }
        if (present != highest) {
            problems.add("rotated files " + base + ".1.." + base + "." + highest + " have gaps (" + present + " present)");
        }
        if (keep > 0 && highest >= keep) {
            problems.add(highest + " rotated files: as many as audit.keep, the oldest records may be gone");
        }
        rotated = highest;
        List<Path> out = new ArrayList<>();
        for (int i = highest; i >= 1; i--) {
            Path p = file.resolveSibling(base + "." + i);
            if (Files.exists(p)) {
                out.add(p);
            }
        }
        if (Files.exists(file)) {
            out.add(file);
        }
        return out;
    }
}
