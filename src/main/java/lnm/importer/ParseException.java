package lnm.importer;

/** The resource file cannot be read as YAML/JSON or is not an Lnm resource; names the line. */
final class ParseException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;

    ParseException(int line, String message) {
        super(message);
        this.line = line;
    }

    /** 1-based; 0 means the file as a whole. */
    int line() {
        return line;
    }
}
