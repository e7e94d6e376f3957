package lnm.suggest;

/**
 * What bounds {@code lnm suggest}'s memory, whatever the size of the audit history.
 *
 * @param maxNames distinct names kept; records for further names are dropped and counted
 * @param maxLineBytes longest audit line read; a longer one is skipped and counted
 * @param tracked distinct addresses kept per name (the smallest), to say how many asked
 * @param listed addresses named in a suggestion's comment
 * @param minSiblings distinct names directly under one parent that make it a wildcard
 */
public record Limits(int maxNames, int maxLineBytes, int tracked, int listed, int minSiblings) {
    /** 100,000 names, 64 KiB lines, 16 addresses tracked and 3 listed per name, wildcards from 3 siblings. */
    public static final Limits DEFAULT = new Limits(100_000, 64 * 1024, 16, 3, 3);

    public Limits {
        if (maxNames < 1 || maxLineBytes < 1 || listed < 1 || tracked < listed || minSiblings < 2) {
            throw new IllegalArgumentException("bad limits");
        }
    }
}
